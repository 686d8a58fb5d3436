"""The request context of the application, which Socket.IO events share too."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.ctx import RequestContext

# Flask-SocketIO's default path, which the application keeps.
SOCKET_PATH = "/socket.io/"


class LiveRequestContext(RequestContext):
    """Flask-SocketIO handles every event inside a request context built from the
    socket's handshake, whose URL is no route of the application: matching it raised a
    NotFound for every keystroke, kept with its traceback, frames and the whole context
    in a reference cycle. Only the garbage collector could free those, and its pass over
    tens of thousands of them every few seconds stalled every connection at once
    (measured: 70–100 ms every 6 s with 40 people typing). Handshakes and HTTP requests
    never reach Flask on that path: Flask-SocketIO's middleware answers them."""

    def match_request(self) -> None:
        if not self.request.path.startswith(SOCKET_PATH):
            super().match_request()


class Tavolo(Flask):
    """Flask, with the request context that Socket.IO events can afford."""

    def request_context(self, environ: dict[str, Any]) -> LiveRequestContext:
        return LiveRequestContext(self, environ)
