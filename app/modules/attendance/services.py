"""Attendance: a facilitator marks who is in the room, or each person marks themselves by
opening the room's code with their phone, already logged in. The day is the room's (the
workshop's clock), so a workshop of two days has two registers."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.core import attendance
from app.core.permissions import Capability, can
from app.extensions import db
from app.modules.attendance.models import Presence, RoomCode
from app.modules.audit.services import record
from app.modules.people.models import Membership
from app.modules.timeutil import utcnow
from app.modules.workshops.models import Workshop, zone_of

ARRIVAL_PATH = "/workshops/{workshop_id}/arrivo/{code}"


class AttendanceError(Exception):
    """A change refused; the message is for people."""


def day_of(workshop: Workshop, now: dt.datetime) -> dt.date:
    return attendance.day_in(now, zone_of(workshop))


def present_on(workshop: Workshop, day: dt.date) -> dict[int, Presence]:
    """The day's presences by membership id."""
    rows = db.session.scalars(
        db.select(Presence)
        .join(Membership, Membership.id == Presence.membership_id)
        .where(Membership.workshop_id == workshop.id, Presence.day == day)
    )
    return {row.membership_id: row for row in rows}


def ever_present(workshop: Workshop) -> set[int] | None:
    """The memberships present on at least one day; None while nobody was ever marked
    (the workshop does not keep a register, and nobody is to be called absent)."""
    rows = set(
        db.session.scalars(
            db.select(Presence.membership_id)
            .join(Membership, Membership.id == Presence.membership_id)
            .where(Membership.workshop_id == workshop.id)
        )
    )
    return rows or None


def set_present(
    actor: Membership, member: Membership, present: bool, now: dt.datetime
) -> Presence | None:
    """A facilitator's mark, for today; taking it back removes the day's presence."""
    if not can(actor.role, Capability.MANAGE) or actor.workshop_id != member.workshop_id:
        raise AttendanceError(_("Solo i facilitatori del tavolo segnano le presenze."))
    day = day_of(member.workshop, now)
    found: Presence | None = None
    if present:
        found = _arrived(member, day, now, marked_by=actor)
    else:
        db.session.execute(
            db.delete(Presence).where(Presence.membership_id == member.id, Presence.day == day)
        )
    record(
        actor.person_id,
        "member.presence_marked" if present else "member.presence_removed",
        member,
        member.workshop_id,
        day=day.isoformat(),
    )
    return found


def room_code(workshop: Workshop) -> str:
    """The code the room shows today: opened by a member already logged in, it marks
    them present and does nothing else (no credential: a login is needed first)."""
    found = db.session.get(RoomCode, workshop.id)
    generation = found.generation if found else 0
    return attendance.room_code(_secret(), workshop.id, generation)


def renew_room_code(actor: Membership, workshop: Workshop) -> str:
    found = db.session.get(RoomCode, workshop.id)
    if found is None:
        found = RoomCode(workshop_id=workshop.id, generation=0)
        db.session.add(found)
    found.generation += 1
    found.renewed_at = utcnow()
    db.session.flush()
    record(actor.person_id, "workshop.room_code_renewed", workshop, workshop.id)
    return room_code(workshop)


def arrival_url(workshop: Workshop) -> str:
    """Built on BASE_URL, as invitation links are: phones reach the laptop by its
    network address."""
    path = ARRIVAL_PATH.format(workshop_id=workshop.id, code=room_code(workshop))
    return current_app.config["BASE_URL"] + path


def valid_code(workshop: Workshop, code: str) -> bool:
    return attendance.same_code(code, room_code(workshop))


def _secret() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode()


def check_in(member: Membership, code: str, now: dt.datetime) -> Presence:
    """The person marks themselves present with the room's code; again on the same day,
    the first arrival stands."""
    if not valid_code(member.workshop, code):
        raise AttendanceError(
            _("Questo codice non è quello della sala: inquadra il codice esposto oggi.")
        )
    return _arrived(member, day_of(member.workshop, now), now, marked_by=None)


def _arrived(
    member: Membership, day: dt.date, now: dt.datetime, marked_by: Membership | None
) -> Presence:
    """The day's presence, made once: a second tap on the phone, or the facilitator and
    the person at the same moment, find the first one. The first change of its
    transaction, so that the other's arrival undoes nothing else."""
    found = present_on(member.workshop, day).get(member.id)
    if found is not None:
        return found
    found = Presence(
        membership=member,
        day=day,
        arrived_at=now,
        marked_by_id=marked_by.id if marked_by else None,
    )
    db.session.add(found)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        found = present_on(member.workshop, day)[member.id]
    return found
