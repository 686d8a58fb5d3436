"""Exports of a document: which text is exported (`source_for`), the file made from it
(`export`, `render_to`), the list people see, and the seal of a frozen text.

The live text is `Section.body`, kept current by the live store. A named version comes
from the history feature (`versions`, `version_texts` of app.modules.history.services),
looked up when it is installed, so exports work without it."""

from __future__ import annotations

import hashlib
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from types import ModuleType

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.core import outline
from app.core.export import (
    PUBLIC_FORMATS,
    Annex,
    ColophonLabels,
    ExportOptions,
    ExportSource,
    Format,
    SourceSection,
    colophon_markdown,
    export_filename,
    text_sha256,
)
from app.core.footnotes import BodyNote
from app.core.permissions import DocumentStatus
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.audit.services import record
from app.modules.documents.models import Document, Section
from app.modules.exports import assembly, logos, renderer
from app.modules.exports.annexes import PROVIDERS
from app.modules.exports.models import Export
from app.modules.exports.notes import PROVIDERS as NOTE_PROVIDERS
from app.modules.exports.notes import NoteProvider, offered
from app.modules.people.models import Person
from app.modules.port import settle_document
from app.modules.timeutil import utcnow
from app.modules.workshops.models import zone_of
from app.web.i18n import in_zone, local_time, short_datetime

ExportError = renderer.ExportError
VERSION_NAME_MAX = 200


Item = tuple[str, int, str]  # title, level, Markdown body
# The same with the section's id; None for a text the caller passed, which no note
# provider knows.
Row = tuple[int | None, str, int, str]


def source_for(
    document: Document,
    version: str | None = None,
    annexes: Sequence[str] = (),
    colophon: bool = True,
    sections: Sequence[Item] | None = None,
    notes: Sequence[str] = (),
) -> ExportSource:
    """The text to export: `sections` when the caller already holds them, else the
    named version, else the document's current text (the live draft, or the frozen or
    published final text: the same rows, which nobody can change once frozen). `notes`:
    the keys of the note providers whose notes go with each section."""
    if sections is not None:
        rows: list[Row] = [(None, *item) for item in sections]
    else:
        rows = _version_items(document, version) if version else _live_items(document)
    tree = outline.build([(title, level) for _id, title, level, _body in rows], document.numbered)
    noted = _notes(document, version, notes)
    numbered = tuple(
        SourceSection(
            number=entry.number,
            title=title,
            depth=entry.depth,
            body=body,
            notes=tuple(noted.get(section_id, ())) if section_id is not None else (),
        )
        for (section_id, title, _level, body), entry in zip(rows, tree.entries, strict=True)
    )
    workshop = document.workshop
    now = utcnow()
    with force_locale(document.language):
        parts = [_annex(key, document) for key in annexes]
        chosen = [a for a in parts if a is not None]
        if colophon:
            chosen.append(_colophon(version, now, text_sha256(numbered)))
    return ExportSource(
        document_id=document.id,
        title=document.title,
        subtitle=document.subtitle,
        language=document.language,
        workshop_title=workshop.title,
        place=workshop.place,
        starts_on=workshop.starts_on,
        ends_on=workshop.ends_on,
        promoters=tuple(workshop.promoter_list),
        sections=numbered,
        status=document.status.value,
        version_name=version,
        created_at=now,
        annexes=tuple(chosen),
        logos=logos.cover_logos(document),
    )


def _live_items(document: Document) -> list[Row]:
    """Every acknowledged keystroke included (which commits). Read from the database
    rather than from loaded objects: the live store writes `Section.body` with
    statements that do not refresh what the session holds."""
    settle_document(document.id)
    rows = db.session.execute(
        db.select(Section.id, Section.title, Section.level, Section.body)
        .where(Section.document_id == document.id)
        .order_by(Section.position)
    ).all()
    return [(row.id, row.title, row.level, row.body) for row in rows]


def _history() -> ModuleType | None:
    try:
        return import_module("app.modules.history.services")
    except ImportError:
        return None


def versions_available() -> bool:
    return _history() is not None


def version_names(document: Document) -> list[str]:
    """Names of the document's saved versions, newest first, each once."""
    history = _history()
    if history is None:
        return []
    return list(dict.fromkeys(v.name for v in history.versions(document)))


def _version_items(document: Document, name: str) -> list[Row]:
    """The newest version with that name (names may repeat: "dopo la pausa")."""
    history = _history()
    if history is None:
        raise ExportError(_("Le versioni con nome non sono ancora disponibili in Tavolo."))
    found = next((v for v in history.versions(document) if v.name == name), None)
    if found is None:
        raise ExportError(_("Il documento non ha una versione chiamata «%(name)s».", name=name))
    return [(text.id, text.title, text.level, text.body) for text in history.version_texts(found)]


def _annex(key: str, document: Document) -> Annex | None:
    provider = PROVIDERS.get(key)
    if provider is None:
        raise ExportError(_("Allegato sconosciuto: %(key)s.", key=key))
    body = provider.build(document)
    return Annex(key=key, title=provider.title(), body=body) if body else None


