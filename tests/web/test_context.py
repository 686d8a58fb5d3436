"""Socket.IO events leave no reference cycles behind (see app/web/context.py)."""

from __future__ import annotations

import gc

from flask import Flask
from flask_socketio import SocketIO

from app.web.context import SOCKET_PATH, Tavolo

EVENTS = 50


def _cyclic_garbage_of_events(app: Flask) -> int:
    """How many objects only the garbage collector could free after EVENTS events."""
    socketio = SocketIO(app, async_mode="threading")
    socketio.on_event("ping", lambda: "pong")
    client = socketio.test_client(app)
    # The path of a real handshake, which the test client leaves without its slash.
    socketio.server.environ[client.eio_sid]["PATH_INFO"] = SOCKET_PATH
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(EVENTS):
            assert client.emit("ping", callback=True) == "pong"
        gc.collect()
        return len(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        client.disconnect()
        gc.collect()


def test_socket_events_leave_nothing_for_the_garbage_collector() -> None:
    # The measurement itself: a plain Flask application leaves cycles with every event.
    # Should a Flask release stop doing so, this fails, and LiveRequestContext can go.
    assert _cyclic_garbage_of_events(Flask(__name__)) >= EVENTS
    assert _cyclic_garbage_of_events(Tavolo(__name__)) == 0


def test_requests_outside_the_socket_path_are_still_routed(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/non-esiste").status_code == 404
    assert client.get("/socket.io").status_code == 404
