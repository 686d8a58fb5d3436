"""A Python client of the live protocol (docs/protocol.md), for scripts, load benchmarks
and tests.

    client = TavoloClient("http://127.0.0.1:5000/i/<token>")
    client.join(document_id)
    section_id, title = client.sections()[0]
    client.insert(section_id, 0, "Premessa: ")
    client.wait_synced(10)
    print(client.text(section_id))
    client.close()

Like the browser with Yjs, it keeps a CRDT replica (pycrdt) of every section of the
documents it joined. A local edit changes the replica at once and travels as an update
numbered by `seq`; it stays unconfirmed until the server acknowledges it (then it is
stored), and unconfirmed updates are sent again after a reconnection. Indices count
Unicode code points, like Python strings: pycrdt counts UTF-8 bytes and Yjs UTF-16 code
units, so the replica converts."""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit
from uuid import uuid4

import engineio
import requests
import socketio
from pycrdt import Doc, Text, TransactionEvent, merge_updates

from app.core.edits import utf8_len
from app.core.sync import PROTOCOL_VERSION, covers, decode_state_vector, from_wire, to_wire
from app.realtime.crdt import Waiting, absorb, read

TEXT_NAME = "body"
_CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# Refusals after which the same update is simply sent again later (docs/protocol.md).
TRANSIENT = frozenset({"rate_limited", "server_error", "out_of_order"})
RETRY_PAUSE = 0.2


class LiveError(Exception):
    """The server refused something; `code` is one of the protocol's error codes."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


def _common_prefix(a: str, b: str) -> int:
    # Bisection over slice comparisons: a pasted megabyte must not take a Python loop
    # over every character.
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str) -> int:
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle :] == b[len(b) - middle :]:
            low = middle
        else:
            high = middle - 1
    return low


class Replica:
    """One section's text on this side of the wire, and the local updates the server
    has not confirmed yet (seq → update, in the order they were made)."""

    def __init__(self, client_id: int | None = None) -> None:
        # A fresh random Yjs client id unless told otherwise (reproducible simulations):
        # a replica that starts again must never reuse the id of one that held other text.
        self.doc = Doc(client_id=client_id)
        self._text = self.doc.get(TEXT_NAME, type=Text)
        self._recorded: list[bytes] | None = None
        # Reading a long text out of the CRDT walks all its pieces (0.4 ms for 42,000
        # characters typed by forty people), and an edit reads it twice: it is kept
        # until the next change.
        self._read: str | None = None
        self.doc.observe(self._changed)
        self.unconfirmed: dict[int, bytes] = {}
        # Updates received before changes they build on (see app.realtime.crdt).
        self._waiting: Waiting = []

    def _changed(self, event: TransactionEvent) -> None:
        self._read = None
        if self._recorded is not None:
            self._recorded.append(event.update)

    def text(self) -> str:
        if self._read is None:
            self._read = str(self._text)
        return self._read

    def state_vector(self) -> bytes:
        return self.doc.get_state()

    def apply(self, update: bytes) -> None:
        self._waiting = absorb(self.doc, self._waiting, read([update]))

    def missing(self, server_vector: bytes) -> bytes | None:
        """What this replica holds that a server with `server_vector` lacks, if anything."""
        if covers(decode_state_vector(server_vector), decode_state_vector(self.state_vector())):
            return None
        return self.doc.get_update(server_vector)

    def insert(self, index: int, value: str) -> bytes | None:
        current = self.text()
        if not 0 <= index <= len(current):
            raise IndexError(f"insert at {index} in a text of {len(current)} characters")
        offset = utf8_len(current[:index])
        return self._local(lambda text: text.insert(offset, value)) if value else None

    def delete(self, index: int, length: int) -> bytes | None:
        current = self.text()
        if index < 0 or length < 0 or index + length > len(current):
            raise IndexError(f"delete {length} at {index} in a text of {len(current)} characters")
        start = utf8_len(current[:index])
        stop = start + utf8_len(current[index : index + length])

        def change(text: Text) -> None:
            del text[start:stop]

        return self._local(change) if length else None

    def replace(self, value: str) -> bytes | None:
        """The whole text becomes `value`, changing only what differs, so that other
        people's concurrent edits outside the changed stretch survive."""
        current = self.text()
        if value == current:
            return None
        prefix = _common_prefix(current, value)
        suffix = _common_suffix(current[prefix:], value[prefix:])
        start = utf8_len(current[:prefix])
        stop = start + utf8_len(current[prefix : len(current) - suffix])
        inserted = value[prefix : len(value) - suffix]

        def change(text: Text) -> None:
            if stop > start:
                del text[start:stop]
            if inserted:
                text.insert(start, inserted)

        return self._local(change)

    def _local(self, change: Callable[[Text], None]) -> bytes | None:
        self._recorded = []
        try:
            with self.doc.transaction():
                change(self._text)
        finally:
            recorded, self._recorded = self._recorded, None
        if not recorded:
            return None
        return recorded[0] if len(recorded) == 1 else merge_updates(*recorded)


