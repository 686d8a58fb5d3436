"""A workshop's agenda: sessions added, extended and removed by its facilitators, and
the automatic openings and lockings of their sections, applied by whichever server
process gets there first. The rules are in app/core/agenda.py; here they meet the
database, the audit trail and the sections' states."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import and_, or_, update

from app.core import agenda
from app.core.agenda import Action, Automation, Problem, Slot
from app.core.permissions import DocumentStatus, SectionState
from app.extensions import db
from app.modules.agenda.models import AgendaSession
from app.modules.audit.services import record
from app.modules.documents import services as documents
from app.modules.documents.models import Document, Section
from app.modules.people.models import Membership, Person
from app.modules.workshops.models import Workshop, zone_of

TITLE_MAX = 300
ROOM_MAX = 120


class AgendaError(Exception):
    """A change to the agenda that cannot be made; the message is for people."""


def _zone(workshop: Workshop) -> ZoneInfo:
    return ZoneInfo(zone_of(workshop))


def to_utc(workshop: Workshop, local: dt.datetime) -> dt.datetime:
    return local.replace(tzinfo=_zone(workshop)).astimezone(dt.UTC).replace(tzinfo=None)


def to_local(workshop: Workshop, moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC).astimezone(_zone(workshop)).replace(tzinfo=None)


@dataclass(frozen=True)
class SessionData:
    """What a facilitator types, with the times as the room's clock shows them."""

    title: str
    day: dt.date
    start: dt.time
    end: dt.time
    room: str = ""
    facilitator_id: int | None = None
    section_ids: Sequence[int] = field(default_factory=tuple)
    open_at_start: bool = False
    lock_at_end: bool = False


def sessions_of(workshop: Workshop) -> list[AgendaSession]:
    return list(
        db.session.execute(
            db.select(AgendaSession)
            .where(AgendaSession.workshop_id == workshop.id)
            .order_by(AgendaSession.starts_at, AgendaSession.room, AgendaSession.id)
        ).scalars()
    )


@dataclass(frozen=True)
class Day:
    date: dt.date
    sessions: list[AgendaSession]


def days_of(workshop: Workshop) -> list[Day]:
    """The sessions by the local date of their start, in order."""
    days: dict[dt.date, list[AgendaSession]] = {}
    for session in sessions_of(workshop):
        days.setdefault(to_local(workshop, session.starts_at).date(), []).append(session)
    return [Day(date, sessions) for date, sessions in days.items()]


def sessions_on(workshop: Workshop, now: dt.datetime) -> list[AgendaSession]:
    """The sessions of the day `now` falls in, on the room's clock."""
    today = to_local(workshop, now).date()
    return [s for s in sessions_of(workshop) if to_local(workshop, s.starts_at).date() == today]


def current_sessions(workshop: Workshop, now: dt.datetime) -> list[AgendaSession]:
    sessions = {s.id: s for s in sessions_of(workshop)}
    return [sessions[slot.id] for slot in agenda.current([s.slot for s in sessions.values()], now)]  # type: ignore[index]


def document_sessions(document: Document) -> list[tuple[int, AgendaSession]]:
    """The sessions working on the document's sections, each with its number in its
    day ("Sessione 2" is the second of its day in the whole programme)."""
    found = []
    for day in days_of(document.workshop):
        for number, session in enumerate(day.sessions, start=1):
            if any(section.document_id == document.id for section in session.sections):
                found.append((number, session))
    return found


def facilitator_choices(workshop: Workshop) -> list[Membership]:
    return [m for m in workshop.memberships if m.active]


def section_choices(workshop: Workshop) -> list[Section]:
    return [section for document in workshop.documents for section in document.sections]


@dataclass(frozen=True)
class _Checked:
    title: str
    room: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    facilitator: Membership | None
    sections: list[Section]


def _checked(workshop: Workshop, data: SessionData, session_id: int | None) -> _Checked:
    title, room = data.title.strip(), " ".join(data.room.split())
    if not title:
        raise AgendaError(_("Scrivi il titolo della sessione."))
    if len(title) > TITLE_MAX:
        raise AgendaError(_("Il titolo supera i %(n)d caratteri.", n=TITLE_MAX))
    if len(room) > ROOM_MAX:
        raise AgendaError(_("Il nome della sala supera i %(n)d caratteri.", n=ROOM_MAX))
    starts_at = to_utc(workshop, dt.datetime.combine(data.day, data.start))
    ends_at = to_utc(workshop, dt.datetime.combine(data.day, data.end))
    _check_fit(workshop, Slot(session_id, starts_at, ends_at, room))
    return _Checked(
        title,
        room,
        starts_at,
        ends_at,
        _facilitator(workshop, data.facilitator_id),
        _sections(workshop, data.section_ids),
    )


