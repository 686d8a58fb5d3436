"""The logos on the cover of the exported PDF: the promoters' marks, uploaded by a
facilitator. They are media files of the document (named by their content, served and
fetched like the text's own images), listed in order by `DocumentLogo` rows."""

from __future__ import annotations

import hashlib

from flask_babel import gettext as _

from app.core.export import CoverLogo
from app.core.importing import image_extension, media_name
from app.extensions import db
from app.modules.audit.services import record
from app.modules.documents.models import Document, Section
from app.modules.exports.models import DocumentLogo
from app.modules.media import services as media
from app.modules.people.models import Person

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_COUNT = 6
ALT_MAX = 200
# PNG and JPEG only, recognised by their first bytes. SVG is refused whatever its name:
# it is a program as much as a picture (scripts, links to other files and addresses),
# and a cover has no need of it.
LOGO_TYPES = frozenset({"png", "jpg"})


class LogoError(Exception):
    """A logo that cannot be added; the message is for people."""


def logos_of(document: Document) -> list[DocumentLogo]:
    return list(
        db.session.execute(
            db.select(DocumentLogo)
            .where(DocumentLogo.document_id == document.id)
            .order_by(DocumentLogo.position, DocumentLogo.id)
        ).scalars()
    )


def cover_logos(document: Document) -> tuple[CoverLogo, ...]:
    return tuple(CoverLogo(row.file_name, row.alt) for row in logos_of(document))


def add_logo(actor: Person, document: Document, data: bytes, alt: str) -> DocumentLogo:
    """Every check comes before the file is stored: a refused logo leaves nothing."""
    alt = alt.strip()
    current = logos_of(document)
    extension = _checked(data, alt, len(current))
    name = media_name(hashlib.sha256(data).hexdigest(), extension)
    media.store(document.id, name, data)
    row = DocumentLogo(
        document_id=document.id,
        file_name=name,
        alt=alt,
        position=max((logo.position for logo in current), default=-1) + 1,
    )
    db.session.add(row)
    db.session.flush()
    record(
        actor.id,
        "document.logo_added",
        document,
        document.workshop_id,
        logo_id=row.id,
        file_name=name,
        alt=alt,
    )
    return row


def _checked(data: bytes, alt: str, count: int) -> str:
    """The file's extension, once the logo passed every check."""
    if count >= LOGO_MAX_COUNT:
        raise LogoError(
            _(
                "La copertina ha già %(n)d loghi, il massimo: togline uno prima di "
                "aggiungerne un altro.",
                n=LOGO_MAX_COUNT,
            )
        )
    if not alt:
        raise LogoError(_("Scrivi il nome dell'organizzazione del logo."))
    if len(alt) > ALT_MAX:
        raise LogoError(_("Il nome dell'organizzazione supera i %(n)d caratteri.", n=ALT_MAX))
    if len(data) > LOGO_MAX_BYTES:
        raise LogoError(
            _(
                "Il logo supera il limite di %(mb)d MB: salvalo più piccolo e riprova.",
                mb=LOGO_MAX_BYTES // (1024 * 1024),
            )
        )
    extension = image_extension(data)
    if extension is None or extension not in LOGO_TYPES:
        raise LogoError(
            _(
                "Il logo deve essere un'immagine PNG o JPEG. Gli SVG e gli altri formati "
                "non sono accettati: esporta il logo in PNG e riprova."
            )
        )
    return extension


def remove_logo(actor: Person, logo: DocumentLogo) -> None:
    """The file goes too, unless another logo or the text of the document shows it."""
    document = db.session.get_one(Document, logo.document_id)
    name = logo.file_name
    db.session.delete(logo)
    db.session.flush()
    record(
        actor.id,
        "document.logo_removed",
        document,
        document.workshop_id,
        logo_id=logo.id,
        file_name=name,
        alt=logo.alt,
    )
    if not _still_used(document, name):
        (media.document_dir(document.id) / name).unlink(missing_ok=True)


def _still_used(document: Document, name: str) -> bool:
    by_logo = db.select(DocumentLogo.id).where(
        DocumentLogo.document_id == document.id, DocumentLogo.file_name == name
    )
    by_text = db.select(Section.id).where(
        Section.document_id == document.id, Section.body.contains(name)
    )
    return (
        db.session.execute(by_logo.limit(1)).first() is not None
        or db.session.execute(by_text.limit(1)).first() is not None
    )


def move_logo(logo: DocumentLogo, offset: int) -> None:
    """One place earlier (-1) or later (+1) in the row; the first and last stay put."""
    order = logos_of(db.session.get_one(Document, logo.document_id))
    index = order.index(logo)
    order.insert(min(max(index + offset, 0), len(order) - 1), order.pop(index))
    for position, row in enumerate(order):
        row.position = position
