from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _

from app.core.permissions import Role
from app.extensions import db
from app.modules.audit.services import record
from app.modules.people.models import Login, Membership, Person
from app.modules.people.services import entered_memberships
from app.modules.timeutil import utcnow
from app.modules.workshops.models import Workshop, default_zone


@dataclass(frozen=True)
class WorkshopData:
    title: str
    place: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    promoters: str = ""
    # None: the instance's zone (TZ_NAME).
    time_zone: str | None = None


class WorkshopError(Exception):
    """A change the workshop's state does not allow; the message is for people."""


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
        time_zone=data.time_zone or default_zone(),
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


def update_workshop(actor: Person, workshop: Workshop, data: WorkshopData) -> None:
    """The log keeps what each changed field was and became: a date or a zone changed
    after the fact changes what every page and export says."""
    new = {
        "title": data.title.strip(),
        "place": data.place.strip(),
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "promoters": data.promoters.strip(),
        "time_zone": data.time_zone or workshop.time_zone,
    }
    changed = {
        key: f"{_logged(getattr(workshop, key))} → {_logged(value)}"
        for key, value in new.items()
        if getattr(workshop, key) != value
    }
    if not changed:
        return
    for key, value in new.items():
        setattr(workshop, key, value)
    record(actor.id, "workshop.updated", workshop, workshop.id, **changed)


def archive(actor: Person, workshop: Workshop) -> None:
    if workshop.archived:
        raise WorkshopError(_("Il tavolo è già archiviato."))
    workshop.archived_at = utcnow()
    record(actor.id, "workshop.archived", workshop, workshop.id)


def restore(actor: Person, workshop: Workshop) -> None:
    if not workshop.archived:
        raise WorkshopError(_("Il tavolo non è archiviato."))
    workshop.archived_at = None
    record(actor.id, "workshop.restored", workshop, workshop.id)


def _logged(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return f"«{value}»" if value else "—"


def workshops_of(login: Login, archived: bool = False) -> list[tuple[Workshop, Membership]]:
    """The workshops this login entered, not every workshop of the person: the others
    need their own links. Archived ones are listed apart (`archived`)."""
    rows = [(m.workshop, m) for m in entered_memberships(login) if m.workshop.archived is archived]
    return sorted(rows, key=_newest_first, reverse=True)


def _newest_first(row: tuple[Workshop, Membership]) -> tuple[bool, dt.date, int]:
    workshop = row[0]
    return (workshop.starts_on is not None, workshop.starts_on or dt.date.min, workshop.id)
