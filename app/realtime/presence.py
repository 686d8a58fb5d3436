"""Who is connected to this process, and where they are in each document they joined.

Presence lives in memory and is never stored: it describes the room right now. Each
process knows its own connections only, which is complete when a document's people are
routed to one process (the deployment notes ask for exactly that); what the console and
the labs' grid show is gathered from every process (directory.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from app.core.colours import colour_for
from app.core.sync import TokenBucket


@dataclass
class Spot:
    section_id: int | None = None
    cursor: object = None
    idle: bool = False


@dataclass
class Connection:
    # The login the connection was opened with; None for a public reader.
    login_id: int | None
    person_id: int | None
    name: str
    # Every budget an event of this connection draws on (see services.connected).
    budgets: tuple[Hashable, ...]
    documents: dict[int, Spot] = field(default_factory=dict)
    # When the connection entered each document (time.monotonic(), once in its room),
    # and the (document, section) pairs it has synchronised since: see `first_sync`.
    entered: dict[int, float] = field(default_factory=dict)
    synced: set[tuple[int, int]] = field(default_factory=set)


class Registry:
    """`new_bucket` makes the event budget a key names; connections that name the same
    key share it, and an event passes only if every budget of its connection has room.
    None: no limit."""

    def __init__(self, new_bucket: Callable[[Hashable], TokenBucket] | None = None) -> None:
        self._connections: dict[str, Connection] = {}
        self._new_bucket = new_bucket
        self._buckets: dict[Hashable, TokenBucket] = {}
        self._lock = threading.Lock()

    def open(
        self,
        sid: str,
        login_id: int | None,
        person_id: int | None,
        name: str,
        budgets: tuple[Hashable, ...],
    ) -> None:
        with self._lock:
            self._connections[sid] = Connection(login_id, person_id, name, budgets)
            if self._new_bucket is not None:
                for budget in budgets:
                    if budget not in self._buckets:
                        self._buckets[budget] = self._new_bucket(budget)

    def login_id(self, sid: str) -> int | None:
        """The login this connection was opened with; None for a public reader (or a
        connection already closed, which is then treated as one)."""
        with self._lock:
            connection = self._connections.get(sid)
            return connection.login_id if connection else None

    def person_id(self, sid: str) -> int | None:
        with self._lock:
            connection = self._connections.get(sid)
            return connection.person_id if connection else None

    def connections_of(self, login_id: int) -> list[str]:
        with self._lock:
            return [sid for sid, c in self._connections.items() if c.login_id == login_id]

    def close(self, sid: str) -> list[int]:
        """Forgets the connection; returns the documents where it was present. A budget
        outlives a connection only while another connection shares it."""
        with self._lock:
            connection = self._connections.pop(sid, None)
            if connection is None:
                return []
            shared = {b for c in self._connections.values() for b in c.budgets}
            for budget in set(connection.budgets) - shared:
                self._buckets.pop(budget, None)
        return list(connection.documents)

    def admit(self, sid: str, now: float) -> bool:
        with self._lock:
            connection = self._connections.get(sid)
            if connection is None:
                return True
            taken: list[TokenBucket] = []
            for budget in connection.budgets:
                bucket = self._buckets.get(budget)
                if bucket is None:
                    continue
                if not bucket.take(now):
                    for earlier in taken:
                        earlier.give_back()
                    return False
                taken.append(bucket)
            return True

    def enter(self, sid: str, document_id: int) -> None:
        """Called once the connection is in the document's room."""
        now = time.monotonic()
        with self._lock:
            connection = self._connections.get(sid)
            if connection is not None:
                connection.documents.setdefault(document_id, Spot())
                connection.entered.setdefault(document_id, now)

    def leave(self, sid: str, document_id: int) -> None:
        with self._lock:
            connection = self._connections.get(sid)
            if connection is not None:
                connection.documents.pop(document_id, None)
                connection.entered.pop(document_id, None)
                connection.synced = {p for p in connection.synced if p[0] != document_id}

    def first_sync(self, sid: str, document_id: int, section_id: int) -> float | None:
        """When the connection entered the document, if this is its first sync of the
        section since; None for any later one. Everything committed after that moment
        reaches the connection through the room, so its first sync may be answered
        with the log as read at any later moment (see Store.answer); a later sync asks
        again for what the room may not have brought, and reads the log anew."""
        with self._lock:
            connection = self._connections.get(sid)
            if connection is None or (document_id, section_id) in connection.synced:
                return None
            connection.synced.add((document_id, section_id))
            return connection.entered.get(document_id)

    def open_documents(self) -> set[int]:
        """Every document someone has joined on this process."""
        with self._lock:
            return {d for c in self._connections.values() for d in c.documents}

    def documents(self, sid: str) -> list[int]:
        with self._lock:
            connection = self._connections.get(sid)
            return list(connection.documents) if connection else []

    def move(self, sid: str, document_id: int, spot: Spot) -> None:
        with self._lock:
            connection = self._connections.get(sid)
            if connection is not None and document_id in connection.documents:
                connection.documents[document_id] = spot

    def people(self, document_id: int) -> list[dict]:
        with self._lock:
            return [
                {
                    "sid": sid,
                    "person_id": c.person_id,
                    "name": c.name,
                    "color": colour_for(c.person_id),
                    "section_id": spot.section_id,
                    "cursor": spot.cursor,
                    "idle": spot.idle,
                }
                for sid, c in self._connections.items()
                if c.person_id is not None and (spot := c.documents.get(document_id)) is not None
            ]