def _notes(
    document: Document, version: str | None, keys: Sequence[str]
) -> dict[int, list[BodyNote]]:
    found: dict[int, list[BodyNote]] = {}
    for key in keys:
        provider = NOTE_PROVIDERS.get(key)
        if provider is None:
            raise ExportError(_("Note sconosciute: %(key)s.", key=key))
        for section_id, section_notes in provider.build(document, version).items():
            found.setdefault(section_id, []).extend(section_notes)
    return found


def notes_offered(document: Document) -> list[NoteProvider]:
    return offered(document)


def _colophon(version: str | None, when: object, sha: str) -> Annex:
    labels = ColophonLabels(
        version=_("Versione"),
        live_text=_("testo corrente, senza nome di versione"),
        date=_("Data dell'esportazione"),
        sha=_("Impronta SHA-256 del testo"),
        note=_(
            "L'impronta è calcolata sul testo delle sezioni (numero, titolo e testo in "
            "Markdown), senza copertina né allegati: la stessa per il PDF, il DOCX e gli "
            "altri formati dello stesso testo, e ricalcolabile dall'esportazione Markdown."
        ),
    )
    return Annex(
        key="colophon",
        title=_("Colophon"),
        body=colophon_markdown(version, short_datetime(when), sha, labels),
    )


def options_from(
    fmt: str,
    annexes: Sequence[str] = (),
    archival: bool = False,
    tagged: bool = True,
    notes: Sequence[str] = (),
) -> ExportOptions:
    """The Markdown export takes no notes: it is the text as written, the one whose seal
    the colophon states and anyone can compute again."""
    try:
        chosen = Format(fmt)
    except ValueError as error:
        raise ExportError(
            _("Formato sconosciuto: scegli tra %(names)s.", names=", ".join(f for f in Format))
        ) from error
    unknown = set(annexes) - set(PROVIDERS)
    if unknown:
        raise ExportError(_("Allegato sconosciuto: %(key)s.", key=", ".join(sorted(unknown))))
    unknown = set(notes) - set(NOTE_PROVIDERS)
    if unknown:
        raise ExportError(_("Note sconosciute: %(key)s.", key=", ".join(sorted(unknown))))
    return ExportOptions(
        format=chosen,
        annexes=frozenset(annexes),
        notes=frozenset(notes) if chosen is not Format.MARKDOWN else frozenset(),
        pdf_archival=archival,
        pdf_tagged=tagged,
    )


def render_to(source: ExportSource, options: ExportOptions, output: Path) -> None:
    """Writes the file at `output`, whole or not at all."""
    fmt = options.format
    if fmt in (Format.MARKDOWN, Format.HTML):
        text = (
            assembly.markdown_text(source)
            if fmt is Format.MARKDOWN
            else assembly.print_html(source, options, standalone=True)
        )
        _write_whole(output, text.encode("utf-8"))
        return
    job = (
        assembly.pdf_job(source, options) if fmt is Format.PDF else assembly.pandoc_job(source, fmt)
    )
    refused = renderer.run(
        job,
        output,
        time_limit=float(current_app.config["EXPORT_TIME_LIMIT"]),
        memory_mb=int(current_app.config["EXPORT_MEMORY_LIMIT_MB"]),
        concurrency=int(current_app.config["EXPORT_CONCURRENCY"]),
    )
    for url in refused:
        current_app.logger.warning("Export of document %s: refused %s", source.document_id, url)


def page_pdf(html: str, gone: Callable[[], bool]) -> bytes:
    """A standalone page (styles and images inline, nothing to fetch) as a PDF, made by
    the exports' worker with their limits and sharing their slots: the comparison of two
    versions and the invitation sheet ran WeasyPrint inside the server, with no limit (a
    comparison ran for 25 minutes) and as many at once as were asked for. A page that
    asks for anything (a file, an address) is refused whole; `gone` stops the render
    when the person who asked has left (see `renderer.run`)."""
    job = {"renderer": "weasyprint", "html": html, "roots": {}, "base_url": "http://pagina"}
    folder = exports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".page-") as workdir:
        output = Path(workdir) / "page.pdf"
        refused = renderer.run(
            {**job, "pdf_tags": True},
            output,
            time_limit=float(current_app.config["EXPORT_TIME_LIMIT"]),
            memory_mb=int(current_app.config["EXPORT_MEMORY_LIMIT_MB"]),
            concurrency=int(current_app.config["EXPORT_CONCURRENCY"]),
            gone=gone,
        )
        if refused:
            # Only a template of ours could ask: it must fail loudly, not print without it.
            raise ExportError(
                _(
                    "La pagina richiede una risorsa esterna (%(url)s): PDF non prodotto.",
                    url=refused[0],
                )
            )
        return output.read_bytes()


def _write_whole(output: Path, data: bytes) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.part")
    partial.write_bytes(data)
    partial.replace(output)


