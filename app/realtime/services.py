"""What the live channel does: join and leave documents, sync and apply section updates,
keep refused edits, presence, and telling a room that a section changed state.

Services take the acting person (a Viewer) and the connection id, never the request.
Whatever a client is told depends on a write is committed first (see store.py)."""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from typing import NoReturn

from flask import Flask, current_app
from pycrdt import Doc, Text, merge_updates
from sqlalchemy import bindparam, select

from app.core.colours import colour_for
from app.core.permissions import Capability, DocumentStatus, Role, can_edit_section
from app.core.sync import PROTOCOL_VERSION, Awareness, TokenBucket, Update, to_wire
from app.extensions import db
from app.modules.documents.models import Section
from app.modules.people.models import Login, Person
from app.modules.port import (
    INSTALLED,
    Present,
    SectionTooLong,
    section_over_words,
    section_too_long,
)
from app.modules.revisions.models import SectionUpdate
from app.modules.revisions.services import keep_rejected_edit, open_rejected_edit
from app.modules.timeutil import utcnow
from app.realtime import errors
from app.realtime.access import SectionAccess, Viewer
from app.realtime.batching import Batcher, document_room, people_room
from app.realtime.directory import Directory, local_entries
from app.realtime.presence import Registry, Spot
from app.realtime.relay import Relay, login_room
from app.realtime.settling import Settler
from app.realtime.store import (
    TEXT_NAME,
    ForeignClient,
    InvalidUpdate,
    OutOfOrder,
    Store,
    TextTooLong,
    WordsOverLimit,
)
from app.web.channel import socketio


@dataclass(frozen=True)
class Live:
    """One application's live state: every app built in a process (tests build many)
    gets its own, so cached texts never leak from one database to another."""

    store: Store
    registry: Registry
    batcher: Batcher
    settler: Settler
    # Who is present in other processes too, when there are several (Redis).
    directory: Directory | None = None


def install(app: Flask) -> None:
    config = app.config

    def new_bucket(budget: Hashable) -> TokenBucket:
        share = config["LIVE_ADDRESS_SHARE"] if budget[0] == "address" else 1  # type: ignore[index]
        return TokenBucket(
            share * config["LIVE_RATE_PER_SECOND"], share * config["LIVE_RATE_BURST"]
        )

    registry = Registry(new_bucket if config["LIVE_RATE_LIMIT"] else None)
    queue = config["SOCKETIO_MESSAGE_QUEUE"]
    directory = Directory(queue, registry, socketio.start_background_task) if queue else None
    batcher = Batcher(
        socketio,
        registry,
        app.config["LIVE_BATCH_SECONDS"],
        presence_changed=directory.changed if directory else None,
    )
    store = Store(
        snapshot_every=app.config["LIVE_SNAPSHOT_EVERY"],
        burst_window=_burst_window(app.config),
        capacity=app.config["LIVE_CACHED_SECTIONS"],
        gather=batcher.before_next_tick,
        max_text_bytes=app.config["SECTION_MAX_BYTES"],
    )
    if isinstance(socketio.server.manager, Relay):
        socketio.server.manager.resumed = partial(_resend, app)
    # This module's functions implement the features' port (app/modules/port.py).
    app.extensions[INSTALLED] = sys.modules[__name__]
    app.extensions["tavolo.live"] = Live(
        store=store,
        registry=registry,
        batcher=batcher,
        settler=Settler(app, socketio, store, app.config["LIVE_SETTLE_SECONDS"]),
        directory=directory,
    )


def live() -> Live:
    return current_app.extensions["tavolo.live"]


def _burst_window(config: dict) -> dt.timedelta:
    return dt.timedelta(seconds=config["LIVE_BURST_SECONDS"])


def connected(sid: str, login: Login | None, address: str | None) -> None:
    """A person's connections share one event budget: ten sockets do not buy ten times
    the events. A public reader's budget is its connection's own. Every connection also
    draws on its address's budget, `LIVE_ADDRESS_SHARE` times a person's: enough for a
    whole audience behind one venue's NAT, not for one machine opening a thousand
    sockets."""
    where = ("address", address)
    if login is None:
        live().registry.open(sid, None, None, "", (("connection", sid), where))
    else:
        person = login.person
        budgets = (("person", person.id), where)
        live().registry.open(sid, login.id, person.id, person.name, budgets)
        socketio.server.enter_room(sid, login_room(login.id), namespace="/")


def close_connections(login_id: int) -> None:
    """The sockets of a login that just ended: this process's, and through the message
    queue every other process's (see Relay), which would otherwise keep them, and the
    person present, until their next event was refused."""
    for sid in live().registry.connections_of(login_id):
        socketio.server.disconnect(sid, namespace="/")
    if isinstance(socketio.server.manager, Relay):
        socketio.server.close_room(login_room(login_id), namespace="/")


def disconnected(sid: str) -> None:
    state = live()
    for document_id in state.registry.close(sid):
        state.batcher.gone(document_id, sid)


