from app.extensions import db
from app.modules.history import services as history
from app.modules.port import write_text
from app.modules.revisions.models import Revision
from tests.web.authz import Rule, World


def _version(w: World) -> None:
    w.extras["version"] = history.save_version(None, w.document, "mattina")
    db.session.flush()


def _typed(w: World) -> None:
    """Two revisions of the section: one to restore, one to compare it with."""
    author = w.memberships[next(iter(w.memberships))].person
    write_text(author, w.section, "Prima stesura.", "typed")
    write_text(author, w.section, "Seconda stesura.", "imported")
    w.extras["revisions"] = list(
        db.session.scalars(
            db.select(Revision.id).where(Revision.section_id == w.section.id).order_by(Revision.id)
        )
    )


def _document(w: World) -> dict[str, int]:
    return {"document_id": w.document.id}


def _section(w: World) -> dict[str, int]:
    return {"section_id": w.section.id}


RULES = [
    Rule("history.versions", "GET", "observer", _document, setup=_version),
    Rule(
        "history.save_version",
        "POST",
        "facilitator",
        _document,
        data=lambda w: {"name": "dopo Abitare"},
    ),
    Rule("history.document_links", "GET", "observer", _document),
    Rule(
        "history.compare",
        "GET",
        "observer",
        lambda w: {"document_id": w.document.id, "da": w.extras["version"].id, "a": "attuale"},
        setup=_version,
    ),
    Rule(
        "history.export_redline",
        "GET",
        "observer",
        lambda w: {"document_id": w.document.id, "fmt": "html", "da": w.extras["version"].id},
        setup=_version,
    ),
    Rule(
        "history.restore_version",
        "POST",
        "facilitator",
        lambda w: {"document_id": w.document.id, "version_id": w.extras["version"].id},
        setup=_version,
    ),
    Rule("history.section_history", "GET", "observer", _section, setup=_typed),
    Rule(
        "history.section_compare",
        "GET",
        "observer",
        lambda w: {
            "section_id": w.section.id,
            "da": w.extras["revisions"][0],
            "a": w.extras["revisions"][-1],
        },
        setup=_typed,
    ),
    Rule(
        "history.restore_revision",
        "POST",
        "facilitator",
        _section,
        data=lambda w: {"revision_id": w.extras["revisions"][0]},
        setup=_typed,
    ),
    Rule("history.authorship", "GET", "observer", _section, setup=_typed),
]