def create_session(
    actor: Person | None, workshop: Workshop, data: SessionData, now: dt.datetime
) -> AgendaSession:
    checked = _checked(workshop, data, None)
    session = AgendaSession(
        workshop=workshop,
        title=checked.title,
        room=checked.room,
        starts_at=checked.starts_at,
        ends_at=checked.ends_at,
        facilitator=checked.facilitator,
        sections=checked.sections,
        open_at_start=data.open_at_start,
        lock_at_end=data.lock_at_end,
    )
    _over_is_over(session, now)
    db.session.add(session)
    db.session.flush()
    record(
        actor.id if actor else None,
        "agenda.session_created",
        session,
        workshop.id,
        **_summary(session),
    )
    return session


def update_session(
    actor: Person | None, session: AgendaSession, data: SessionData, now: dt.datetime
) -> AgendaSession:
    """A session moved to a time still to come gets its automatic transitions again."""
    checked = _checked(session.workshop, data, session.id)
    before = _summary(session)
    session.title, session.room = checked.title, checked.room
    session.starts_at, session.ends_at = checked.starts_at, checked.ends_at
    session.facilitator, session.sections = checked.facilitator, checked.sections
    session.open_at_start, session.lock_at_end = data.open_at_start, data.lock_at_end
    if now < session.starts_at:
        session.opened_at = None
    if now < session.ends_at:
        session.locked_at = None
    _over_is_over(session, now)
    after = _summary(session)
    changed = {key for key in after if after[key] != before.get(key)}
    record(
        actor.id if actor else None,
        "agenda.session_updated",
        session,
        session.workshop_id,
        title=session.title,
        before="; ".join(f"{k}: {before[k]}" for k in sorted(changed) if before.get(k)) or None,
        after="; ".join(f"{k}: {after[k]}" for k in sorted(changed) if after.get(k)) or None,
    )
    return session


def _over_is_over(session: AgendaSession, now: dt.datetime) -> None:
    """A session entered (or moved) after its end opens and locks nothing: the state of
    its sections now is for the facilitators to decide, not for a time gone by."""
    if now >= session.ends_at:
        session.opened_at = session.opened_at or now
        session.locked_at = session.locked_at or now


def _summary(session: AgendaSession) -> dict[str, str | None]:
    workshop = session.workshop
    return {
        "title": session.title,
        "room": session.room or None,
        "start": _local_text(workshop, session.starts_at),
        "end": _local_text(workshop, session.ends_at),
        "sections": ", ".join(s.title for s in session.sections) or None,
    }


def delete_session(actor: Person | None, session: AgendaSession) -> None:
    record(
        actor.id if actor else None,
        "agenda.session_deleted",
        session,
        session.workshop_id,
        title=session.title,
    )
    db.session.delete(session)


def extend(
    actor: Person | None, session: AgendaSession, minutes: int, now: dt.datetime
) -> AgendaSession:
    """Moves the end, and with it the warning and the automatic locking, later."""
    if minutes not in agenda.EXTENSIONS_MINUTES:
        raise AgendaError(_("Si può prolungare di 5 o di 10 minuti."))
    if session.locked_at is not None or now >= session.ends_at:
        raise AgendaError(_("La sessione è già finita: non si può più prolungare."))
    others = [s.slot for s in sessions_of(session.workshop)]
    longer = agenda.extended(session.slot, minutes, others)
    if isinstance(longer, Problem):
        raise AgendaError(_problem_message(longer))
    before = session.ends_at
    session.ends_at = longer.end
    record(
        actor.id if actor else None,
        "agenda.session_extended",
        session,
        session.workshop_id,
        title=session.title,
        minutes=minutes,
        before=_local_text(session.workshop, before),
        after=_local_text(session.workshop, session.ends_at),
    )
    return session


@dataclass(frozen=True)
class Applied:
    """A transition this process applied: the sections whose state it changed."""

    session_id: int
    action: Action
    sections: list[Section]


