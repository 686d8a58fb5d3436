from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core.permissions import Role
from app.extensions import db
from app.modules.audit.services import record
from app.modules.people.models import Membership, Person
from app.modules.workshops.models import Workshop


@dataclass(frozen=True)
class WorkshopData:
    title: str
    place: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    promoters: str = ""


def create_workshop(actor: Person | None, data: WorkshopData) -> Workshop:
    """The creator becomes the first facilitator, so a new workshop is never orphaned."""
    workshop = Workshop(
        title=data.title.strip(),
        place=data.place.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        promoters=data.promoters.strip(),
        created_by=actor,
    )
    db.session.add(workshop)
    if actor is not None:
        db.session.add(Membership(workshop=workshop, person=actor, role=Role.FACILITATOR))
    db.session.flush()
    record(actor.id if actor else None, "workshop.created", workshop, workshop.id)
    return workshop


def workshops_of(person: Person) -> list[tuple[Workshop, Membership]]:
    rows = db.session.execute(
        db.select(Workshop, Membership)
        .join(Membership, Membership.workshop_id == Workshop.id)
        .where(Membership.person_id == person.id, Membership.revoked_at.is_(None))
        .order_by(Workshop.starts_on.desc(), Workshop.id.desc())
    ).all()
    return [(row[0], row[1]) for row in rows]
