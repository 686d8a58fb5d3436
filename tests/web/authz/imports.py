import io
from pathlib import Path

from flask import current_app

from app.core.permissions import Role
from app.modules.imports import services as imports
from tests.web.authz import Rule, World

DRAFT = b"# Documento importato\n\nPremessa.\n\n## Abitare\n\nTesto.\n"


def _in_test_folders(w: World) -> None:
    """Drafts and images go next to the test's database, not into the real instance."""
    base = Path(current_app.config["EXPORTS_DIR"]).parent
    current_app.config["IMPORTS_DIR"] = base / "imports"
    current_app.config["MEDIA_DIR"] = base / "media"


def _pending(w: World) -> None:
    """A draft uploaded by the workshop's facilitator: the only person it exists for."""
    _in_test_folders(w)
    facilitator = w.memberships[Role.FACILITATOR].person
    draft = imports.upload(facilitator, w.workshop, DRAFT, "bozza.md")
    w.extras["import_token"] = draft.token


def _workshop(w: World) -> dict:
    return {"workshop_id": w.workshop.id}


def _draft(w: World) -> dict:
    return {"workshop_id": w.workshop.id, "token": w.extras["import_token"]}


RULES = [
    Rule("imports.new", "GET", "facilitator", _workshop),
    Rule(
        "imports.upload",
        "POST",
        "facilitator",
        _workshop,
        data=lambda w: {"file": (io.BytesIO(DRAFT), "bozza.md"), "level": "2"},
        setup=_in_test_folders,
    ),
    Rule("imports.preview", "GET", "facilitator", _draft, setup=_pending),
    Rule(
        "imports.confirm",
        "POST",
        "facilitator",
        _draft,
        data=lambda w: {"title": "Documento importato", "level": "2"},
        setup=_pending,
    ),
    Rule("imports.cancel", "POST", "facilitator", _draft, setup=_pending),
]
