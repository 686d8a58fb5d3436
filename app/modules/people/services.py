"""Invitations and memberships. Services take the acting person and never read the
request; the caller commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select

from app.core import invitations
from app.core.invitations import (
    N_,
    ExistingMember,
    Invitee,
    Message,
    ParseResult,
    RowStatus,
)
from app.core.permissions import Role
from app.core.tokens import hash_token, new_token
from app.extensions import db
from app.modules.audit.services import record, refused
from app.modules.labs import services as labs
from app.modules.people.models import Login, Membership, Person, login_membership
from app.modules.timeutil import utcnow
from app.modules.workshops.models import Workshop

__all__ = ["Invitee"]


class InvitationError(Exception):
    """An invitation link that cannot be used; the message is shown to the person.
    `membership` is the one the link was made for, when it is known (revoked, expired)."""

    def __init__(self, message: str, membership: Membership | None = None) -> None:
        super().__init__(message)
        self.membership = membership


class MembershipError(Exception):
    """A change to a membership that cannot be made. The message is a core Message, so
    the page translates it and the command line prints it without a request."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


class ImportRejected(Exception):
    """The list changed or went bad between the preview and the confirmation."""

    def __init__(self, result: ParseResult) -> None:
        super().__init__("import rejected")
        self.result = result


@dataclass(frozen=True)
class IssuedLink:
    """A membership with the link just made for it: shown once, never stored."""

    membership: Membership
    url: str


@dataclass(frozen=True)
class ImportOutcome:
    links: list[IssuedLink]
    updated: int


def normalise_email(email: str) -> str:
    return invitations.normalise_email(email)


def find_or_create_person(name: str, email: str) -> Person:
    email = normalise_email(email)
    person = db.session.execute(db.select(Person).where(Person.email == email)).scalar_one_or_none()
    if person is None:
        person = Person(name=name.strip(), email=email)
        db.session.add(person)
        db.session.flush()
    return person


# Where a personal link leads: the page that asks to enter (people.views).
ENTER_PATH = "/i/"


def invitation_url(token: str) -> str:
    """Built on BASE_URL, never on the request: links are made from the command line
    too, where there is no request and no page is registered, and are opened on phones
    in the room, which reach the laptop by its network address rather than by
    localhost. Tokens are URL-safe as they are (app.core.tokens)."""
    return current_app.config["BASE_URL"] + ENTER_PATH + token


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
    membership = _membership_of(workshop, person)
    if membership is None:
        membership = Membership(workshop=workshop, person=person)
        db.session.add(membership)
    membership.role = invitee.role
    membership.organisation = invitee.organisation.strip()
    membership.category = invitee.category.strip()
    if membership.revoked_at is not None:
        _forget_logins(membership)
        membership.revoked_at = None
    token = issue_token(membership)
    db.session.flush()
    record(actor.id if actor else None, "member.invited", membership, workshop.id,
           email=person.email, role=invitee.role.value)
    return membership, token


def _membership_of(workshop: Workshop, person: Person) -> Membership | None:
    return db.session.execute(
        db.select(Membership).where(
            Membership.workshop_id == workshop.id, Membership.person_id == person.id
        )
    ).scalar_one_or_none()


def _active_facilitators(workshop_id: int) -> int:
    return db.session.scalar(
        db.select(db.func.count(Membership.id)).where(
            Membership.workshop_id == workshop_id,
            Membership.role == Role.FACILITATOR,
            Membership.revoked_at.is_(None),
        )
    ) or 0


def _keep_a_facilitator(actor: Person | None, membership: Membership, own: Message) -> None:
    """A workshop without an active facilitator can no longer be managed from the
    browser, so its last facilitator can neither leave nor step down."""
    if (
        membership.role is not Role.FACILITATOR
        or membership.revoked_at is not None
        or _active_facilitators(membership.workshop_id) > 1
    ):
        return
    if actor is not None and actor.id == membership.person_id:
        raise MembershipError(own)
    raise MembershipError(Message(
        N_("%(name)s è l'unico facilitatore attivo di questo tavolo: prima nomina "
           "facilitatore un'altra persona."),
        {"name": membership.person.name},
    ))


def revoke(actor: Person | None, membership: Membership) -> None:
    if membership.revoked_at is not None:
        return
    _keep_a_facilitator(actor, membership, Message(
        N_("Sei l'unico facilitatore attivo di questo tavolo: prima nomina facilitatore "
           "un'altra persona, poi potrai revocare il tuo accesso.")
    ))
    membership.revoked_at = utcnow()
    membership.token_hash = None
    record(actor.id if actor else None, "member.revoked", membership, membership.workshop_id,
           email=membership.person.email)