def admit(sid: str) -> None:
    if not live().registry.admit(sid, time.monotonic()):
        raise errors.rate_limited()


def join(viewer: Viewer, sid: str) -> dict:
    document = viewer.document
    socketio.server.enter_room(sid, document_room(document.id), namespace="/")
    live().registry.enter(sid, document.id)
    if viewer.membership is not None:
        socketio.server.enter_room(sid, people_room(document.id), namespace="/")
        live().batcher.joined(document.id, sid)
    person = viewer.membership.person if viewer.membership is not None else None
    return {
        "ok": True,
        "protocol": PROTOCOL_VERSION,
        "role": viewer.role.value if viewer.role else "public",
        "sections": [
            {
                "id": section.id,
                "title": section.title,
                "state": section.state.value,
                "editable": viewer.can_edit(section.state),
                "word_limit": section.word_limit,
                "word_limit_hard": section.word_limit_hard,
            }
            for section in db.session.execute(_SECTION_LIST, {"document": document.id})
        ],
        "me": {"id": person.id, "name": person.name, "color": colour_for(person.id)}
        if person
        else None,
    }


def leave(viewer: Viewer, sid: str) -> dict:
    document_id = viewer.document.id
    socketio.server.leave_room(sid, document_room(document_id), namespace="/")
    socketio.server.leave_room(sid, people_room(document_id), namespace="/")
    live().registry.leave(sid, document_id)
    live().batcher.gone(document_id, sid)
    return {"ok": True}


def sync(section: SectionAccess, state_vector: bytes, sid: str) -> dict:
    """A connection's first sync of a section shares its answer with everyone who joined
    before the log was last read (see Registry.first_sync): a room arriving at once
    gets the text read and encoded once."""
    state = live()
    since = state.registry.first_sync(sid, section.document_id, section.section_id)
    answer = state.store.answer(section.section_id, state_vector, since)
    # After a crash the log may hold more than the stored text: the first people back
    # bring it up to date.
    state.settler.mark(section.section_id)
    return {"ok": True, **answer.wire}


def receive_update(section: SectionAccess, request: Update, sid: str) -> dict:
    person_id = section.person_id
    if person_id is None or not section.can(Capability.EDIT_TEXT):
        raise errors.forbidden()
    if not section.editable:
        _keep_refused(person_id, section, request.update, sid)
    state = live()

    def written() -> None:
        state.settler.mark(section.section_id)
        state.batcher.update(section.document_id, section.section_id, request.update, sid)

    try:
        with state.batcher.awaited():
            state.store.apply(
                section.section_id, person_id, request.update, written, section.hard_word_limit
            )
    except InvalidUpdate as error:
        raise errors.invalid_update() from error
    except ForeignClient as error:
        raise errors.foreign_client() from error
    except OutOfOrder as error:
        raise errors.out_of_order() from error
    except TextTooLong as error:
        raise errors.text_too_long(current_app.config["SECTION_MAX_BYTES"]) from error
    except WordsOverLimit as error:
        raise errors.words_over_limit(section.hard_word_limit or 0) from error
    return {"ok": True, "seq": request.seq}


def _keep_refused(person_id: int, section: SectionAccess, update: bytes, sid: str) -> NoReturn:
    """An edit that arrives after a lock is not applied and not lost: the text it would
    have produced is kept for the facilitators, and the sender is reset to the server's
    text so that their editor stops showing something nobody else sees."""
    store, now, section_id = live().store, utcnow(), section.section_id
    window = _burst_window(current_app.config)
    try:
        preview = store.preview(section_id, update)
        continued = open_rejected_edit(section_id, person_id, preview.base_text, now, window)
        if continued is not None:
            update = merge_updates(continued.update, update)
            preview = store.preview(section_id, update)
    except InvalidUpdate as error:
        raise errors.invalid_update() from error
    if continued is not None or preview.proposed_text != preview.base_text:
        keep_rejected_edit(
            section_id,
            person_id,
            preview.base_text,
            preview.proposed_text,
            _refusal_reason(section),
            update,
            now,
            continued,
        )
        db.session.commit()
    refusal = errors.section_locked(section.state, section.document_status, section.archived)
    socketio.emit(
        "reset",
        {"section_id": section_id, "update": to_wire(preview.state), "reason": refusal.as_dict()},
        to=sid,
    )
    raise refusal


def _refusal_reason(section: SectionAccess) -> str:
    if section.archived:
        return "workshop_archived"
    if section.document_status is not DocumentStatus.DRAFT:
        return f"document_{section.document_status.value}"
    return f"section_{section.state.value}"


def update_presence(targets: list[tuple[int, int | None]], sid: str, request: Awareness) -> dict:
    """`targets` are (document, section) pairs the connection may show itself in."""
    for document_id, section_id in targets:
        live().registry.move(sid, document_id, Spot(section_id, request.cursor, request.idle))
        live().batcher.moved(document_id, sid)
    return {"ok": True}


