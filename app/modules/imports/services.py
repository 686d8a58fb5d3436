"""A draft that arrives as a file becomes a document: upload (checked and converted,
nothing saved yet), preview at a chosen split level, then confirm or cancel. The
command line does the same in one step, with the same checks and limits."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from app.core.import_plan import LEVELS
from app.core.importing import (
    MEDIA_NAME,
    Kind,
    display_name,
    rewrite_images,
    title_from_filename,
)
from app.core.invitations import N_, Message
from app.core.outline import MAX_LEVEL
from app.core.splitting import SplitSection
from app.extensions import db
from app.modules.audit.services import record
from app.modules.documents.models import Document, Section
from app.modules.documents.services import TITLE_MAX
from app.modules.imports import pending as store
from app.modules.imports.conversion import MEDIA_REF, ImportRefused, Limits, convert, too_big
from app.modules.imports.pending import Pending
from app.modules.imports.planning import analyse, final_sections
from app.modules.media import services as media
from app.modules.people.models import Person
from app.modules.workshops.models import Workshop

UNEXPECTED = N_(
    "Il documento non si è potuto importare per un errore imprevisto: non è stato salvato "
    "nulla. Riprova; se succede ancora, avvisa chi gestisce Tavolo."
)

log = logging.getLogger(__name__)

__all__ = [
    "LEVELS",
    "ImportRefused",
    "Numbers",
    "Pending",
    "cancel",
    "confirm",
    "find",
    "upload",
]


class Numbers(StrEnum):
    """Who numbers the sections of a file whose titles are numbered already."""

    FILE = "file"  # the titles stay as they are; Tavolo adds no numbers
    TAVOLO = "tavolo"  # the file's numbers leave the titles; Tavolo numbers

    @classmethod
    def read(cls, value: object) -> Numbers:
        """What a form or an address asked for; keeping the file as it is otherwise."""
        return next((n for n in cls if n.value == value), cls.FILE)


@contextmanager
def _guarded() -> Iterator[None]:
    """A failure nobody foresaw still reaches the person as a sentence, never as a
    traceback; the details go to the server's log."""
    try:
        yield
    except ImportRefused:
        raise
    except Exception as error:
        log.exception("Import failed unexpectedly")
        raise ImportRefused(Message(UNEXPECTED), 500) from error


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
    with _guarded():
        root = imports_dir()
        store.sweep(root, _max_age())
        token, folder = store.new_folder(root)
    try:
        with _guarded():
            checks = limits()
            converted = convert(data, checks, folder)
            # Whatever the text holds, it is read now, in a worker, while the person is
            # still on the upload page; the preview shows what was read.
            analysis = analyse(converted.markdown, converted.title, checks)
            pending = Pending(
                token=token,
                folder=folder,
                person_id=actor.id,
                workshop_id=workshop.id,
                created=time.time(),
                source_name=display_name(filename),
                kind=converted.kind,
                title=_title(analysis.title, filename),
                images=converted.images,
                dropped=converted.dropped,
            )
            store.save(pending, analysis)
    except BaseException:
        store.discard(folder)
        raise
    return pending


def _title(found: str | None, filename: str) -> str:
    """The file's own title, else its name: never its first chapter."""
    return (found or title_from_filename(filename) or _("Documento importato"))[:TITLE_MAX]


def find(actor: Person, workshop: Workshop, token: str) -> Pending | None:
    """Someone else's upload, or one for another workshop, does not exist from here."""
    root = imports_dir()
    store.sweep(root, _max_age())
    found = store.load(root, token, _max_age())
    if found is None or found.person_id != actor.id or found.workshop_id != workshop.id:
        return None
    return found


def confirm(
    actor: Person,
    workshop: Workshop,
    draft: Pending,
    title: str,
    level: int,
    numbers: Numbers = Numbers.FILE,
) -> Document:
    with _guarded():
        document = create_document(
            actor,
            workshop,
            title,
            level,
            draft.markdown,
            images={name: draft.media / name for name in draft.images},
            source_name=draft.source_name,
            kind=draft.kind,
            numbers=numbers,
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
    numbers: Numbers = Numbers.FILE,
) -> Document:
    """The command line's import: the same checks and limits, without a preview. The
    size is checked before the file is read."""
    checks = limits()
    data = _read(path, checks)
    with _guarded():
        root = imports_dir()
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=root, prefix=".cli-") as workdir:
            converted = convert(data, checks, Path(workdir))
            analysis = analyse(converted.markdown, converted.title, checks)
            return create_document(
                actor,
                workshop,
                title or _title(analysis.title, path.name),
                level,
                analysis.markdown,
                images={name: Path(workdir) / "media" / name for name in converted.images},
                source_name=display_name(path.name),
                kind=converted.kind,
                numbers=numbers,
            )


def _read(path: Path, checks: Limits) -> bytes:
    name = display_name(str(path))
    try:
        if path.is_dir():
            raise ImportRefused(
                Message(N_("«%(name)s» è una cartella, non un file."), {"name": name})
            )
        if path.stat().st_size > checks.max_bytes:
            raise too_big(checks)
        return path.read_bytes()
    except FileNotFoundError as error:
        raise ImportRefused(
            Message(N_("Il file «%(name)s» non esiste."), {"name": name})
        ) from error
    except PermissionError as error:
        raise ImportRefused(
            Message(N_("Non c'è il permesso di leggere il file «%(name)s»."), {"name": name})
        ) from error
    except OSError as error:
        raise ImportRefused(
            Message(N_("Il file «%(name)s» non si riesce a leggere."), {"name": name})
        ) from error


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
    numbers: Numbers = Numbers.FILE,
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
    parts, numbered = final_sections(markdown, level, numbers is Numbers.TAVOLO, limits())
    _require_short_sections(parts)
    document = Document(workshop=workshop, title=title, language="it", numbered=numbered)
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
        numbered=numbered,
        sections=len(document.sections),
        images=len(used),
    )
    return document