def change_role(actor: Person, membership: Membership, role: Role) -> None:
    if role is not Role.FACILITATOR:
        _keep_a_facilitator(actor, membership, Message(
            N_("Sei l'unico facilitatore attivo di questo tavolo: prima nomina facilitatore "
               "un'altra persona, poi potrai cambiare il tuo ruolo.")
        ))
    previous = membership.role
    membership.role = role
    record(actor.id, "member.role_changed", membership, membership.workshop_id,
           before=previous.value, after=role.value)


def new_link(actor: Person, membership: Membership, continuing: Login | None = None) -> IssuedLink:
    """A revoked person cannot enter with any link, so making one would only mislead.
    A link is renewed mostly because the old one leaked, so every login entered through
    it ends, except `continuing`: the one asking, which goes on with the new link."""
    if membership.revoked_at is not None:
        raise MembershipError(Message(
            N_("L'accesso di %(name)s è revocato: per riammettere questa persona, "
               "invitala di nuovo dall'elenco degli inviti."),
            {"name": membership.person.name},
        ))
    token = issue_token(membership)
    ended = end_logins(_holding(membership), continuing)
    record(actor.id, "member.link_issued", membership, membership.workshop_id,
           email=membership.person.email, logins_ended=ended)
    return IssuedLink(membership, invitation_url(token))


def issue_sheet(
    actor: Person, workshop: Workshop, memberships: Sequence[Membership], file_format: str
) -> list[IssuedLink]:
    """Fresh links for a printed sheet. Each selected person's previous link stops
    working: tokens are kept only as hashes, so a link cannot be printed twice."""
    revoked = [m for m in memberships if m.revoked_at is not None]
    if revoked:
        raise MembershipError(Message(
            N_("L'accesso di %(name)s è revocato: togli questa persona dalla selezione."),
            {"name": revoked[0].person.name},
        ))
    links = [IssuedLink(m, invitation_url(issue_token(m))) for m in sorted(memberships, key=_order)]
    record(actor.id, "invitation_sheet.generated", workshop, workshop.id,
           format=file_format, membership_ids=[m.id for m in memberships])
    return links


def existing_members(workshop: Workshop) -> dict[str, ExistingMember]:
    return {
        m.person.email: ExistingMember(m.role, m.organisation, m.category, m.active)
        for m in workshop.memberships
    }


def check_import(workshop: Workshop, text: str) -> ParseResult:
    return invitations.parse_invitations(
        text, existing_members(workshop), labs.documents_by_title(workshop)
    )


def import_members(actor: Person, workshop: Workshop, text: str) -> ImportOutcome:
    """Checks the list again (the preview was another request, and the workshop may have
    changed since) and applies all of it or nothing. People already active keep their
    link; new and re-admitted people get one. A row that names a lab puts its person
    there (app/modules/labs), leading it if the row says so."""
    result = check_import(workshop, text)
    if not result.ok:
        raise ImportRejected(result)
    documents = labs.documents_by_title(workshop)
    links: list[IssuedLink] = []
    for row in result.rows:
        assert row.invitee is not None  # a result that is ok has an invitee on every row
        if row.status is RowStatus.UPDATE:
            membership = _update(actor, workshop, row.invitee)
        else:
            membership, token = invite(actor, workshop, row.invitee)
            links.append(IssuedLink(membership, invitation_url(token)))
        if row.lab is not None:
            # The parser found the title among these and checked the role: nothing left
            # for labs.assign to refuse.
            labs.assign(actor, membership, documents[row.lab.title], row.lab.leads)
    record(actor.id, "members.imported", workshop, workshop.id,
           invited=len(links), updated=result.count(RowStatus.UPDATE))
    return ImportOutcome(links, updated=result.count(RowStatus.UPDATE))


def _update(actor: Person, workshop: Workshop, invitee: Invitee) -> Membership:
    membership = db.session.execute(
        db.select(Membership).join(Person).where(
            Membership.workshop_id == workshop.id, Person.email == invitee.email
        )
    ).scalar_one()
    before = {"role": membership.role.value, "organisation": membership.organisation,
              "category": membership.category}
    membership.role = invitee.role
    membership.organisation = invitee.organisation
    membership.category = invitee.category
    after = {"role": invitee.role.value, "organisation": invitee.organisation,
             "category": invitee.category}
    if after != before:
        record(actor.id, "member.updated", membership, workshop.id, before=before, after=after)
    return membership


