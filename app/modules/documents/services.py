from __future__ import annotations

from flask_babel import gettext as _

from app.extensions import db
from app.modules.audit.services import record
from app.modules.documents.models import Document, Section
from app.modules.people.models import Person
from app.modules.workshops.models import Workshop


class DocumentError(Exception):
    """A request about documents that cannot be carried out; the message is for people."""


def create_document(
    actor: Person | None, workshop: Workshop, title: str, template_name: str | None = None
) -> Document:
    if not title.strip():
        raise DocumentError(_("Il titolo del documento non può essere vuoto."))
    document = Document(workshop=workshop, title=title.strip(), template_name=template_name)
    db.session.add(document)
    db.session.add(Section(document=document, position=0, title=_("Introduzione")))
    db.session.flush()
    record(actor.id if actor else None, "document.created", document, workshop.id)
    return document