class _InOrderEngineIO(engineio.Client):
    def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
        """python-engineio runs the handler of every incoming message in a thread of its
        own, so the parts of one binary Socket.IO packet (every CRDT update is one) could
        be put back together out of order. Handling messages in arrival order on the
        reading thread, as a browser does, avoids that."""
        kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)

    def disconnect(self, abort: bool = False, reason: Any = None) -> None:
        """websocket-client's close() waits up to 3 s for the server's closing frame, but
        the reading thread is the one that receives it: close without waiting. And when
        the server ends the connection, this runs on the reading thread, which cannot
        wait for itself to finish."""
        if self.current_transport == "websocket" and self.ws is not None:
            self.ws.close = partial(self.ws.close, timeout=0)
        if self.read_loop_task is threading.current_thread():
            abort = True
        super().disconnect(abort=abort, reason=reason)


class SocketClient(socketio.Client):
    """python-socketio's Client with the two fixes above; usable on its own for raw
    protocol work."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """websocket-client checks the UTF-8 of every text frame in a Python loop over
        its bytes, then decodes it, which refuses bad UTF-8 on its own: the check alone
        took a sixth of a load generator's time (profiled under the live benchmark)."""
        options = {"skip_utf8_validation": True, **kwargs.pop("websocket_extra_options", {})}
        super().__init__(*args, websocket_extra_options=options, **kwargs)

    def _engineio_client_class(self) -> type[engineio.Client]:
        return _InOrderEngineIO


def enter(http: requests.Session, invitation_url: str, timeout: float = 10.0) -> None:
    """Enters with a personal link as a browser does: the link's page holds the form that
    enters (a GET of the link changes nothing), sent with its CSRF token. Only the
    session cookie set on the way matters, not the page the answer redirects to."""
    page = http.get(invitation_url, timeout=timeout, allow_redirects=False)
    token = _CSRF_FIELD.search(page.text) if page.status_code == 200 else None
    if token is None:
        raise LiveError("invalid_link", f"HTTP {page.status_code}")
    response = http.post(
        invitation_url,
        data={"csrf_token": token.group(1)},
        headers={"Referer": invitation_url},
        timeout=timeout,
        allow_redirects=False,
    )
    if not response.is_redirect:
        raise LiveError("invalid_link", f"HTTP {response.status_code}")


