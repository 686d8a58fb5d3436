"""A converted draft waiting for the facilitator's confirmation, kept on the server in
<IMPORTS_DIR>/<random id>/ (never in the cookie: a converted document easily exceeds
what a cookie holds, and its images would not fit at all). It belongs to the person who
uploaded it, for one workshop, and is removed on confirm, on cancel, or an hour later."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from app.core.import_plan import Analysis
from app.core.importing import Kind
from app.modules.imports.planning import analysis_from

TOKEN = re.compile(r"^[A-Za-z0-9_-]{24}$")
META = "meta.json"
MARKDOWN = "document.md"
PLAN = "plan.json"  # what the preview shows, read once by the worker at the upload


@dataclass(frozen=True)
class Pending:
    token: str
    folder: Path
    person_id: int
    workshop_id: int
    created: float
    source_name: str
    kind: Kind
    title: str
    images: tuple[str, ...]
    dropped: int

    @property
    def markdown(self) -> str:
        return (self.folder / MARKDOWN).read_text(encoding="utf-8")

    @property
    def analysis(self) -> Analysis:
        found = json.loads((self.folder / PLAN).read_text(encoding="utf-8"))
        return analysis_from({**found, "markdown": self.markdown})

    @property
    def media(self) -> Path:
        return self.folder / "media"


def new_folder(root: Path) -> tuple[str, Path]:
    root.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(18)
    folder = root / token
    folder.mkdir()
    return token, folder


def save(pending: Pending, analysis: Analysis) -> None:
    (pending.folder / MARKDOWN).write_text(analysis.markdown, encoding="utf-8")
    found = asdict(analysis)
    found.pop("markdown")
    (pending.folder / PLAN).write_text(json.dumps(found), encoding="utf-8")
    meta = asdict(pending)
    meta.pop("folder")
    (pending.folder / META).write_text(json.dumps(meta), encoding="utf-8")


def load(root: Path, token: str, max_age: float) -> Pending | None:
    if not TOKEN.match(token):
        return None
    folder = root / token
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (folder / PLAN).is_file():  # uploaded before the preview was read in a worker
        return None
    pending = Pending(
        **{
            **meta,
            "folder": folder,
            "kind": Kind(meta["kind"]),
            "images": tuple(meta["images"]),
        }
    )
    if time.time() - pending.created > max_age:
        discard(folder)
        return None
    return pending


def discard(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def sweep(root: Path, max_age: float) -> None:
    """Drafts nobody confirmed, and folders left by a conversion the server did not
    finish (it was stopped mid-way): judged by the folder's age."""
    if not root.is_dir():
        return
    limit = time.time() - max_age
    for folder in root.iterdir():
        if TOKEN.match(folder.name) and folder.stat().st_mtime < limit:
            discard(folder)