def write_text(
    actor: Person,
    section: Section,
    text: str | Callable[[str], str],
    origin: str,
    source_id: int | None = None,
) -> bool:
    """See app/modules/port.py: the text goes through the store like typing."""
    try:
        update = live().store.write(
            section.id, actor.id, text, origin, source_id, section.hard_word_limit
        )
    except TextTooLong as error:
        raise SectionTooLong(section_too_long(current_app.config["SECTION_MAX_BYTES"])) from error
    except WordsOverLimit as error:
        raise SectionTooLong(section_over_words(section.hard_word_limit or 0)) from error
    if update is None:
        return False
    live().batcher.update(section.document_id, section.id, update, None)
    return True


def settle(section_ids: Iterable[int]) -> None:
    """Makes `Section.body` and the revisions include every update the log holds: for
    readers that must show every acknowledged keystroke (versions, exports, comparisons
    with the live text). Commits, when a section was behind."""
    live().settler.settle(section_ids)


def current_text(section_id: int) -> str:
    settle([section_id])
    return db.session.scalar(db.select(Section.body).where(Section.id == section_id)) or ""


def open_text(section_id: int) -> None:
    live().store.sync(section_id, Doc().get_state())


def starting_text(section_id: int) -> str | None:
    """The first row of the section's update log, written by nobody."""
    seed = db.session.scalar(
        db.select(SectionUpdate.update).where(
            SectionUpdate.section_id == section_id, SectionUpdate.seq == 1
        )
    )
    if seed is None:
        return None
    doc = Doc()
    doc.apply_update(seed)
    return str(doc.get(TEXT_NAME, type=Text))


def settle_document(document_id: int) -> None:
    """`settle` for every section of the document."""
    live().settler.settle_document(document_id)


def notify_document(document_id: int, kind: str, payload: dict | None = None) -> None:
    socketio.emit(
        "changed",
        {"document_id": document_id, "kind": kind, **(payload or {})},
        to=document_room(document_id),
    )


def notify_section_state(section: Section) -> None:
    socketio.emit("section_state", _section_state(section), to=document_room(section.document_id))


def _section_state(section: Section) -> dict:
    """`editable` is whether people whose role may write can write in the section now."""
    return {
        "section_id": section.id,
        "state": section.state.value,
        "editable": can_edit_section(
            Role.PARTICIPANT,
            section.state,
            section.document.status,
            archived=section.document.workshop.archived,
        ),
        "document_status": section.document.status.value,
    }


def _resend(app: Flask, since: dt.datetime) -> None:
    """After the message queue between processes was lost (app/realtime/relay.py): this
    process's people get every update stored since `since`, whichever process stored
    it, each section's state and the document's presence, straight from here."""
    with app.app_context():
        try:
            for document_id in live().registry.open_documents():
                _resend_document(document_id, since)
        finally:
            db.session.remove()


def _resend_document(document_id: int, since: dt.datetime) -> None:
    sections = db.session.scalars(
        db.select(Section).where(Section.document_id == document_id).order_by(Section.id)
    ).all()
    rows = db.session.execute(
        db.select(SectionUpdate.section_id, SectionUpdate.update)
        .where(
            SectionUpdate.section_id.in_([section.id for section in sections]),
            SectionUpdate.created_at >= since,
        )
        .order_by(SectionUpdate.section_id, SectionUpdate.seq)
    ).all()
    here = {"to": document_room(document_id), "namespace": "/", "ignore_queue": True}
    for section_id, group in groupby(rows, key=lambda row: row.section_id):
        updates = [row.update for row in group]
        merged = updates[0] if len(updates) == 1 else merge_updates(*updates)
        socketio.server.emit(
            "updates", {"section_id": section_id, "updates": [to_wire(merged)]}, **here
        )
    for section in sections:
        socketio.server.emit("section_state", _section_state(section), **here)
    socketio.server.emit(
        "presence",
        {
            "document_id": document_id,
            "people": live().registry.people(document_id),
            "gone": [],
            "full": True,
        },
        to=people_room(document_id),
        namespace="/",
        ignore_queue=True,
    )


def present(document_id: int) -> list[Present]:
    """Across every process when there are several, else (or when Redis cannot be read)
    this process's people."""
    state = live()
    found = state.directory.present(document_id) if state.directory else None
    if found is None:
        found = local_entries(state.registry, document_id)
    return [Present(*entry) for entry in found]


_SECTIONS = Section.__table__
# What a join lists of each section, read with Core: the ORM loaded every section's text
# and guidance for each person joining, hundreds of kilobytes for a long document.
_SECTION_LIST = (
    select(
        _SECTIONS.c.id,
        _SECTIONS.c.title,
        _SECTIONS.c.state,
        _SECTIONS.c.word_limit,
        _SECTIONS.c.word_limit_hard,
    )
    .where(_SECTIONS.c.document_id == bindparam("document"))
    .order_by(_SECTIONS.c.position, _SECTIONS.c.id)
)
