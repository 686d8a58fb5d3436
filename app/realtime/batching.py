"""Outgoing traffic of each document, gathered and sent every few tens of milliseconds.

Applying an update is cheap; sending it is not: one frame per edit per peer grows with
the square of the room and collapses a two-core laptop at a few edits per second per
typist. One `updates` event per section per tick (the tick's updates merged into one)
and one `presence` event per document per tick keep the room responsive.

The tick also paces the writing of typed updates (see Store.apply): a section's writer
waits until just before the next tick and commits everything that arrived meanwhile at
once, so a busy section costs one commit per tick instead of one per keystroke, and what
is committed goes out with that very tick."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask_socketio import SocketIO
from pycrdt import merge_updates

from app.core.sync import to_wire
from app.realtime.presence import Registry

log = logging.getLogger(__name__)


DOCUMENT_ROOM = "document:"
# How long before a tick a section's writer starts: enough to apply and commit a tick's
# updates, so that they leave with that tick rather than the next one.
WRITE_AHEAD_SECONDS = 0.005
# How long a tick waits for updates still being written: the disk usually takes a
# millisecond, now and then tens; past this the tick leaves and they go with the next.
WRITE_WAIT_SECONDS = 0.025


def document_room(document_id: int) -> str:
    """Everyone reading the document, public readers included."""
    return f"{DOCUMENT_ROOM}{document_id}"


def people_room(document_id: int) -> str:
    """The workshop's members in the document: presence names people, so it is not for
    public readers."""
    return f"people:{document_id}"


@dataclass
class PresenceChanges:
    """Connections of one document whose presence changed within a tick."""

    joined: set[str] = field(default_factory=set)
    moved: set[str] = field(default_factory=set)
    gone: set[str] = field(default_factory=set)


class Batcher:
    def __init__(
        self,
        socketio: SocketIO,
        registry: Registry,
        interval: float,
        write_wait: float = WRITE_WAIT_SECONDS,
        presence_changed: Callable[[list[int]], None] | None = None,
    ) -> None:
        """`presence_changed` is told, after each tick, the documents whose presence
        changed in it (app/realtime/directory.py)."""
        self._socketio = socketio
        self._registry = registry
        self._presence_changed = presence_changed
        self._interval = interval
        self._write_wait = write_wait
        self._updates: dict[tuple[int, int], list[tuple[bytes, str | None]]] = defaultdict(list)
        self._presence: dict[int, PresenceChanges] = defaultdict(PresenceChanges)
        self._lock = threading.Lock()
        self._task: Any = None
        self._next_tick: float | None = None
        # Updates inside `awaited`, by the tick they arrived before (its generation).
        self._awaiting = threading.Condition()
        self._awaited: Counter[int] = Counter()
        self._generation = 0

    def update(
        self, document_id: int, section_id: int, update: bytes, origin_sid: str | None
    ) -> None:
        """`origin_sid` is None for changes the server makes itself."""
        with self._lock:
            self._updates[(document_id, section_id)].append((update, origin_sid))
            self._start()

    def joined(self, document_id: int, sid: str) -> None:
        """A member opened the document: they get everyone, the others get them."""
        with self._lock:
            changes = self._presence[document_id]
            changes.joined.add(sid)
            changes.gone.discard(sid)
            self._start()

    def moved(self, document_id: int, sid: str) -> None:
        with self._lock:
            self._presence[document_id].moved.add(sid)
            self._start()

    def gone(self, document_id: int, sid: str) -> None:
        with self._lock:
            changes = self._presence[document_id]
            changes.gone.add(sid)
            changes.joined.discard(sid)
            changes.moved.discard(sid)
            self._start()

    def before_next_tick(self) -> None:
        """Returns shortly before the next tick; at once when no tick is running yet, or
        when the tick is due and waits for updates (see `awaited`)."""
        due = self._next_tick
        if due is None:
            return
        wait = due - WRITE_AHEAD_SECONDS - time.monotonic()
        if wait > 0:
            self._socketio.sleep(wait)

    @contextmanager
    def awaited(self) -> Iterator[None]:
        """The tick due next leaves once this block is done, or `write_wait` seconds
        late at most: an update received before the tick is due, and written inside the
        block, then goes out with that tick, also when it arrived while the writer of
        its section was already writing (it is written next, just after the tick's due
        time) or when the disk is slow to confirm the commit."""
        with self._awaiting:
            generation = self._generation
            self._awaited[generation] += 1
        try:
            yield
        finally:
            with self._awaiting:
                self._awaited[generation] -= 1
                if not self._awaited[generation]:
                    del self._awaited[generation]
                    self._awaiting.notify_all()

    def _start(self) -> None:
        # Started on first use, so CLI commands and tests that never send anything do
        # not leave a ticking thread behind.
        if self._task is None:
            self._task = self._socketio.start_background_task(self._run)

    def _run(self) -> None:
        while True:
            self._next_tick = time.monotonic() + self._interval
            self._socketio.sleep(self._interval)
            self._wait_for_awaited()
            try:
                self.flush()
            except Exception:
                # The loop must outlive one bad tick, or the whole room goes silent.
                log.exception("live batch not sent")

    def _wait_for_awaited(self) -> None:
        with self._awaiting:
            due, self._generation = self._generation, self._generation + 1
            self._awaiting.wait_for(lambda: due not in self._awaited, self._write_wait)

    def flush(self) -> None:
        with self._lock:
            updates, self._updates = self._updates, defaultdict(list)
            presence, self._presence = self._presence, defaultdict(PresenceChanges)
        for (document_id, section_id), entries in updates.items():
            self._send_updates(document_id, section_id, entries)
        for document_id, changes in presence.items():
            self._send_presence(document_id, changes)
        if presence and self._presence_changed is not None:
            self._presence_changed(list(presence))

    def _send_presence(self, document_id: int, changes: PresenceChanges) -> None:
        """Changes only, except to those who just joined: resending the whole list on
        every move grows with the square of the room (190 people joining sent megabytes
        a tick). Those who joined in the same tick get one message, encoded once: one
        each took a tenth of the server's time when 250 people joined together. Sent from
        this one thread, so a joiner's full list always comes before the changes that
        follow it."""
        people = self._registry.people(document_id)
        changed = [entry for entry in people if entry["sid"] in changes.joined | changes.moved]
        joined = sorted(changes.joined)
        if changed or changes.gone:
            self._socketio.emit(
                "presence",
                {"document_id": document_id, "people": changed, "gone": sorted(changes.gone)},
                to=people_room(document_id),
                skip_sid=joined,
            )
        if joined:
            self._socketio.emit(
                "presence",
                {"document_id": document_id, "people": people, "gone": [], "full": True},
                to=joined,
            )

    def _send_updates(
        self, document_id: int, section_id: int, entries: list[tuple[bytes, str | None]]
    ) -> None:
        origins = {sid for _, sid in entries}
        merged = entries[0][0] if len(entries) == 1 else merge_updates(*(u for u, _ in entries))
        # When one person typed everything in this tick, spare them their own echo (a
        # pasted megabyte would otherwise come straight back); applying one's own update
        # again is harmless, so mixed ticks go to everyone.
        skip = next(iter(origins)) if len(origins) == 1 else None
        self._socketio.emit(
            "updates",
            {"section_id": section_id, "updates": [to_wire(merged)]},
            to=document_room(document_id),
            skip_sid=skip,
        )
