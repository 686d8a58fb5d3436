"""The web server of `python wsgi.py`: gevent's or Werkzeug's, by the async mode, each
sending what is written to a connection at once (TCP_NODELAY).

With Nagle's algorithm, the kernel holds a small message back until the one before it
is acknowledged, and the other side delays its acknowledgements by up to 40 ms. The live
channel often writes two in a row: at every tick a typist gets the acknowledgement of
their keystroke and, a moment later, the room's updates, which then waited those 40 ms
(measured with 40 people typing: edit-to-peer p99 88–94 ms for what typists received,
64–67 ms for what readers received; 62–68 ms for everyone once the delay was gone).

Both also listen with a queue of `LISTEN_BACKLOG` connections (docs/deployment.md):
people who arrive while the server is busy wait there until it accepts them. Their own
queue of 128 overflowed when a room arrived at once (190 clients connecting together:
310 connections dropped by the kernel, each made again by its client one, three, seven
seconds later; 250 clients took 39 s to join)."""

from __future__ import annotations

import gc
import socket
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from app.web.addresses import only_this_computer
from app.web.channel import socketio

# Where the environment of a request holds its connection: Werkzeug's key, which its own
# server sets and gevent's is made to set.
CONNECTION = "werkzeug.socket"
# The most connections the kernel keeps waiting for any listening socket to accept.
SOMAXCONN = Path("/proc/sys/net/core/somaxconn")


def serve(app: Flask) -> None:
    backlog = listen_backlog(app.config["LISTEN_BACKLOG"])
    _announce(app.config["BASE_URL"], backlog_warning(backlog, kernel_backlog_limit()))
    spare_collector()
    host, port, mode = app.config["HOST"], app.config["PORT"], app.config["ASYNC_MODE"]
    if mode == "gevent":
        socketio.run(app, host=host, port=port, backlog=backlog, **server_options(mode))
    else:
        # Werkzeug's server as Flask-SocketIO's `run` makes it, but with our queue, which
        # `run` cannot pass on.
        ListeningServer(backlog, host, port, app, ImmediateRequestHandler).serve_forever()


def listen_backlog(raw: object) -> int:
    try:
        backlog = int(str(raw).strip())
    except ValueError:
        backlog = 0
    if backlog < 1:
        raise SystemExit(
            f"LISTEN_BACKLOG dev'essere un numero intero maggiore di zero, per esempio 1024 "
            f"(ora è «{raw}»)."
        )
    return backlog


def kernel_backlog_limit(source: Path = SOMAXCONN) -> int | None:
    """None where the system does not say (not Linux)."""
    try:
        return int(source.read_text())
    except (OSError, ValueError):
        return None


def backlog_warning(backlog: int, limit: int | None) -> str | None:
    """The kernel silently shortens a longer queue to its limit: said at start, since the
    server works anyway, only worse when everyone arrives at once."""
    if limit is None or limit >= backlog:
        return None
    return (
        f"  Attenzione: LISTEN_BACKLOG chiede una coda di {backlog} connessioni in attesa,\n"
        f"  ma il sistema ne concede al massimo {limit} (net.core.somaxconn): se molte\n"
        "  persone si collegano nello stesso momento, alcune dovranno riprovare e\n"
        "  aspetteranno qualche secondo in più. Per alzare il limite:\n"
        f"  sudo sysctl -w net.core.somaxconn={backlog}"
    )


def _announce(base_url: str, warning: str | None) -> None:
    """Said at start, where the organiser looks: the address the room's links carry."""
    print(f"\n  Tavolo è in ascolto: {base_url}", file=sys.stderr)
    if only_this_computer(base_url):
        print(
            "  Attenzione: i link di invito puntano a questo computer e non si aprono dai\n"
            "  telefoni della sala. Avvia con «make run» (ascolta su tutta la rete) oppure\n"
            "  imposta BASE_URL, per esempio BASE_URL=http://192.168.1.20:5000.",
            file=sys.stderr,
        )
    if warning is not None:
        print(f"\n{warning}", file=sys.stderr)
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


class ListeningServer(ThreadedWSGIServer):
    """Werkzeug's threaded server, listening with a queue of `backlog` connections: its
    own length is a class attribute, read when the socket starts listening in
    `__init__`."""

    def __init__(self, backlog: int, *args: Any, **kwargs: Any) -> None:
        self.request_queue_size = backlog
        super().__init__(*args, **kwargs)


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

        def run_application(self) -> None:
            try:
                super().run_application()
            except ConnectionError as error:
                if error.args:
                    raise
                # How simple-websocket ends a WebSocket it took from Werkzeug's server
                # (the key above): the connection is over. gevent's server failed on
                # this error without arguments and logged two tracebacks, in the
                # organiser's terminal, each time someone left the room.
                self.close_connection = True

    return ImmediateGeventHandler
