"""A draft that arrives as a file becomes a document: upload (checked and converted,
nothing saved yet), preview at a chosen split level, then confirm or cancel. The
command line does the same in one step, with the same checks and limits."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from app.core.importing import (
    MEDIA_NAME,
    Kind,
    SplitSection,
    display_name,
    first_heading,
    rewrite_images,
    split_sections,
    title_from_filename,
)
from app.core.invitations import N_, Message
from app.core.outline import MAX_LEVEL
from app.extensions import db
from app.modules.audit.services import record
from app.modules.documents.models import Document, Section
from app.modules.documents.services import TITLE_MAX
from app.modules.imports import pending as store
from app.modules.imports.conversion import MEDIA_REF, ImportRefused, Limits, convert, too_big
from app.modules.imports.pending import Pending
from app.modules.media import services as media
from app.modules.people.models import Person
from app.modules.workshops.models import Workshop

LEVELS = tuple(range(1, MAX_LEVEL + 1))

__all__ = ["LEVELS", "ImportRefused", "Pending", "cancel", "confirm", "find", "upload"]


def imports_dir() -> Path:
    configured = current_app.config.get("IMPORTS_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "imports"


def limits() -> Limits:
    return Limits.from_config(current_app.config)


def _max_age() -> float:
    return float(current_app.config["IMPORT_PENDING_SECONDS"])


def upload(actor: Person, workshop: Workshop, data: bytes, filename: str) -> Pending:
    """Converts the file and keeps the result for the preview; a refused file leaves
    nothing behind."""
    root = imports_dir()
    store.sweep(root, _max_age())
    token, folder = store.new_folder(root)
    try:
        converted = convert(data, limits(), folder)
        title = (
            first_heading(converted.markdown)
            or title_from_filename(filename)
            or _("Documento importato")
        )
        pending = Pending(
            token=token,
            folder=folder,
            person_id=actor.id,
            workshop_id=workshop.id,
            created=time.time(),
            source_name=display_name(filename),
            kind=converted.kind,
            title=title[:TITLE_MAX],
            images=converted.images,
            dropped=converted.dropped,
        )
        store.save(pending, converted.markdown)
    except BaseException:
        store.discard(folder)
        raise
    return pending


def find(actor: Person, workshop: Workshop, token: str) -> Pending | None:
    """Someone else's upload, or one for another workshop, does not exist from here."""
    root = imports_dir()
    store.sweep(root, _max_age())
    found = store.load(root, token, _max_age())
    if found is None or found.person_id != actor.id or found.workshop_id != workshop.id:
        return None
    return found


def plan(markdown: str, level: int) -> list[SplitSection]:
    return split_sections(
        markdown, level, intro_title=_("Premessa"), untitled=_("Senza titolo"), title_max=TITLE_MAX
    )


def confirm(actor: Person, workshop: Workshop, draft: Pending, title: str, level: int) -> Document:
    document = create_document(
        actor,
        workshop,
        title,
        level,
        draft.markdown,
        images={name: draft.media / name for name in draft.images},
        source_name=draft.source_name,
        kind=draft.kind,
    )
    store.discard(draft.folder)
    return document


def cancel(draft: Pending) -> None:
    store.discard(draft.folder)


def import_file(
    actor: Person | None,
    workshop: Workshop,
    path: Path,
    level: int,
    title: str | None = None,
) -> Document:
    """The command line's import: the same checks and limits, without a preview. The
    size is checked before the file is read."""
    checks = limits()
    if path.stat().st_size > checks.max_bytes:
        raise too_big(checks)
    root = imports_dir()
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".cli-") as workdir:
        converted = convert(path.read_bytes(), checks, Path(workdir))
        return create_document(
            actor,
            workshop,
            title or first_heading(converted.markdown) or title_from_filename(path.name),
            level,
            converted.markdown,
            images={name: Path(workdir) / "media" / name for name in converted.images},
            source_name=display_name(path.name),
            kind=converted.kind,
        )


def _require_short_sections(parts: list[SplitSection]) -> None:
    limit = current_app.config["SECTION_MAX_BYTES"]
    for part in parts:
        if len(part.body.encode()) > limit:
            raise ImportRefused(
                Message(
                    N_(
                        "La sezione «%(title)s» supera la lunghezza massima di una sezione "
                        "(%(kb)d KB): scegli un livello di titoli più basso per dividere "
                        "il documento in sezioni più brevi."
                    ),
                    {"title": part.title, "kb": limit // 1024},
                )
            )


def create_document(
    actor: Person | None,
    workshop: Workshop,
    title: str,
    level: int,
    markdown: str,
    *,
    images: dict[str, Path],
    source_name: str,
    kind: Kind,
) -> Document:
    """The document and all its sections in one transaction, each section's text in
    Section.body (live editing starts from it). Images move to the document's media
    folder and its address."""
    title = title.strip()
    if not title:
        raise ImportRefused(Message(N_("Il titolo non può essere vuoto.")))
    if len(title) > TITLE_MAX:
        raise ImportRefused(Message(N_("Il titolo supera i %(n)d caratteri."), {"n": TITLE_MAX}))
    if level not in LEVELS:
        raise ImportRefused(Message(N_("Il livello va da 1 a %(n)d."), {"n": MAX_LEVEL}))
    parts = plan(markdown, level)
    _require_short_sections(parts)
    document = Document(workshop=workshop, title=title, language="it")
    db.session.add(document)
    for position, part in enumerate(parts):
        document.sections.append(
            Section(position=position, title=part.title, level=part.level, body=part.body)
        )
    db.session.flush()
    used: set[str] = set()

    def _final(alt: str, src: str) -> str | None:
        name = src.removeprefix(MEDIA_REF)
        if src == name or name not in images or not MEDIA_NAME.match(name):
            return None
        used.add(name)
        return f"![{alt}]({media.media_url(document.id, name)})"

    for section in document.sections:
        section.body = rewrite_images(section.body, _final)
    for name in sorted(used):
        media.store(document.id, name, images[name].read_bytes())
    record(
        actor.id if actor else None,
        "document.imported",
        document,
        workshop.id,
        file=source_name,
        format=kind.value,
        split_level=level,
        sections=len(document.sections),
        images=len(used),
    )
    return document
