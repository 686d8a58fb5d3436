"""The room's shared state: the speaking queue (app/core/floor.py says what a request
may become) and the line the facilitator sends to every screen. Every change moves the
room's version, which the pages that follow the room ask for every few seconds, and a
line sent to the room reaches the open editors at once through their live connection."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.core import floor
from app.core.floor import Projected, Status
from app.core.permissions import Capability, can
from app.core.tally import Result
from app.extensions import db
from app.modules.agenda import services as agenda
from app.modules.agenda.models import AgendaSession
from app.modules.audit.services import record
from app.modules.documents.models import Document, Section
from app.modules.people.models import Membership
from app.modules.room.models import FloorRequest, RoomState
from app.modules.votes import services as votes
from app.modules.votes.models import VoteRound
from app.modules.workshops.models import Workshop


class RoomError(Exception):
    """A request refused; the message is for people."""


@dataclass(frozen=True)
class Announcement:
    message: str
    until: dt.datetime


def state_of(workshop: Workshop) -> RoomState:
    """The stored state, or the state of a room where nothing happened yet (not saved:
    reading the room changes nothing)."""
    return db.session.get(RoomState, workshop.id) or _fresh(workshop)


def announcement(workshop: Workshop, now: dt.datetime) -> Announcement | None:
    state = db.session.get(RoomState, workshop.id)
    if state is None or not state.broadcast or state.broadcast_until is None:
        return None
    if state.broadcast_until <= now:
        return None
    return Announcement(state.broadcast, state.broadcast_until)


def requests_of(workshop: Workshop) -> list[FloorRequest]:
    """The requests still in the queue or speaking: the ones the room sees."""
    return list(
        db.session.scalars(
            db.select(FloorRequest).where(
                FloorRequest.workshop_id == workshop.id,
                FloorRequest.status.in_([Status.WAITING, Status.SPEAKING]),
            )
        )
    )


def in_order(requests: list[FloorRequest]) -> tuple[FloorRequest | None, list[FloorRequest]]:
    """Who has the floor, and the queue in the order people asked."""
    by_id = {r.id: r for r in requests}
    plain = [_plain(r) for r in requests]
    current = floor.speaking(plain)
    return (
        by_id[current.id] if current else None,
        [by_id[r.id] for r in floor.waiting(plain)],
    )


def set_queue_open(actor: Membership, workshop: Workshop, open_: bool, now: dt.datetime) -> None:
    _require_facilitator(actor, workshop)
    state = _changed(workshop, now)
    state.queue_open = open_
    record(
        actor.person_id,
        "room.queue_opened" if open_ else "room.queue_closed",
        workshop,
        workshop.id,
    )


def ask(member: Membership, topic: str, now: dt.datetime) -> FloorRequest:
    if not can(member.role, Capability.SPEAK):
        raise RoomError(
            _("Chi segue il tavolo come osservatore non chiede la parola: lo fanno i partecipanti.")
        )
    topic = floor.one_line(topic)
    if len(topic) > floor.TOPIC_MAX:
        raise RoomError(
            _("L'argomento supera i %(n)d caratteri: bastano poche parole.", n=floor.TOPIC_MAX)
        )
    workshop = member.workshop
    if not state_of(workshop).queue_open:
        raise RoomError(_("La coda degli interventi è chiusa: la apre il facilitatore."))
    if floor.has_active([_plain(r) for r in requests_of(workshop)], member.person_id):
        raise RoomError(_("Hai già chiesto la parola: sei in coda."))
    request = FloorRequest(
        workshop_id=workshop.id, membership=member, topic=topic, requested_at=now
    )
    db.session.add(request)
    try:
        db.session.flush()
    except IntegrityError:
        # The same tap arriving twice at once, on two processes: the database keeps one.
        db.session.rollback()
        raise RoomError(_("Hai già chiesto la parola: sei in coda.")) from None
    _changed(workshop, now)
    return request


def withdraw(member: Membership, request: FloorRequest, now: dt.datetime) -> None:
    if request.membership_id != member.id:
        raise RoomError(_("Puoi ritirare solo la tua richiesta di parola."))
    _move(request, Status.WITHDRAWN, by_facilitator=False, now=now)


def give_floor(actor: Membership, request: FloorRequest, now: dt.datetime) -> None:
    """The floor passes: whoever was speaking has finished."""
    workshop = request.membership.workshop
    _require_facilitator(actor, workshop)
    current, _waiting = in_order(requests_of(workshop))
    if current is not None and current.id != request.id:
        _move(current, Status.DONE, by_facilitator=True, now=now)
    _move(request, Status.SPEAKING, by_facilitator=True, now=now)
    request.given_at = now


def skip(actor: Membership, request: FloorRequest, now: dt.datetime) -> None:
    _require_facilitator(actor, request.membership.workshop)
    _move(request, Status.SKIPPED, by_facilitator=True, now=now)


def finish(actor: Membership, workshop: Workshop, now: dt.datetime) -> None:
    _require_facilitator(actor, workshop)
    current, _waiting = in_order(requests_of(workshop))
    if current is None:
        raise RoomError(_("Nessuno ha la parola in questo momento."))
    _move(current, Status.DONE, by_facilitator=True, now=now)


def announce(
    actor: Membership, workshop: Workshop, message: str, minutes: int, now: dt.datetime
) -> Announcement:
    _require_facilitator(actor, workshop)
    message = floor.one_line(message)
    if not message:
        raise RoomError(_("Scrivi il messaggio da mostrare a tutti."))
    if len(message) > floor.BROADCAST_MAX:
        raise RoomError(_("Il messaggio supera i %(n)d caratteri.", n=floor.BROADCAST_MAX))
    if not 1 <= minutes <= floor.BROADCAST_MAX_MINUTES:
        raise RoomError(
            _(
                "Il messaggio resta visibile da 1 a %(n)d minuti.",
                n=floor.BROADCAST_MAX_MINUTES,
            )
        )
    state = _changed(workshop, now)
    state.broadcast = message
    state.broadcast_until = now + dt.timedelta(minutes=minutes)
    record(actor.person_id, "room.announced", workshop, workshop.id, message=message)
    return Announcement(message, state.broadcast_until)


def clear_announcement(actor: Membership, workshop: Workshop, now: dt.datetime) -> None:
    _require_facilitator(actor, workshop)
    state = _changed(workshop, now)
    state.broadcast, state.broadcast_until = "", None


@dataclass(frozen=True)
class Screen:
    """What the room's screen shows now."""

    projected: Projected
    section: Section | None = None
    vote: VoteRound | None = None
    result: Result | None = None
    voters: int = 0
    # The day's programme, each session with whether it is running.
    sessions: tuple[tuple[AgendaSession, bool], ...] = ()