class TavoloClient:
    """A person (or a public reader) connected to the live channel.

    Handlers of server events run on the socket's reading thread and never wait for the
    server; everything that asks the server something runs on the caller's thread or on
    a background task."""

    def __init__(
        self,
        invitation_url: str,
        *,
        timeout: float = 10.0,
        connect: bool = True,
        route: int | None = None,
    ) -> None:
        """With `connect=False` the client only enters with the link, as a browser that
        already holds its cookie: `connect()` opens the live channel later (a whole room
        arriving at once). `route` is what a proxy in front of several server processes
        sends the connection by, as the browser does: the id of the document it is for
        (docs/deployment.md). The server ignores it."""
        parts = urlsplit(invitation_url)
        self._setup(f"{parts.scheme}://{parts.netloc}", timeout, public=False, route=route)
        self._enter(invitation_url)
        if connect:
            self.connect()

    def _enter(self, invitation_url: str) -> None:
        enter(self._http, invitation_url, self._timeout)

    @classmethod
    def reader(
        cls, base_url: str, *, timeout: float = 10.0, route: int | None = None
    ) -> TavoloClient:
        """A public reader, without an invitation: published documents only."""
        client = cls.__new__(cls)
        client._setup(base_url.rstrip("/"), timeout, public=True, route=route)
        client.connect()
        return client

    def _setup(self, base_url: str, timeout: float, public: bool, route: int | None = None) -> None:
        self.base_url = base_url
        self._route = route
        self.client_id = uuid4().hex
        self.errors: list[dict] = []
        self.resets: list[dict] = []
        self.presence: dict[int, list[dict]] = {}
        self._people: dict[int, dict[str, dict]] = {}
        self.section_states: dict[int, dict] = {}
        self.relayed: dict[int, int] = {}
        self._timeout = timeout
        self._public = public
        self._http = requests.Session()
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._seq = itertools.count(1)
        self._replicas: dict[int, Replica] = {}
        self._documents: dict[int, list[tuple[int, str]]] = {}
        self._joined_now: set[int] = set()
        self._in_flight: dict[int, int] = {}
        self._waiting: set[threading.Event] = set()
        self._tasks = 0
        self._refusal: object = None
        self._sio = SocketClient(
            http_session=self._http,
            # Opening the channel waits as long as any answer (python-engineio's own
            # limit is 5 s, which a busy server may take when a room arrives at once).
            request_timeout=timeout,
            reconnection=True,
            reconnection_delay=0.5,
            reconnection_delay_max=2,
            # The Origin header below is the one the server checks; websocket-client
            # would otherwise add a second one of its own.
            websocket_extra_options={"suppress_origin": True},
        )
        handlers: dict[str, Callable[..., None]] = {
            "connect": self._on_connect,
            "connect_error": self._on_connect_error,
            "disconnect": self._on_disconnect,
            "updates": self._on_updates,
            "reset": self._on_reset,
            "presence": self._on_presence,
            "section_state": self._on_section_state,
            "error": self._on_error,
        }
        for name, handler in handlers.items():
            self._sio.on(name, handler)

    # -- connection ---------------------------------------------------------------

    def connect(self) -> None:
        # A connection the server just ended may still be closing its socket.
        deadline = time.monotonic() + self._timeout
        while self._sio.eio.state != "disconnected" and time.monotonic() < deadline:
            time.sleep(0.01)
        self._refusal = None
        try:
            self._sio.connect(
                self.base_url if self._route is None else f"{self.base_url}?d={self._route}",
                headers={"Origin": self.base_url},
                auth={"public": True} if self._public else None,
                transports=["websocket"],
                wait_timeout=self._timeout,
            )
        except socketio.exceptions.ConnectionError as error:
            raise LiveError("refused", str(self._refusal or error)) from error

    @property
    def connected(self) -> bool:
        return bool(self._sio.connected)

    def close(self) -> None:
        with self._lock:
            self._documents.clear()
            self._replicas.clear()
            self._joined_now.clear()
        self._sio.disconnect()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    # -- documents and text -------------------------------------------------------

    def join(self, document_id: int) -> dict:
        reply = self._checked(self._call("join", self._join_payload(document_id)))
        self._joined(document_id, reply)
        for section_id, _ in self._documents[document_id]:
            self._sync_section(section_id)
        return reply

    def leave(self, document_id: int) -> None:
        self._checked(self._call("leave", {"document_id": document_id}))
        with self._lock:
            for section_id, _ in self._documents.pop(document_id, []):
                self._replicas.pop(section_id, None)
            self._joined_now.discard(document_id)

    def sections(self) -> list[tuple[int, str]]:
        """(section_id, title) of every section of the joined documents, in order."""
        with self._lock:
            return [section for sections in self._documents.values() for section in sections]

    def text(self, section_id: int) -> str:
        with self._lock:
            return self._replica(section_id).text()

    def insert(self, section_id: int, index: int, text: str) -> None:
        with self._lock:
            self._send(section_id, self._replica(section_id).insert(index, text))

    def delete(self, section_id: int, index: int, length: int) -> None:
        with self._lock:
            self._send(section_id, self._replica(section_id).delete(index, length))

    def replace(self, section_id: int, text: str) -> None:
        with self._lock:
            self._send(section_id, self._replica(section_id).replace(text))

    def set_presence(
        self, section_id: int | None, cursor: object = None, idle: bool = False
    ) -> None:
        self._checked(
            self._call(
                "awareness", {"section_id": section_id, "state": {"cursor": cursor, "idle": idle}}
            )
        )

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Holds incoming changes back, so that reading the text and editing it based on
        what was read see the same text: `with client.paused(): client.insert(s, f(...))`."""
        with self._lock:
            yield

    def request(self, event: str, payload: object) -> dict:
        """Sends any event and returns the server's acknowledgement as it is."""
        return self._call(event, payload)

    def wait_synced(self, timeout: float = 10.0) -> None:
        """Returns once the server has confirmed every local change and this replica
        holds everything the server had when the last sync round ran. Raises
        TimeoutError when that does not happen in time (e.g. the server is down)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._changed:
                if not self._changed.wait_for(self._quiet, timeout=deadline - time.monotonic()):
                    raise TimeoutError("not synchronised in time")
                refused = bool(self._unconfirmed())
                section_ids = [s for sections in self._documents.values() for s, _ in sections]
            if refused:
                # Quiet, yet unconfirmed: refused for a passing reason (rate_limited,
                # server_error). Send again after a pause.
                time.sleep(RETRY_PAUSE)
                with self._lock:
                    self._resend_unconfirmed()
                continue
            try:
                clean = all([self._sync_section(section_id) for section_id in section_ids])
            except LiveError as error:
                if error.code not in TRANSIENT:
                    raise
                clean = False
                time.sleep(RETRY_PAUSE)
            with self._lock:
                if clean and self._quiet() and not self._unconfirmed():
                    return
            if time.monotonic() > deadline:
                raise TimeoutError("not synchronised in time")

    # -- sending ------------------------------------------------------------------

    def _replica(self, section_id: int) -> Replica:
        replica = self._replicas.get(section_id)
        if replica is None:
            raise KeyError(f"section {section_id} is not in a joined document")
        return replica

    def _document_of(self, section_id: int) -> int | None:
        for document_id, sections in self._documents.items():
            if any(s == section_id for s, _ in sections):
                return document_id
        return None

    def _send(self, section_id: int, update: bytes | None) -> None:
        if update is None:
            return
        seq = next(self._seq)
        self._replicas[section_id].unconfirmed[seq] = update
        self._transmit(section_id, seq, update)

    def _transmit(self, section_id: int, seq: int, update: bytes) -> None:
        """Sent at once when the section's document is joined on the current connection;
        otherwise it waits, unconfirmed, for the next (re)join. The caller holds the lock,
        so updates leave in the order they were made."""
        if self._document_of(section_id) not in self._joined_now:
            return
        payload = {
            "section_id": section_id,
            "update": to_wire(update),
            "client_id": self.client_id,
            "seq": seq,
        }
        acknowledged = partial(self._on_update_ack, section_id, seq)
        self._in_flight[seq] = section_id
        try:
            self._sio.emit("update", payload, callback=acknowledged)
        except socketio.exceptions.SocketIOError:
            self._in_flight.pop(seq, None)

    def _unconfirmed(self) -> list[tuple[int, int, bytes]]:
        return sorted(
            (seq, section_id, update)
            for section_id, replica in self._replicas.items()
            for seq, update in replica.unconfirmed.items()
        )

    def _resend_unconfirmed(self) -> None:
        for seq, section_id, update in self._unconfirmed():
            if seq not in self._in_flight:
                self._transmit(section_id, seq, update)

    def _quiet(self) -> bool:
        return (
            self.connected
            and not self._tasks
            and not self._in_flight
            and set(self._documents) <= self._joined_now
        )

    def _sync_section(self, section_id: int) -> bool:
        """One sync round; True when this side had nothing the server lacked."""
        with self._lock:
            vector = self._replica(section_id).state_vector()
        payload = {"section_id": section_id, "state_vector": to_wire(vector)}
        reply = self._checked(self._call("sync", payload))
        with self._lock:
            replica = self._replicas.get(section_id)
            if replica is None:
                return True
            replica.apply(from_wire(reply["update"]))
            missing = replica.missing(from_wire(reply["state_vector"]))
            self._send(section_id, missing)
            self._changed.notify_all()
        return missing is None

    @staticmethod
    def _join_payload(document_id: int) -> dict:
        return {"document_id": document_id, "protocol": PROTOCOL_VERSION}

    def _joined(self, document_id: int, reply: dict) -> None:
        with self._lock:
            self._documents[document_id] = [(s["id"], s["title"]) for s in reply["sections"]]
            for section_id, _ in self._documents[document_id]:
                self._replicas.setdefault(section_id, Replica())
            self._joined_now.add(document_id)

    # -- asking the server --------------------------------------------------------

    def _call(self, event: str, payload: object) -> dict:
        answered = threading.Event()
        replies: list[Any] = []

        def answer(*args: Any) -> None:
            replies.append(args[0] if args else None)
            answered.set()

        with self._lock:
            self._waiting.add(answered)
            errors_before = len(self.errors)
        try:
            try:
                self._sio.emit(event, payload, callback=answer)
            except socketio.exceptions.SocketIOError as error:
                raise LiveError("disconnected", str(error)) from error
            if not answered.wait(self._timeout):
                raise TimeoutError(f"no reply to {event}")
        finally:
            with self._lock:
                self._waiting.discard(answered)
        if not replies:
            # Disconnected before the reply: the server may have said why just before.
            said = [e for e in self.errors[errors_before:] if e.get("event") == event]
            raise (
                LiveError(said[-1]["code"], said[-1]["message"])
                if said
                else LiveError("disconnected")
            )
        return replies[0]

    @staticmethod
    def _checked(reply: dict) -> dict:
        if not reply.get("ok"):
            error = reply.get("error") or {}
            raise LiveError(error.get("code", "unknown"), error.get("message", ""))
        return reply

    def _background(self, task: Callable[..., None], *args: Any) -> None:
        """Runs `task` off the reading thread; wait_synced waits for it. The caller holds
        the lock."""
        self._tasks += 1

        def run() -> None:
            try:
                task(*args)
            except (LiveError, TimeoutError) as error:
                code = getattr(error, "code", "timeout")
                with self._lock:
                    self.errors.append({"code": code, "event": "resync"})
            finally:
                with self._changed:
                    self._tasks -= 1
                    self._changed.notify_all()

        self._sio.start_background_task(run)

    def _resume(self) -> None:
        """After a reconnection: join again, send what was not confirmed, sync."""
        for document_id in list(self._documents):
            reply = self._checked(self._call("join", self._join_payload(document_id)))
            self._joined(document_id, reply)
            with self._lock:
                self._resend_unconfirmed()
            for section_id, _ in self._documents.get(document_id, []):
                self._sync_section(section_id)

    def _rebuild(self, section_id: int) -> None:
        """After a refusal: the local change is gone for good, so start again from the
        server's text rather than keep showing something nobody else sees."""
        with self._lock:
            if section_id not in self._replicas:
                return
            self._replicas[section_id] = Replica()
        self._sync_section(section_id)

    # -- server events (reading thread: never wait for the server here) -----------

    def _on_connect(self) -> None:
        with self._changed:
            if self._documents:
                self._background(self._resume)
            self._changed.notify_all()

    def _on_connect_error(self, data: object = None) -> None:
        self._refusal = data

    def _on_disconnect(self, reason: object = None) -> None:
        with self._changed:
            self._joined_now.clear()
            self._in_flight.clear()
            for waiting in self._waiting:
                waiting.set()
            self._changed.notify_all()

    def _on_update_ack(self, section_id: int, seq: int, reply: dict) -> None:
        with self._changed:
            self._in_flight.pop(seq, None)
            replica = self._replicas.get(section_id)
            code = None if reply.get("ok") else reply.get("error", {}).get("code")
            if replica is not None and code not in TRANSIENT:
                replica.unconfirmed.pop(seq, None)
                if code is not None and code != "section_locked":
                    self._background(self._rebuild, section_id)
            self._changed.notify_all()

    def _on_updates(self, payload: dict) -> None:
        with self._changed:
            replica = self._replicas.get(payload["section_id"])
            if replica is not None:
                for update in payload["updates"]:
                    replica.apply(from_wire(update))
                section_id = payload["section_id"]
                self.relayed[section_id] = self.relayed.get(section_id, 0) + 1
            self._changed.notify_all()

    def _on_reset(self, payload: dict) -> None:
        with self._changed:
            section_id = payload["section_id"]
            if section_id in self._replicas:
                fresh = Replica()
                fresh.apply(from_wire(payload["update"]))
                self._replicas[section_id] = fresh
                for seq in [s for s, owner in self._in_flight.items() if owner == section_id]:
                    self._in_flight.pop(seq)
            self.resets.append(payload)
            self._changed.notify_all()

    def _on_presence(self, payload: dict) -> None:
        with self._lock:
            document_id = payload["document_id"]
            people = {} if payload.get("full") else self._people.get(document_id, {})
            for sid in payload["gone"]:
                people.pop(sid, None)
            people.update((entry["sid"], entry) for entry in payload["people"])
            self._people[document_id] = people
            self.presence[document_id] = list(people.values())

    def _on_section_state(self, payload: dict) -> None:
        with self._lock:
            self.section_states[payload["section_id"]] = payload

    def _on_error(self, payload: dict) -> None:
        with self._changed:
            self.errors.append(payload)
            self._changed.notify_all()