def apply_due(now: dt.datetime) -> list[Applied]:
    """Applies the openings and lockings due at `now`, each exactly once however many
    processes run it: a conditional update claims a transition, and only the process
    whose update changed the row applies it. The caller commits, then notifies."""
    candidates = db.session.execute(
        db.select(AgendaSession).where(
            or_(
                and_(
                    AgendaSession.open_at_start.is_(True),
                    AgendaSession.opened_at.is_(None),
                    AgendaSession.starts_at <= now,
                    AgendaSession.ends_at > now,
                ),
                and_(
                    AgendaSession.lock_at_end.is_(True),
                    AgendaSession.locked_at.is_(None),
                    AgendaSession.ends_at <= now,
                ),
            )
        )
    ).scalars()
    sessions = {s.id: s for s in candidates}
    automations = [
        Automation(s.slot, s.open_at_start, s.lock_at_end, s.opened_at, s.locked_at)
        for s in sessions.values()
    ]
    applied = []
    for session_id, action in agenda.due(automations, now):
        if _claim(session_id, action, now):
            applied.append(_apply(sessions[session_id], action))
    return applied


def _claim(session_id: int, action: Action, now: dt.datetime) -> bool:
    # The end is checked again: an extension committed since the query moves it.
    if action is Action.OPEN:
        claim = (
            update(AgendaSession)
            .where(
                AgendaSession.id == session_id,
                AgendaSession.opened_at.is_(None),
                AgendaSession.ends_at > now,
            )
            .values(opened_at=now)
        )
    else:
        claim = (
            update(AgendaSession)
            .where(
                AgendaSession.id == session_id,
                AgendaSession.locked_at.is_(None),
                AgendaSession.ends_at <= now,
            )
            .values(locked_at=now)
        )
    result = db.session.execute(claim.execution_options(synchronize_session=False))
    return result.rowcount == 1  # type: ignore[attr-defined]


def _apply(session: AgendaSession, action: Action) -> Applied:
    """Approved sections stay approved, and a document no longer in draft is left alone:
    the agenda only opens what is locked and locks what is open."""
    source, target = (
        (SectionState.LOCKED, SectionState.OPEN)
        if action is Action.OPEN
        else (SectionState.OPEN, SectionState.LOCKED)
    )
    changed = []
    for section in session.sections:
        if section.state is source and section.document.status is DocumentStatus.DRAFT:
            documents.set_section_state(None, section, target)
            changed.append(section)
    record(
        None,
        "agenda.sections_opened" if action is Action.OPEN else "agenda.sections_locked",
        session,
        session.workshop_id,
        title=session.title,
        sections=", ".join(s.title for s in changed) or None,
    )
    return Applied(session.id, action, changed)


def _check_fit(workshop: Workshop, slot: Slot) -> None:
    found = agenda.problems(slot, [s.slot for s in sessions_of(workshop)])
    if found:
        raise AgendaError(_problem_message(found[0]))


def _problem_message(problem: Problem) -> str:
    return {
        Problem.ENDS_BEFORE_START: _(
            "La sessione deve finire dopo l'inizio: controlla l'ora di fine."
        ),
        Problem.TOO_LONG: _("Una sessione dura al massimo 12 ore: dividila in più sessioni."),
        Problem.OVERLAP: _(
            "In quella sala c'è già un'altra sessione in quell'orario: scegli un altro orario "
            "o un'altra sala."
        ),
    }[problem]


def _facilitator(workshop: Workshop, membership_id: int | None) -> Membership | None:
    if membership_id is None:
        return None
    for membership in facilitator_choices(workshop):
        if membership.id == membership_id:
            return membership
    raise AgendaError(_("Chi conduce la sessione deve essere una persona invitata al tavolo."))


def _sections(workshop: Workshop, section_ids: Sequence[int]) -> list[Section]:
    available = {s.id: s for s in section_choices(workshop)}
    if any(section_id not in available for section_id in section_ids):
        raise AgendaError(_("Scegli le sezioni tra quelle dei documenti del tavolo."))
    return [available[section_id] for section_id in dict.fromkeys(section_ids)]


def _local_text(workshop: Workshop, moment: dt.datetime) -> str:
    return to_local(workshop, moment).strftime("%d/%m/%Y %H:%M")
