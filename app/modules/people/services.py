"""Invitations and memberships. Services take the acting person and never read the
request; the caller commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import gettext as _

from app.core.permissions import Role
from app.core.tokens import hash_token, new_token
from app.extensions import db
from app.modules.audit.services import record
from app.modules.people.models import Membership, Person
from app.modules.timeutil import utcnow
from app.modules.workshops.models import Workshop


class InvitationError(Exception):
    """An invitation link that cannot be used; the message is shown to the person."""


@dataclass(frozen=True)
class Invitee:
    name: str
    email: str
    organisation: str = ""
    category: str = ""
    role: Role = Role.PARTICIPANT


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_or_create_person(name: str, email: str) -> Person:
    email = normalise_email(email)
    person = db.session.execute(db.select(Person).where(Person.email == email)).scalar_one_or_none()
    if person is None:
        person = Person(name=name.strip(), email=email)
        db.session.add(person)
        db.session.flush()
    return person


def invitation_url(token: str) -> str:
    return current_app.config["BASE_URL"] + url_for("people.enter", token=token)


def issue_token(membership: Membership) -> str:
    """A fresh link for a membership. The old one stops working: only the hash is kept,
    so the only way to give someone their link again is to make a new one."""
    token = new_token()
    membership.token_hash = hash_token(token)
    membership.token_expires_at = utcnow() + dt.timedelta(
        days=current_app.config["INVITATION_DAYS"]
    )
    return token


def invite(actor: Person | None, workshop: Workshop, invitee: Invitee) -> tuple[Membership, str]:
    """Adds the person to the workshop (or updates and re-activates their membership)
    and returns it with a new invitation token."""
    person = find_or_create_person(invitee.name, invitee.email)
    membership = db.session.execute(
        db.select(Membership).where(
            Membership.workshop_id == workshop.id, Membership.person_id == person.id
        )
    ).scalar_one_or_none()
    if membership is None:
        membership = Membership(workshop=workshop, person=person)
        db.session.add(membership)
    membership.role = invitee.role
    membership.organisation = invitee.organisation.strip()
    membership.category = invitee.category.strip()
    membership.revoked_at = None
    token = issue_token(membership)
    db.session.flush()
    record(actor.id if actor else None, "member.invited", membership, workshop.id,
           email=person.email, role=invitee.role.value)
    return membership, token


def revoke(actor: Person | None, membership: Membership) -> None:
    membership.revoked_at = utcnow()
    membership.token_hash = None
    record(actor.id if actor else None, "member.revoked", membership, membership.workshop_id,
           email=membership.person.email)


def change_role(actor: Person, membership: Membership, role: Role) -> None:
    previous = membership.role
    membership.role = role
    record(actor.id, "member.role_changed", membership, membership.workshop_id,
           before=previous.value, after=role.value)


def membership_for_token(token: str) -> Membership:
    membership = db.session.execute(
        db.select(Membership).where(Membership.token_hash == hash_token(token))
    ).scalar_one_or_none()
    if membership is None or membership.revoked_at is not None:
        raise InvitationError(_("Questo link di invito non è valido o è stato revocato."))
    if membership.token_expires_at is not None and membership.token_expires_at < utcnow():
        raise InvitationError(
            _("Questo link di invito è scaduto. Chiedi ai facilitatori un nuovo link.")
        )
    return membership


def enter_with_token(token: str) -> Membership:
    membership = membership_for_token(token)
    membership.last_seen_at = utcnow()
    return membership


def members_of(workshop: Workshop) -> list[Membership]:
    return sorted(
        workshop.memberships,
        key=lambda m: (m.revoked_at is not None, m.organisation.lower(), m.person.name.lower()),
    )
