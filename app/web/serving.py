"""The web server of `python wsgi.py`: gevent's or Werkzeug's, by the async mode, each
sending what is written to a connection at once (TCP_NODELAY).

With Nagle's algorithm, the kernel holds a small message back until the one before it
is acknowledged, and the other side delays its acknowledgements by up to 40 ms. The live
channel often writes two in a row: a typist gets the acknowledgement of their keystroke
and, a moment later, the room's updates; a binary Socket.IO packet leaves as two
WebSocket frames. Each second one waited those 40 ms (measured: a sync round took 48 ms
instead of 4; with 40 people typing, 2–5 % of the updates a typist received came more
than 80 ms after they were typed, against 0.5 % of those a reader received, and the
same 0.5 % for typists once the delay was gone)."""

from __future__ import annotations

import socket
from typing import Any

from flask import Flask
from werkzeug.serving import WSGIRequestHandler

from app.extensions import socketio


def serve(app: Flask) -> None:
    socketio.run(
        app,
        host=app.config["HOST"],
        port=app.config["PORT"],
        allow_unsafe_werkzeug=True,
        **server_options(app.config["ASYNC_MODE"]),
    )


def server_options(async_mode: str) -> dict[str, Any]:
    """What `socketio.run` passes on to the mode's server to handle each connection."""
    if async_mode == "gevent":
        return {"handler_class": _gevent_handler()}
    return {"request_handler": ImmediateRequestHandler}


class ImmediateRequestHandler(WSGIRequestHandler):
    disable_nagle_algorithm = True


def _gevent_handler() -> type:
    # Imported here: the threading mode has no use for gevent.
    from gevent.pywsgi import WSGIHandler

    class ImmediateGeventHandler(WSGIHandler):
        def handle(self) -> None:
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().handle()

    return ImmediateGeventHandler
