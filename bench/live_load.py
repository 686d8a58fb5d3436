"""One load-generating process of the live benchmark: it connects its share of the
room's clients (Tavolo clients, or raw Socket.IO clients of the bare relay), makes its
typists edit on a fixed schedule, and records what its sampled receivers get.

Every edit carries a marker, `[TT.NNNN]` (typist, edit number), that travels verbatim in
the bytes of the update: Yjs stores inserted text as UTF-8, merged or not, and the relay
only concatenates. Receivers therefore time edits by scanning the bytes they receive,
the same way for both servers, without a side channel and without reading the text.

Each process runs its clients as greenlets (gevent, the standard library patched), for
both servers alike: the Socket.IO client gives every connection a reading and a writing
thread, whose switching cost more than the clients' work (figures in bench_live.NOTES).

Times are `time.monotonic_ns()`: CLOCK_MONOTONIC is one clock for every process of a
Linux machine and never jumps, so a send time taken in one process and a receive time
taken in another subtract correctly. The parent sends the common start time."""

from __future__ import annotations

import heapq
import os
import random
import re
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial
from multiprocessing.connection import Connection
from typing import Protocol
from urllib.parse import urlsplit
from uuid import uuid4

from gevent import monkey
from pycrdt import Doc, Text

from app.core.sync import from_wire, to_wire
from app.realtime.client import SocketClient, TavoloClient
from app.web.serving import spare_collector

MARKER = re.compile(rb"\[(\d\d)\.(\d{4})\]")
MAX_EDITS = 9999  # four digits of the marker
CONNECTING_THREADS = 6
TIMEOUT = 10.0
JOIN_ATTEMPTS = 3
# Longer than the benchmark waits for the whole room to be ready.
START_TIMEOUT = 200.0


def marker(typist: int, number: int) -> str:
    return f"[{typist:02d}.{number:04d}]"


def edit_id(typist: int, number: int) -> int:
    return typist * 10_000 + number


def typist_of(edit: int) -> int:
    return edit // 10_000


