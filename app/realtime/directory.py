"""Who has each document open, across server processes: what the facilitators' console
and the labs' grid show (app/modules/port.py `present`).

Each process knows its own connections (presence.py). A page is answered by whichever
process the proxy chose, so with several processes each one also writes, in Redis, the
people it holds in each document, and reads everyone's when asked: without that the
console showed a third of the room, a different third at each refresh. An entry says
when it was written and is rewritten every HEARTBEAT_SECONDS while its process lives:
the entries of a process that died are left out once older than FRESH_SECONDS."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import redis

from app.realtime.presence import Registry

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10.0
FRESH_SECONDS = 35.0
# How often changes are written: off the relay's tick, which must never wait for Redis.
WRITE_SECONDS = 0.5
# After Redis failed to answer, how long it is not asked again (pages then show this
# process's people, at once).
RESTING_SECONDS = 5.0
KEY = "tavolo:presence:{}"

# (person id, section id or None, name) of each connection present and not idle.
Entry = tuple[int, int | None, str]


def local_entries(registry: Registry, document_id: int) -> list[Entry]:
    return [
        (p["person_id"], p["section_id"], p["name"])
        for p in registry.people(document_id)
        if not p["idle"]
    ]


class Directory:
    def __init__(
        self, url: str, registry: Registry, start_task: Callable[[Callable[[], None]], Any]
    ) -> None:
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        self._registry = registry
        self._start_task = start_task
        self._process = uuid4().hex
        # What this process last wrote for each document, to write only changes.
        self._written: dict[int, list[Entry]] = {}
        self._dirty: set[int] = set()
        self._resting_until = 0.0
        self._lock = threading.Lock()
        self._task: Any = None

    def changed(self, document_ids: list[int]) -> None:
        """The presence of these documents changed here (said once per relay tick)."""
        with self._lock:
            self._dirty.update(document_ids)
            if self._task is None:
                self._task = self._start_task(self._run)

    def present(self, document_id: int) -> list[Entry] | None:
        """Everyone's entries, this process's read from memory; None when Redis cannot
        be read (the caller then says what this process knows)."""
        if time.monotonic() < self._resting_until:
            return None
        try:
            written = self._redis.hgetall(KEY.format(document_id))
        except redis.RedisError as error:
            self._rest(error)
            return None
        found = local_entries(self._registry, document_id)
        now = time.time()
        for process, raw in written.items():
            if process.decode() == self._process:
                continue
            entry = json.loads(raw)
            if now - entry["at"] <= FRESH_SECONDS:
                found.extend(tuple(person) for person in entry["people"])
        return found

    def _run(self) -> None:
        beat = time.monotonic()
        while True:
            time.sleep(WRITE_SECONDS)
            with self._lock:
                due, self._dirty = self._dirty, set()
            again = time.monotonic() - beat >= HEARTBEAT_SECONDS
            if again:
                beat = time.monotonic()
                due |= set(self._written) | self._registry.open_documents()
            if time.monotonic() < self._resting_until:
                with self._lock:
                    self._dirty |= due
                continue
            for document_id in sorted(due):
                if not self._write(document_id, again):
                    with self._lock:
                        self._dirty |= due
                    break

    def _write(self, document_id: int, again: bool) -> bool:
        """False when Redis did not answer."""
        people = local_entries(self._registry, document_id)
        if not again and self._written.get(document_id, []) == people:
            return True
        key = KEY.format(document_id)
        try:
            if people:
                entry = json.dumps({"at": time.time(), "people": people})
                self._redis.pipeline().hset(key, self._process, entry).expire(
                    key, int(FRESH_SECONDS * 4)
                ).execute()
                self._written[document_id] = people
            else:
                self._redis.hdel(key, self._process)
                self._written.pop(document_id, None)
        except redis.RedisError as error:
            self._rest(error)
            return False
        return True

    def _rest(self, error: Exception) -> None:
        log.warning("presence across processes unavailable: %s", error)
        self._resting_until = time.monotonic() + RESTING_SECONDS