def set_projected(
    actor: Membership,
    workshop: Workshop,
    projected: Projected,
    target_id: int | None,
    now: dt.datetime,
) -> None:
    """The facilitator chooses from their own screen; the projector follows by itself."""
    _require_facilitator(actor, workshop)
    if projected is Projected.SECTION:
        section = db.session.get(Section, target_id) if target_id else None
        if section is None or section.document.workshop_id != workshop.id:
            raise RoomError(_("Scegli una sezione di un documento di questo tavolo."))
    elif projected is Projected.VOTE:
        vote = db.session.get(VoteRound, target_id) if target_id else None
        if vote is None or vote.document.workshop_id != workshop.id:
            raise RoomError(_("Scegli una votazione di questo tavolo."))
    else:
        target_id = None
    state = _changed(workshop, now)
    state.projected, state.projected_id = projected, target_id


def screen(workshop: Workshop, now: dt.datetime) -> Screen:
    """What is chosen, if it is still there (a section deleted since shows the queue)."""
    state = state_of(workshop)
    if state.projected is Projected.SECTION and state.projected_id:
        section = db.session.get(Section, state.projected_id)
        if section is not None and section.document.workshop_id == workshop.id:
            return Screen(Projected.SECTION, section=section)
    if state.projected is Projected.VOTE and state.projected_id:
        vote = db.session.get(VoteRound, state.projected_id)
        if vote is not None and vote.document.workshop_id == workshop.id:
            return Screen(
                Projected.VOTE,
                vote=vote,
                result=votes.result(vote, now),
                voters=votes.voters_so_far(vote),
            )
    if state.projected is Projected.AGENDA:
        running = {s.id for s in agenda.current_sessions(workshop, now)}
        day = agenda.sessions_on(workshop, now)
        return Screen(Projected.AGENDA, sessions=tuple((s, s.id in running) for s in day))
    return Screen(Projected.QUEUE)


def vote_rounds_of(workshop: Workshop) -> list[VoteRound]:
    """The workshop's votes, the latest first: what the facilitator may put on screen."""
    return list(
        db.session.scalars(
            db.select(VoteRound)
            .join(Document, Document.id == VoteRound.document_id)
            .where(Document.workshop_id == workshop.id)
            .order_by(VoteRound.opened_at.desc(), VoteRound.id.desc())
        )
    )


def screen_version(workshop: Workshop, now: dt.datetime) -> str:
    """Changes whenever the screen would: the room's choice, the section's stored text,
    a vote cast or its closing."""
    shown = screen(workshop, now)
    parts = [str(state_of(workshop).version), shown.projected.value]
    if shown.section is not None:
        parts += [str(shown.section.body_seq), shown.section.state.value, shown.section.title]
    if shown.vote is not None:
        parts += [str(shown.voters), str(shown.vote.is_open(now)), str(shown.result is not None)]
    for session, running in shown.sessions:
        # An extension moves the end; a session starting or ending moves the mark.
        parts += [f"{session.id}:{session.ends_at:%H%M}:{running}"]
    return "-".join(parts)


def _move(request: FloorRequest, target: Status, by_facilitator: bool, now: dt.datetime) -> None:
    if not floor.may_move(request.status, target, by_facilitator):
        raise RoomError(_("Questa richiesta di parola è già stata chiusa."))
    request.status = target
    if target in (Status.DONE, Status.SKIPPED, Status.WITHDRAWN):
        request.ended_at = now
    _changed(request.membership.workshop, now)


def _changed(workshop: Workshop, now: dt.datetime) -> RoomState:
    state = db.session.get(RoomState, workshop.id)
    if state is None:
        state = _fresh(workshop)
        state.version = 1
        db.session.add(state)
    else:
        # Counted by the database: two changes at once on two processes make two
        # versions, so that no page stays on the first one.
        state.version = RoomState.version + 1
    state.changed_at = now
    return state


def _fresh(workshop: Workshop) -> RoomState:
    return RoomState(
        workshop_id=workshop.id,
        queue_open=False,
        broadcast="",
        projected=Projected.QUEUE,
        version=0,
    )


def _require_facilitator(actor: Membership, workshop: Workshop) -> None:
    if actor.workshop_id != workshop.id or not can(actor.role, Capability.MANAGE):
        raise RoomError(_("Solo i facilitatori del tavolo guidano la sala."))


def _plain(request: FloorRequest) -> floor.Request:
    return floor.Request(
        request.id, request.membership.person_id, request.status, request.requested_at
    )