def membership_for_token(token: str) -> Membership:
    membership = db.session.execute(
        db.select(Membership).where(Membership.token_hash == hash_token(token))
    ).scalar_one_or_none()
    if membership is None or membership.revoked_at is not None:
        raise InvitationError(
            _("Questo link di invito non è valido o è stato revocato."), membership
        )
    if membership.token_expires_at is not None and membership.token_expires_at < utcnow():
        raise InvitationError(
            _("Questo link di invito è scaduto. Chiedi ai facilitatori un nuovo link."),
            membership,
        )
    return membership


def record_refused_link(error: InvitationError) -> None:
    """A revoked or expired link that was tried goes into its workshop's audit log (an
    unknown one has no workshop to go to; the rate limit answers those)."""
    membership = error.membership
    if membership is not None:
        refused(membership.person_id, membership.workshop_id, "link: " + str(error))


def enter_with_token(token: str, current: Login | None) -> tuple[Login, Membership]:
    """The login that opens the link's membership. The same person keeps their login
    and gains the membership (one browser, two workshops of theirs); anyone else's login
    in this browser ends first, so a link never adds to what another person had open."""
    membership = membership_for_token(token)
    membership.last_seen_at = utcnow()
    login = login_for(membership.person, current)
    if membership not in login.memberships:
        login.memberships.append(membership)
    db.session.flush()
    return login, membership


def login_for(person: Person, current: Login | None) -> Login:
    """The login a personal link of `person` enters: theirs if they are already in
    this browser, otherwise a new one, after ending anyone else's."""
    if current is not None and current.person_id == person.id:
        return current
    if current is not None:
        end_login(current)
    return _new_login(person)


def _new_login(person: Person) -> Login:
    key = new_token()
    login = Login(
        key_hash=hash_token(key),
        person=person,
        expires_at=utcnow() + dt.timedelta(seconds=current_app.config["LOGIN_LIFETIME"]),
    )
    login.key = key
    db.session.add(login)
    return login


def login_for_key(key: str) -> Login | None:
    """The live login a cookie names; an ended or expired one is no login at all."""
    login = db.session.execute(
        db.select(Login).where(
            Login.key_hash == hash_token(key), Login.ended_at.is_(None), Login.expires_at > utcnow()
        )
    ).scalar_one_or_none()
    if login is not None:
        login.key = key
    return login


# Where the session keeps the ids of the logins ended since its last commit.
ENDED_LOGINS = "tavolo.ended_logins"


def end_login(login: Login) -> None:
    """The login's live connections in this process are closed once the end is
    committed (app.realtime), so that a reconnection finds it ended."""
    if login.ended_at is None:
        login.ended_at = utcnow()
        if login.id is not None:
            db.session.info.setdefault(ENDED_LOGINS, set()).add(login.id)


def end_logins(query: Select[tuple[Login]], continuing: Login | None) -> int:
    """Ends the open logins `query` selects, except `continuing`; how many ended."""
    now = utcnow()
    ended = 0
    for login in db.session.scalars(query.where(Login.ended_at.is_(None), Login.expires_at > now)):
        if continuing is None or login.id != continuing.id:
            end_login(login)
            ended += 1
    return ended


def _holding(membership: Membership) -> Select[tuple[Login]]:
    """The logins a link of the membership was opened in. Not the logins of the
    organiser's link that created its workshop, which reach the membership through
    that link, not through this one."""
    query = db.select(Login).join(
        login_membership, login_membership.c.login_id == Login.id
    ).where(login_membership.c.membership_id == membership.id)
    organiser_id = membership.workshop.organiser_id
    if organiser_id is None:
        return query
    return query.where(db.or_(Login.organiser_id.is_(None), Login.organiser_id != organiser_id))


def entered_membership(login: Login, workshop_id: int) -> Membership | None:
    """The active membership of the workshop that was entered through this login."""
    return db.session.execute(
        db.select(Membership)
        .join(login_membership, login_membership.c.membership_id == Membership.id)
        .where(
            login_membership.c.login_id == login.id,
            Membership.workshop_id == workshop_id,
            Membership.revoked_at.is_(None),
        )
    ).scalar_one_or_none()


def entered_memberships(login: Login) -> list[Membership]:
    return [m for m in login.memberships if m.revoked_at is None]


def _forget_logins(membership: Membership) -> None:
    """A re-admitted person enters again with their new link: logins that held the
    membership before its revocation must not come back to life with it."""
    db.session.execute(
        login_membership.delete().where(login_membership.c.membership_id == membership.id)
    )


def _order(m: Membership) -> tuple[bool, str, str]:
    """Active people first, then by organisation: how a room reads a list of guests."""
    return (m.revoked_at is not None, m.organisation.lower(), m.person.name.lower())


def members_of(workshop: Workshop) -> list[Membership]:
    return sorted(workshop.memberships, key=_order)
