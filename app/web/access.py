"""Access checks shared by every view: load the object, find the acting person's
active membership, and refuse with 404 to outsiders (a workshop they are not invited
to does not exist for them) and 403 to members lacking the capability."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from flask import abort
from flask_login import current_user

from app.core.permissions import Capability, Role, can
from app.extensions import db
from app.modules.documents.models import Document, Section
from app.modules.people.models import Login, Membership, Person
from app.modules.people.services import entered_membership, entered_memberships
from app.modules.workshops.models import Workshop

T = TypeVar("T")


@dataclass(frozen=True)
class Access:
    person: Person
    membership: Membership

    @property
    def role(self) -> Role:
        return self.membership.role

    def can(self, capability: Capability) -> bool:
        return can(self.role, capability)


def require_member(workshop_id: int, capability: Capability = Capability.READ) -> Access:
    """Only a membership entered through this login counts: being the same person as a
    member (the same e-mail address) opens nothing."""
    if not current_user.is_authenticated:
        abort(401)
    membership = entered_membership(current_user, workshop_id)
    if membership is None:
        abort(404)
    if not can(membership.role, capability):
        abort(403)
    return Access(person=membership.person, membership=membership)


# Ids come from URLs: one beyond the database's integer range is simply not there.
MAX_ID = 2**63 - 1


def get_or_404(model: type[T], object_id: int) -> T:
    if not 0 < object_id <= MAX_ID:
        abort(404)
    return db.get_or_404(model, object_id)


def workshop_for(
    workshop_id: int, capability: Capability = Capability.READ
) -> tuple[Workshop, Access]:
    workshop = get_or_404(Workshop, workshop_id)
    return workshop, require_member(workshop.id, capability)


def document_for(
    document_id: int, capability: Capability = Capability.READ
) -> tuple[Document, Access]:
    document = get_or_404(Document, document_id)
    return document, require_member(document.workshop_id, capability)


def section_for(
    section_id: int, capability: Capability = Capability.READ
) -> tuple[Section, Access]:
    section = get_or_404(Section, section_id)
    return section, require_member(section.document.workshop_id, capability)


def facilitates_any(login: Login) -> bool:
    return any(m.role is Role.FACILITATOR for m in entered_memberships(login))


def may_create_workshops(login: Login) -> bool:
    """An organiser's login may, and so may anyone who already runs a workshop."""
    return login.organiser_id is not None or facilitates_any(login)
