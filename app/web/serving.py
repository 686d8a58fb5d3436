"""The web server of `python wsgi.py`: gevent's or Werkzeug's, by the async mode, each
sending what is written to a connection at once (TCP_NODELAY).

With Nagle's algorithm, the kernel holds a small message back until the one before it
is acknowledged, and the other side delays its acknowledgements by up to 40 ms. The live
channel often writes two in a row: at every tick a typist gets the acknowledgement of
their keystroke and, a moment later, the room's updates, which then waited those 40 ms
(measured with 40 people typing: edit-to-peer p99 88–94 ms for what typists received,
64–67 ms for what readers received; 62–68 ms for everyone once the delay was gone)."""

from __future__ import annotations

import gc
import socket
import sys
from typing import Any

from flask import Flask
from werkzeug.serving import WSGIRequestHandler

from app.web.addresses import only_this_computer
from app.web.channel import socketio

# Where the environment of a request holds its connection: Werkzeug's key, which its own
# server sets and gevent's is made to set.
CONNECTION = "werkzeug.socket"


def serve(app: Flask) -> None:
    _announce(app.config["BASE_URL"])
    spare_collector()
    socketio.run(
        app,
        host=app.config["HOST"],
        port=app.config["PORT"],
        allow_unsafe_werkzeug=True,
        **server_options(app.config["ASYNC_MODE"]),
    )


def _announce(base_url: str) -> None:
    """Said at start, where the organiser looks: the address the room's links carry."""
    print(f"\n  Tavolo è in ascolto: {base_url}", file=sys.stderr)
    if only_this_computer(base_url):
        print(
            "  Attenzione: i link di invito puntano a questo computer e non si aprono dai\n"
            "  telefoni della sala. Avvia con «make run» (ascolta su tutta la rete) oppure\n"
            "  imposta BASE_URL, per esempio BASE_URL=http://192.168.1.20:5000.",
            file=sys.stderr,
        )
    print(file=sys.stderr, flush=True)


def spare_collector() -> None:
    """The live channel allocates thousands of short-lived objects a second; with the
    default thresholds the collector's full passes over everything loaded at start-up
    stalled every connection at once (measured in threading mode: edit-to-peer p99
    808 → 507 ms with 190 connections). What exists by now is frozen out of those passes
    and young objects are collected less often."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


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

        def get_environ(self) -> dict[str, Any]:
            # The connection, as Werkzeug's server gives it, so that a long render can
            # notice that the person who asked has gone (app/web/blocking.py).
            environ = super().get_environ()
            environ[CONNECTION] = self.socket
            return environ

    return ImmediateGeventHandler