def tavolo_update_size() -> int:
    """Bytes of a Tavolo update that inserts one marker inside text other people typed,
    so that the relay's clients send payloads of the same size."""
    others = Doc()
    text = others.get("body", type=Text)
    for number in range(300):
        text.insert(len(str(text)) // 2, marker(number % 40, number))
    typist = Doc()
    typist.apply_update(others.get_update())
    before = typist.get_state()
    typist.get("body", type=Text).insert(len(str(text)) // 3, marker(7, 123))
    return len(typist.get_update(before))


@dataclass(frozen=True)
class Member:
    """One client of the room. Typists are numbered 0–39 and also write markers; `index`
    names receivers in the records."""

    index: int
    link: str
    typist: int | None
    section_id: int | None
    sampled: bool
    # What a proxy in front of several processes routes the connection by (the
    # document's id, as the editor sends it); None: nothing.
    route: int | None = None


@dataclass(frozen=True)
class Spec:
    kind: str  # "tavolo" or "relay"
    number: int
    base_url: str
    document_id: int
    members: tuple[Member, ...]
    period: float
    seconds: float  # warm-up and measurement: the typists type for this long
    grace: float
    payload_bytes: int
    niceness: int
    # Typists type where they typed last, as people do, rather than anywhere.
    at_cursor: bool = False


@dataclass
class Log:
    """What one process saw. Appending to a list is atomic in CPython, so the reading
    threads of every client write here without a lock."""

    sends: list[tuple[int, int]] = field(default_factory=list)  # edit, sent at
    acks: list[tuple[int, int, bool]] = field(default_factory=list)  # edit, acked at, ok
    receipts: list[tuple[int, int, int]] = field(default_factory=list)  # receiver, edit, at
    lags: list[int] = field(default_factory=list)  # how late each edit left, ns
    failures: list[str] = field(default_factory=list)

    def received(self, member: Member, updates: list[str]) -> None:
        now = time.monotonic_ns()
        for update in updates:
            for found in MARKER.finditer(from_wire(update)):
                typist = int(found[1])
                if typist != member.typist:
                    self.receipts.append((member.index, edit_id(typist, int(found[2])), now))

    def acked(self, typist: int, number: int, reply: object) -> None:
        ok = isinstance(reply, dict) and reply.get("ok") is True
        self.acks.append((edit_id(typist, number), time.monotonic_ns(), ok))
        if not ok:
            code = reply.get("error", {}).get("code") if isinstance(reply, dict) else reply
            self.failures.append(f"refused {code}: edit {number} of typist {typist}")


class Peer(Protocol):
    def edit(self, number: int, rng: random.Random) -> None: ...

    def close(self) -> None: ...


class _MeasuredClient(TavoloClient):
    def __init__(self, member: Member, log: Log) -> None:
        self._member = member
        self._log = log
        parts = urlsplit(member.link)
        self._setup(f"{parts.scheme}://{parts.netloc}", TIMEOUT, public=False, route=member.route)
        self._enter(member.link)
        self.connect()

    def _on_updates(self, payload: dict) -> None:
        """Typists keep their replica up to date, as they must to type into other
        people's text. Viewers only look at what arrives, like the relay's viewers: a
        browser's replica costs its own device, but here 150 replicas would share the
        server's two cores and load the server's figures with work the relay's figures
        are spared (measured with replicas: Tavolo's generators used about 100 % of a
        core, the relay's 55 %)."""
        if self._member.typist is not None:
            super()._on_updates(payload)
        if self._member.sampled:
            self._log.received(self._member, payload["updates"])

    def _on_update_ack(self, section_id: int, seq: int, reply: dict) -> None:
        super()._on_update_ack(section_id, seq, reply)
        if self._member.typist is not None:
            # A typist sends nothing but its edits (its replica had nothing the server
            # lacked at join), so the client's seq counter is the edit number.
            self._log.acked(self._member.typist, seq, reply)


class TavoloPeer:
    def __init__(self, spec: Spec, member: Member, log: Log) -> None:
        self._member = member
        self._log = log
        self._at_cursor = spec.at_cursor
        self._last = ""
        self._client = _MeasuredClient(member, log)
        try:
            self._client.join(spec.document_id)
        except BaseException:
            self._client.close()
            raise

    def edit(self, number: int, rng: random.Random) -> None:
        section_id, typist = self._member.section_id, self._member.typist
        assert section_id is not None and typist is not None
        with self._client.paused():
            text = self._client.text(section_id)
            position = rng.randint(0, len(text))
            if self._at_cursor and self._last and (after := text.find(self._last)) >= 0:
                position = after + len(self._last)
            self._last = marker(typist, number)
            self._log.sends.append((edit_id(typist, number), time.monotonic_ns()))
            self._client.insert(section_id, position, self._last)

    def close(self) -> None:
        self._client.close()


class RelayPeer:
    def __init__(self, spec: Spec, member: Member, log: Log) -> None:
        self._member = member
        self._log = log
        self._payload_bytes = spec.payload_bytes
        self._client_id = uuid4().hex
        self._sio = SocketClient(reconnection=False)
        if member.sampled:
            self._sio.on("updates", self._on_updates)
        self._sio.connect(spec.base_url, transports=["websocket"], wait_timeout=TIMEOUT)
        try:
            reply = self._sio.call("join", {"document_id": spec.document_id}, timeout=TIMEOUT)
            if not reply.get("ok"):
                raise RuntimeError(f"relay refused join: {reply}")
        except BaseException:
            self._sio.disconnect()
            raise

    def _on_updates(self, payload: dict) -> None:
        self._log.received(self._member, payload["updates"])

    def edit(self, number: int, rng: random.Random) -> None:
        typist = self._member.typist
        assert typist is not None
        text = marker(typist, number).encode()
        payload = {
            "section_id": self._member.section_id,
            "update": to_wire(text + b"." * max(0, self._payload_bytes - len(text))),
            "client_id": self._client_id,
            "seq": number,
        }
        self._log.sends.append((edit_id(typist, number), time.monotonic_ns()))
        self._sio.emit("update", payload, callback=partial(self._log.acked, typist, number))

    def close(self) -> None:
        self._sio.disconnect()


PEERS: dict[str, Callable[[Spec, Member, Log], Peer]] = {
    "tavolo": TavoloPeer,
    "relay": RelayPeer,
}


def _connect(spec: Spec, log: Log) -> list[tuple[Member, Peer]]:
    make = PEERS[spec.kind]

    def connected(member: Member) -> Peer:
        # A join can fail for reasons of the server's own (an overloaded server
        # answering too late); a browser would reconnect, so this client tries again.
        for _ in range(JOIN_ATTEMPTS - 1):
            try:
                return make(spec, member, log)
            except Exception as error:
                log.failures.append(f"join: {error!r}")
        return make(spec, member, log)

    with ThreadPoolExecutor(CONNECTING_THREADS) as pool:
        peers = list(pool.map(connected, spec.members))
    return list(zip(spec.members, peers, strict=True))


def _type(spec: Spec, typists: list[tuple[Member, Peer]], start_ns: int, log: Log) -> None:
    """Open loop, like people: each typist's edits are due every `period` whatever the
    server does, from a random phase; lateness is recorded, not made up for."""
    rng = random.Random(spec.number)
    period = int(spec.period * 1e9)
    end = start_ns + int(spec.seconds * 1e9)
    due = [(start_ns + rng.randrange(period), slot, 1) for slot in range(len(typists))]
    heapq.heapify(due)
    for _ in range(len(typists) * MAX_EDITS):
        when, slot, number = heapq.heappop(due)
        if when >= end or number > MAX_EDITS:
            return
        time.sleep(max(0.0, (when - time.monotonic_ns()) / 1e9))
        log.lags.append(time.monotonic_ns() - when)
        try:
            typists[slot][1].edit(number, rng)
        except Exception as error:
            log.failures.append(f"edit: {error!r}")
        heapq.heappush(due, (when + period, slot, number + 1))


def work(spec: Spec, control: Connection) -> None:
    """Process entry point: report ("ready"), wait for the start time, type, report
    ("done", Log), all on `control`. Any failure is reported as ("failed", text)
    instead. A pipe, not a multiprocessing queue: a queue's feeder thread and its locks
    were made before the patching below and would block the greenlets."""
    # Before any client exists: its sockets, threads and locks become gevent's. The
    # clients speak plain HTTP, so ssl (already imported) stays as it is.
    monkey.patch_all(ssl=False)
    os.nice(spec.niceness)
    log = Log()
    peers: list[tuple[Member, Peer]] = []
    try:
        peers = _connect(spec, log)
        # Frozen once connected, the clients are out of the collector's full passes,
        # which stalled a generator for tens of milliseconds (measured: 78 ms in the
        # sampled receivers' process, counted as latency of the server).
        spare_collector()
        control.send((spec.number, "ready", None))
        start_ns = _start_time(control)
        _type(spec, [(m, p) for m, p in peers if m.typist is not None], start_ns, log)
        time.sleep(spec.grace)
        control.send((spec.number, "done", log))
    except Exception:
        # The benchmark may have stopped listening: it then reports its own failure.
        with suppress(OSError):
            control.send((spec.number, "failed", traceback.format_exc()))
    finally:
        _close([peer for _, peer in peers])


def _start_time(control: Connection) -> int:
    """Waits without blocking the other greenlets: the clients answer the server's
    pings meanwhile (a pipe's own poll is not patched). A closed pipe ends the wait."""
    deadline = time.monotonic() + START_TIMEOUT
    while not control.poll(0):
        if time.monotonic() > deadline:
            raise TimeoutError("no start time from the benchmark")
        time.sleep(0.05)
    return control.recv()


def _close(peers: list[Peer]) -> None:
    def close(peer: Peer) -> None:
        # The figures are already sent: a client that fails to close changes nothing.
        with suppress(Exception):
            peer.close()

    with ThreadPoolExecutor(CONNECTING_THREADS) as pool:
        list(pool.map(close, peers))
