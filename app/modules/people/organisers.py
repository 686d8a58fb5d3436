"""Organisers: the people who may create workshops on this instance, and their personal
link. The first one is made on the computer that runs Tavolo (`tavolo init`), which
keeps their link in the instance folder so that `make run` can print it at every start.

An organiser's link enters a login that may create workshops and that reopens the
workshops created through an organiser's login of theirs; nothing else. Services take
the acting person where there is one; the caller commits."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import Select

from app.core.tokens import hash_token, new_token
from app.extensions import db
from app.modules.audit.services import record
from app.modules.people import services
from app.modules.people.models import Login, Membership, Organiser, Person
from app.modules.workshops.models import Workshop

# Beside instance/secret_key, and as secret: whoever reads it enters as the organiser.
LINK_FILE = "organiser_link"


@dataclass(frozen=True)
class SavedLink:
    """The organiser's link as the instance folder keeps it: the token, not the whole
    address, because the laptop's address changes from one room's network to the next."""

    email: str
    token: str


def make_organiser(name: str, email: str, organisation: str) -> tuple[Organiser, str]:
    """The person (found by e-mail, or new) becomes an organiser, with a new link."""
    person = services.find_or_create_person(name, email)
    organiser = organiser_of(person)
    if organiser is None:
        organiser = Organiser(person=person, organisation=organisation.strip())
        db.session.add(organiser)
    token = issue_token(organiser)
    db.session.flush()
    return organiser, token


def organiser_of(person: Person) -> Organiser | None:
    return db.session.execute(
        db.select(Organiser).where(Organiser.person_id == person.id)
    ).scalar_one_or_none()


def organiser_by_email(email: str) -> Organiser | None:
    return db.session.execute(
        db.select(Organiser).join(Person).where(Person.email == services.normalise_email(email))
    ).scalar_one_or_none()


def all_organisers() -> list[Organiser]:
    return list(db.session.scalars(db.select(Organiser).order_by(Organiser.id)))


def issue_token(organiser: Organiser) -> str:
    """A new link; the old one stops working at once (only the hash is kept)."""
    token = new_token()
    organiser.token_hash = hash_token(token)
    return token


def opens(organiser: Organiser, token: str) -> bool:
    return organiser.token_hash == hash_token(token)


def organiser_for_token(token: str) -> Organiser | None:
    return db.session.execute(
        db.select(Organiser).where(Organiser.token_hash == hash_token(token))
    ).scalar_one_or_none()


def entry_for_token(token: str) -> Organiser | Membership:
    """What a personal link opens: an organiser's entry or one membership. Raises
    services.InvitationError for a link that opens nothing."""
    return organiser_for_token(token) or services.membership_for_token(token)


def enter_with_token(token: str, current: Login | None) -> tuple[Login, Organiser | Membership]:
    """The login that opens what the link opens (see services.enter_with_token for a
    membership's link)."""
    organiser = organiser_for_token(token)
    if organiser is None:
        return services.enter_with_token(token, current)
    return _enter(organiser, current), organiser


def _enter(organiser: Organiser, current: Login | None) -> Login:
    """The login the organiser's link enters, holding the workshops they created as
    organiser. Not the memberships they were invited to: those were given by other
    people, each with its own link, and an e-mail address is no credential."""
    login = services.login_for(organiser.person, current)
    login.organiser = organiser
    for membership in organised_memberships(organiser):
        if membership not in login.memberships:
            login.memberships.append(membership)
    db.session.flush()
    return login


def organised_memberships(organiser: Organiser) -> list[Membership]:
    """The organiser's active memberships of the workshops created through their
    organiser's logins: whatever role they hold there now."""
    return list(
        db.session.scalars(
            db.select(Membership)
            .join(Workshop, Workshop.id == Membership.workshop_id)
            .where(
                Workshop.organiser_id == organiser.id,
                Membership.person_id == organiser.person_id,
                Membership.revoked_at.is_(None),
            )
            .order_by(Membership.id)
        )
    )


def link_url(token: str) -> str:
    return services.invitation_url(token)


def link_file() -> Path:
    return Path(current_app.instance_path) / LINK_FILE


def saved_link() -> SavedLink | None:
    """The link kept in the instance folder; a missing or damaged file keeps none."""
    try:
        data = json.loads(link_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    email, token = data.get("email"), data.get("token")
    if not isinstance(email, str) or not isinstance(token, str):
        return None
    return SavedLink(email, token)


def save_link(organiser: Organiser, token: str) -> None:
    """Written whole under another name and then renamed, readable by the owner only
    from its first byte: a crash leaves the old link or the new one, never half."""
    path = link_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump({"email": organiser.person.email, "token": token}, file)
    os.replace(temporary, path)


def renew(organiser: Organiser, continuing: Login | None = None) -> str:
    """A new link for the organiser. It is renewed mostly because the old one leaked, so
    every login entered through an organiser's link of theirs ends, except `continuing`:
    the one asking from the profile page, which goes on with the new link."""
    token = issue_token(organiser)
    ended = services.end_logins(_entered_as(organiser), continuing)
    record(
        organiser.person_id,
        "organiser.link_renewed",
        organiser,
        email=organiser.person.email,
        logins_ended=ended,
    )
    return token


def renew_link(login: Login, organiser: Organiser) -> tuple[str, bool]:
    """A new link for the organiser, asked for from `login`, and whether the instance
    folder keeps it: it does if it kept their old one, so that `make run` goes on
    printing the link that works."""
    saved = saved_link()
    keeps_theirs = saved is not None and opens(organiser, saved.token)
    token = renew(organiser, login)
    if keeps_theirs:
        save_link(organiser, token)
    return token, keeps_theirs


def revoke(organiser: Organiser) -> int:
    """The person is an organiser no more: their link and the logins entered through it
    end, and so does the link kept here if it is theirs. The memberships they hold stay,
    workshops they created included; each opens again through a personal link of its
    own. How many logins ended."""
    ended = services.end_logins(_entered_as(organiser), None)
    saved = saved_link()
    if saved is not None and services.normalise_email(saved.email) == organiser.person.email:
        link_file().unlink(missing_ok=True)
    record(None, "organiser.revoked", organiser, email=organiser.person.email, logins_ended=ended)
    # The workshops and logins that named them forget it (ON DELETE SET NULL).
    db.session.delete(organiser)
    db.session.flush()
    return ended


def _entered_as(organiser: Organiser) -> Select[tuple[Login]]:
    return db.select(Login).where(Login.organiser_id == organiser.id)
