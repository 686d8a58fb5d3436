"""Assigning people to labs and naming their leads. A lab is one of the workshop's
documents; leading it lets a participant moderate that document as a facilitator would
(app/core/permissions.can_in_document), and nothing beyond it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.core.permissions import LEAD_ROLES
from app.extensions import db
from app.modules.audit.services import record
from app.modules.documents.models import Document
from app.modules.labs.models import LabAssignment
from app.modules.people.models import Membership, Person
from app.modules.workshops.models import Workshop


class LabError(Exception):
    """An assignment that cannot be made; the message is for people."""


def leads(membership: Membership, document_id: int) -> bool:
    return (
        db.session.scalar(
            db.select(LabAssignment.id).where(
                LabAssignment.membership_id == membership.id,
                LabAssignment.document_id == document_id,
                LabAssignment.leads.is_(True),
            )
        )
        is not None
    )


def assignments_of(workshop: Workshop) -> list[LabAssignment]:
    return list(
        db.session.scalars(
            db.select(LabAssignment)
            .join(Document, Document.id == LabAssignment.document_id)
            .where(Document.workshop_id == workshop.id)
            .order_by(LabAssignment.document_id, LabAssignment.id)
            # Every page that lists assignments names their people.
            .options(joinedload(LabAssignment.membership).joinedload(Membership.person))
        )
    )


def of_workshop(workshop: Workshop) -> dict[int, LabAssignment]:
    """Each member's lab, by membership id, as the members page lists them."""
    return {a.membership_id: a for a in assignments_of(workshop)}


def documents_by_title(workshop: Workshop) -> dict[str, Document]:
    """The workshop's documents by their exact title: what a list of invitations names
    (app/core/invitations finds the title people typed among these)."""
    return {d.title: d for d in workshop.documents}


def assign(
    actor: Person | None, membership: Membership, document: Document | None, lead: bool
) -> LabAssignment | None:
    """Puts a member in one lab (leaving the one they were in), or in none; `lead` makes
    them its lead. Assigning again the same way changes nothing."""
    if document is not None and document.workshop_id != membership.workshop_id:
        raise LabError(_("Scegli un documento di questo tavolo."))
    if document is not None and not membership.active:
        raise LabError(
            _(
                "L'accesso di %(name)s è revocato: per assegnare questa persona a un "
                "laboratorio, invitala di nuovo.",
                name=membership.person.name,
            )
        )
    if lead and document is None:
        raise LabError(_("Per condurre un laboratorio, scegli quale."))
    if lead and membership.role not in LEAD_ROLES:
        raise LabError(
            _(
                "Chi segue il tavolo come osservatore non conduce un laboratorio: "
                "cambia prima il suo ruolo in partecipante."
            )
        )
    current = _assignment_of(membership)
    if document is None:
        if current is not None:
            db.session.delete(current)
            _record(actor, membership, None, False)
        return None
    if current is None:
        current = LabAssignment(membership=membership, document=document, leads=lead)
        db.session.add(current)
    elif (current.document_id, current.leads) == (document.id, lead):
        return current
    current.document, current.leads = document, lead
    db.session.flush()
    _record(actor, membership, document, lead)
    return current


def _assignment_of(membership: Membership) -> LabAssignment | None:
    return db.session.scalar(
        db.select(LabAssignment).where(LabAssignment.membership_id == membership.id)
    )


def _record(
    actor: Person | None, membership: Membership, document: Document | None, lead: bool
) -> None:
    record(
        actor.id if actor else None,
        "lab.assigned",
        membership,
        membership.workshop_id,
        person=membership.person.name,
        lab=document.title if document else None,
        leads=lead,
    )
