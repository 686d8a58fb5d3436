from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core.permissions import Role
from app.extensions import db
from app.modules.audit.services import record
from app.modules.people.models import Login, Membership
from app.modules.people.services import entered_memberships
from app.modules.workshops.models import Workshop


@dataclass(frozen=True)
class WorkshopData:
    title: str
    place: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    promoters: str = ""


def create_workshop(login: Login | None, data: WorkshopData) -> Workshop:
    """The creator becomes the first facilitator, so a new workshop is never orphaned,
    and the login that created it opens it (the creator has no link to it yet). Made
    through an organiser's login, it belongs to that organiser: their link reopens it,
    and they appear with their organisation."""
    actor = login.person if login is not None else None
    organiser = login.organiser if login is not None else None
    workshop = Workshop(
        title=data.title.strip(),
        place=data.place.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        promoters=data.promoters.strip(),
        created_by=actor,
        organiser=organiser,
    )
    db.session.add(workshop)
    if login is not None:
        membership = Membership(
            workshop=workshop,
            person=actor,
            role=Role.FACILITATOR,
            organisation=organiser.organisation if organiser is not None else "",
        )
        db.session.add(membership)
        login.memberships.append(membership)
    db.session.flush()
    record(actor.id if actor else None, "workshop.created", workshop, workshop.id)
    return workshop


def workshops_of(login: Login) -> list[tuple[Workshop, Membership]]:
    """The workshops this login entered, not every workshop of the person: the others
    need their own links."""
    rows = [(m.workshop, m) for m in entered_memberships(login)]
    return sorted(rows, key=_newest_first, reverse=True)


def _newest_first(row: tuple[Workshop, Membership]) -> tuple[bool, dt.date, int]:
    workshop = row[0]
    return (workshop.starts_on is not None, workshop.starts_on or dt.date.min, workshop.id)
