"""The reference of the live benchmark: a Socket.IO relay that does nothing but relay.

Same stack as Tavolo (Flask-SocketIO in the async mode named by TAVOLO_ASYNC_MODE,
simple-websocket, `socketio.run` with Tavolo's server options (no Nagle), in-order
reading, Tavolo's Flask class and garbage collector settings) and the same traffic:
each received `update` is acknowledged at once and relayed to the document's room in
one `updates` event per section every 50 ms, without the sender when it alone typed in
that tick. Payloads are concatenated instead of merged as CRDT updates, so one tick is
one event of one base64 payload, as from Tavolo. What it leaves out is exactly what
Tavolo adds: access checks, the CRDT, the durable log.

Run as `python -m bench.relay_server` with HOST, PORT and BASE_URL in the environment."""

from __future__ import annotations

import os

if os.environ.get("TAVOLO_ASYNC_MODE") == "gevent":
    from gevent import monkey

    monkey.patch_all()

import threading
from collections import defaultdict
from typing import Any

from flask import request
from flask_socketio import SocketIO, join_room

from app.core.sync import from_wire, to_wire
from app.web.context import Tavolo
from app.web.serving import server_options, spare_collector

BATCH_SECONDS = 0.05

app = Tavolo(__name__)
socketio = SocketIO(
    app,
    async_mode=os.environ.get("TAVOLO_ASYNC_MODE", "threading"),
    cors_allowed_origins=[os.environ.get("BASE_URL", "")],
    max_http_buffer_size=4 * 1024 * 1024,
)


class Relay:
    def __init__(self) -> None:
        self._rooms: dict[str, str] = {}
        self._pending: dict[tuple[str, int], list[tuple[bytes, str]]] = defaultdict(list)
        self._lock = threading.Lock()
        self._task: Any = None

    def join(self, sid: str, room: str) -> None:
        join_room(room)
        with self._lock:
            self._rooms[sid] = room

    def update(self, sid: str, section_id: int, update: bytes) -> None:
        with self._lock:
            self._pending[(self._rooms[sid], section_id)].append((update, sid))
            if self._task is None:
                self._task = socketio.start_background_task(self._run)

    def _run(self) -> None:
        while True:
            socketio.sleep(BATCH_SECONDS)
            with self._lock:
                pending, self._pending = self._pending, defaultdict(list)
            for (room, section_id), entries in pending.items():
                origins = {sid for _, sid in entries}
                socketio.emit(
                    "updates",
                    {
                        "section_id": section_id,
                        "updates": [to_wire(b"".join(u for u, _ in entries))],
                    },
                    to=room,
                    skip_sid=next(iter(origins)) if len(origins) == 1 else None,
                )


relay = Relay()


@app.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@socketio.on("join")
def on_join(payload: dict) -> dict:
    relay.join(request.sid, f"document:{payload['document_id']}")  # type: ignore[attr-defined]
    return {"ok": True}


@socketio.on("update")
def on_update(payload: dict) -> dict:
    update = from_wire(payload["update"])
    relay.update(request.sid, payload["section_id"], update)  # type: ignore[attr-defined]
    return {"ok": True, "seq": payload["seq"]}


if __name__ == "__main__":
    spare_collector()
    socketio.server.eio.async_handlers = False
    socketio.run(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ["PORT"]),
        allow_unsafe_werkzeug=True,
        **server_options(socketio.async_mode),
    )
