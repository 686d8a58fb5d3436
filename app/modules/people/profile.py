"""A person's own page: their name, the organisation they represent wherever this login
reaches, and new personal links for what it reaches. Only what this login reaches: a
link grants one membership (or an organiser's entry), and so does the page it opens.
The caller commits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.core.invitations import N_, Message
from app.extensions import db
from app.modules.audit.services import record
from app.modules.people import organisers, services
from app.modules.people.models import Login, Membership, Organiser, login_membership

# The key of the organiser's own organisation among a login's places.
ORGANISER = "organiser"


class ProfileError(Exception):
    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Place:
    """Where this login shows the person beside an organisation: a workshop it entered,
    or, for an organiser, the workshops they will create."""

    key: str
    membership: Membership | None
    organisation: str


def places(login: Login) -> list[Place]:
    found = [Place(ORGANISER, None, login.organiser.organisation)] if login.organiser else []
    return found + [
        Place(str(m.id), m, m.organisation)
        for m in sorted(services.entered_memberships(login), key=lambda m: m.id)
    ]


def may_rename(login: Login) -> bool:
    """A name is the person's everywhere: in every workshop they belong to (or once
    belonged to) and, for an organiser, in the workshops they will create. Only a
    login that reaches all of those may change it; otherwise the link of one workshop,
    which whoever invited the person has seen, would change what other workshops show,
    and a revoked person what the workshop that let them go shows."""
    elsewhere = db.session.scalar(
        db.select(db.func.count(Membership.id)).where(
            Membership.person_id == login.person_id,
            db.or_(
                Membership.revoked_at.is_not(None),
                Membership.id.not_in(
                    db.select(login_membership.c.membership_id).where(
                        login_membership.c.login_id == login.id
                    )
                ),
            ),
        )
    )
    organiser = organisers.organiser_of(login.person)
    return not elsewhere and (organiser is None or login.organiser_id == organiser.id)


def update(login: Login, name: str, organisations: Mapping[str, str]) -> bool:
    """Sets the name and the organisation of each of the login's places named in
    `organisations`; the others stay. Whether anything changed."""
    changed = _rename(login, name.strip())
    for place in places(login):
        if place.key in organisations:
            changed |= _set_organisation(login, place, organisations[place.key].strip())
    return changed


def _rename(login: Login, name: str) -> bool:
    person = login.person
    if name == person.name:
        return False
    if not may_rename(login):
        raise ProfileError(
            Message(
                N_(
                    "Il tuo nome compare anche dove questo accesso non arriva (un altro tavolo, "
                    "o il tuo ruolo di organizzatore): per cambiarlo apri in questo browser anche "
                    "gli altri tuoi link personali, poi torna qui."
                )
            )
        )
    for membership in person.memberships:
        record(
            person.id,
            "member.updated",
            membership,
            membership.workshop_id,
            before={"name": person.name},
            after={"name": name},
        )
    person.name = name
    return True


def _set_organisation(login: Login, place: Place, organisation: str) -> bool:
    if organisation == place.organisation:
        return False
    if place.membership is None:
        assert login.organiser is not None  # only an organiser's login has that place
        login.organiser.organisation = organisation
        return True
    record(
        login.person_id,
        "member.updated",
        place.membership,
        place.membership.workshop_id,
        before={"organisation": place.organisation},
        after={"organisation": organisation},
    )
    place.membership.organisation = organisation
    return True


def entered(login: Login, membership_id: int) -> Membership | None:
    """One of the login's own active memberships; any other does not exist from here."""
    return next((m for m in services.entered_memberships(login) if m.id == membership_id), None)


@dataclass(frozen=True)
class OrganiserLink:
    organiser: Organiser
    url: str
    # Whether `make run` prints this one from now on (the instance folder kept the old).
    saved: bool


def new_organiser_link(login: Login) -> OrganiserLink:
    organiser = login.organiser
    if organiser is None:
        raise ProfileError(Message(N_("Questo accesso non è quello di un organizzatore.")))
    token, saved = organisers.renew_link(login, organiser)
    return OrganiserLink(organiser, organisers.link_url(token), saved)
