"""Access checks shared by every view: load the object, find the acting person's
active membership, and refuse with 404 to outsiders (a workshop they are not invited
to does not exist for them) and 403 to members lacking the capability."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import Conflict

from app.core.permissions import Capability, Role, can, can_in_document
from app.extensions import db
from app.modules.documents.models import Document, Section
from app.modules.labs import services as labs
from app.modules.people.models import Login, Membership, Person
from app.modules.people.services import entered_membership, entered_memberships
from app.modules.workshops.models import Workshop, zone_of
from app.web.i18n import use_zone

T = TypeVar("T")


@dataclass(frozen=True)
class Access:
    person: Person
    membership: Membership
    # Whether the person leads the lab of the document the request is about.
    leads: bool = False

    @property
    def role(self) -> Role:
        return self.membership.role

    @property
    def moderating_role(self) -> Role:
        """The role services check for moderation in this document: a lab's lead acts
        there as its facilitator."""
        return Role.FACILITATOR if self.can(Capability.MODERATE) else self.role

    def can(self, capability: Capability) -> bool:
        return can_in_document(self.role, self.leads, capability)


def require_member(
    workshop_id: int, capability: Capability = Capability.READ, document_id: int | None = None
) -> Access:
    """Only a membership entered through this login counts: being the same person as a
    member (the same e-mail address) opens nothing. `document_id`: the document the
    request is about, which its lab's lead moderates."""
    if not current_user.is_authenticated:
        abort(401)
    membership = entered_membership(current_user, workshop_id)
    if membership is None:
        abort(404)
    # Asked of the database only where leading would add something: a facilitator
    # moderates every document anyway.
    leads = (
        document_id is not None
        and not can(membership.role, Capability.MODERATE)
        and labs.leads(membership, document_id)
    )
    access = Access(person=membership.person, membership=membership, leads=leads)
    if not access.can(capability):
        abort(403)
    use_zone(zone_of(membership.workshop))
    return access


# Ids come from URLs: one beyond the database's integer range is simply not there.
MAX_ID = 2**63 - 1


def get_or_404(model: type[T], object_id: int) -> T:
    if not 0 < object_id <= MAX_ID:
        abort(404)
    return db.get_or_404(model, object_id)


def workshop_for(
    workshop_id: int, capability: Capability = Capability.READ, adds_documents: bool = False
) -> tuple[Workshop, Access]:
    """`adds_documents`: the page creates or imports a document, which an archived
    workshop refuses like any change to its documents."""
    workshop = get_or_404(Workshop, workshop_id)
    access = require_member(workshop.id, capability)
    if adds_documents:
        _refuse_changes_if_archived(workshop, capability)
    return workshop, access


def document_for(
    document_id: int, capability: Capability = Capability.READ
) -> tuple[Document, Access]:
    document = get_or_404(Document, document_id)
    access = require_member(document.workshop_id, capability, document.id)
    _refuse_changes_if_archived(document.workshop, capability)
    return document, access


def section_for(
    section_id: int, capability: Capability = Capability.READ
) -> tuple[Section, Access]:
    section = get_or_404(Section, section_id)
    access = require_member(section.document.workshop_id, capability, section.document_id)
    _refuse_changes_if_archived(section.document.workshop, capability)
    return section, access


class WorkshopArchived(Conflict):
    """The documents of an archived workshop are read and exported, never changed."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Il tavolo è archiviato: i suoi documenti si possono leggere ed esportare, "
                "non modificare. I facilitatori possono ripristinarlo dalla pagina del tavolo."
            )
        )


def _refuse_changes_if_archived(workshop: Workshop, capability: Capability) -> None:
    """Every change to a document or a section asks for more than reading, with a
    POST; reading (pages, exports, the previews of what one types) stays open."""
    if workshop.archived and capability is not Capability.READ and request.method != "GET":
        raise WorkshopArchived()


def facilitates_any(login: Login) -> bool:
    return any(m.role is Role.FACILITATOR for m in entered_memberships(login))


def may_create_workshops(login: Login) -> bool:
    """An organiser's login may, and so may anyone who already runs a workshop."""
    return login.organiser_id is not None or facilitates_any(login)