def export(
    actor: Person | None,
    document: Document,
    options: ExportOptions,
    version: str | None = None,
) -> Export:
    """Renders the document into the exports folder and records who exported what. An
    export of a frozen or published text also records its seal in the audit log. Its
    dates (cover, colophon, file name) are those of the workshop's zone, whoever asks:
    the worker that renders it gets them already written."""
    with in_zone(zone_of(document.workshop)):
        return _export(actor, document, options, version)


def _export(
    actor: Person | None, document: Document, options: ExportOptions, version: str | None
) -> Export:
    version = (version or "").strip() or None
    if version and len(version) > VERSION_NAME_MAX:
        raise ExportError(_("Il nome della versione supera i %(n)d caratteri.", n=VERSION_NAME_MAX))
    source = source_for(
        document, version, sorted(options.annexes), options.colophon, notes=sorted(options.notes)
    )
    name = export_filename(
        document.id,
        document.title,
        version,
        local_time(source.created_at),
        options.format,
        _taken(),
    )
    output = exports_dir() / name
    render_to(source, options, output)
    data = output.read_bytes()
    row = Export(
        document=document,
        format=options.format.value,
        version_name=version,
        document_status=document.status.value,
        options={
            "annexes": sorted(options.annexes),
            "notes": sorted(options.notes),
            "pdf_archival": options.pdf_archival,
            "pdf_tagged": options.pdf_tagged,
        },
        file_name=name,
        file_sha256=hashlib.sha256(data).hexdigest(),
        text_sha256=source.text_sha256,
        size=len(data),
        person=actor,
    )
    db.session.add(row)
    db.session.flush()
    sealed = document.status is not DocumentStatus.DRAFT and version is None
    record(
        actor.id if actor else None,
        "document.exported",
        document,
        document.workshop_id,
        export_id=row.id,
        format=row.format,
        version=version,
        file_sha256=row.file_sha256,
        text_sha256=row.text_sha256 if sealed else None,
    )
    return row


def _taken() -> set[str]:
    folder = exports_dir()
    on_disk = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    return on_disk | set(db.session.execute(db.select(Export.file_name)).scalars())


def exports_dir() -> Path:
    return Path(current_app.config["EXPORTS_DIR"])


def file_of(export_row: Export) -> Path | None:
    path = exports_dir() / export_row.file_name
    return path if path.is_file() else None


def seal(actor: Person | None, document: Document) -> str:
    """Freezing records the SHA-256 of the text that was frozen: whatever file is
    later made of it can be checked against this line of the audit log."""
    sha = source_for(document, colophon=False).text_sha256
    record(
        actor.id if actor else None,
        "document.sealed",
        document,
        document.workshop_id,
        text_sha256=sha,
    )
    return sha


def exports_of(document: Document, person: Person | None = None) -> list[Export]:
    """Newest first; `person` narrows the list to that person's own exports."""
    query = db.select(Export).where(Export.document_id == document.id)
    if person is not None:
        query = query.where(Export.person_id == person.id)
    return list(db.session.execute(query.order_by(Export.id.desc())).scalars())


def public_exports(document: Document) -> dict[Format, Export]:
    """The newest PDF and DOCX of the final text: an export made while the document
    was frozen or published, of the text it has now (no named version)."""
    if document.status is not DocumentStatus.PUBLISHED:
        return {}
    final = _published_text_sha(document)
    found: dict[Format, Export] = {}
    for row in exports_of(document):
        fmt = Format(row.format)
        if (
            fmt in PUBLIC_FORMATS
            and fmt not in found
            and row.version_name is None
            and row.document_status != DocumentStatus.DRAFT.value
            and row.text_sha256 == final
            and file_of(row) is not None
        ):
            found[fmt] = row
    return found


# The fingerprint of each published text, by its publication and the state of its
# sections (Document.sections_stamp): the public page asks for it at every reader.
_PUBLISHED_SHAS: OrderedDict[tuple[object, ...], str] = OrderedDict()
_PUBLISHED_SHAS_KEPT = 256
_PUBLISHED_SHAS_LOCK = threading.Lock()


def _published_text_sha(document: Document) -> str:
    key = (document.id, document.published_at, *document.sections_stamp())
    with _PUBLISHED_SHAS_LOCK:
        found = _PUBLISHED_SHAS.get(key)
    if found is not None:
        return found
    sha = source_for(document, colophon=False).text_sha256
    with _PUBLISHED_SHAS_LOCK:
        _PUBLISHED_SHAS[key] = sha
        while len(_PUBLISHED_SHAS) > _PUBLISHED_SHAS_KEPT:
            _PUBLISHED_SHAS.popitem(last=False)
    return sha


def sealed_sha(document: Document) -> str | None:
    """The seal shown on the public page: the SHA-256 recorded when the document was
    last frozen (a published document cannot be changed after that)."""
    event = db.session.execute(
        db.select(AuditEvent)
        .where(
            AuditEvent.object_type == "document",
            AuditEvent.object_id == document.id,
            AuditEvent.action == "document.sealed",
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return event.details.get("text_sha256") if event else None
