"""Both servers of `python wsgi.py` send on every connection at once (see
app/web/serving.py): checked on the connection a request really arrived on, beside the
server's default handler, which does not. And what the start says of the listening
queue (the queue itself is read back from a running server in
tests/realtime/test_burst.py)."""

from __future__ import annotations

import socket
import threading
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path

import gevent
import gevent.socket
import pytest
from gevent.pywsgi import WSGIHandler, WSGIServer
from werkzeug.serving import WSGIRequestHandler, make_server

from app.web.serving import (
    backlog_warning,
    kernel_backlog_limit,
    listen_backlog,
    server_options,
)

Connection = Callable[[dict], socket.socket]


def _reporting(connection_of: Connection) -> Callable[..., Iterable[bytes]]:
    """A WSGI application answering with TCP_NODELAY of the request's connection."""

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        value = connection_of(environ).getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"1" if value else b"0"]

    return application


def _werkzeug_nodelay(handler: type[WSGIRequestHandler]) -> bytes:
    application = _reporting(lambda environ: environ["werkzeug.socket"])
    server = make_server("127.0.0.1", 0, application, threaded=True, request_handler=handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/", timeout=5) as reply:
            return reply.read()
    finally:
        server.shutdown()
        server.server_close()


def _gevent_nodelay(handler: type[WSGIHandler]) -> bytes:
    """gevent's server in this unpatched process, asked through gevent's own socket."""
    # Where simple-websocket finds the connection to take over for a WebSocket.
    application = _reporting(lambda environ: environ["wsgi.input"].rfile.raw._sock)
    server = WSGIServer(("127.0.0.1", 0), application, handler_class=handler, log=None)
    server.start()

    def ask() -> bytes:
        with gevent.socket.create_connection(("127.0.0.1", server.server_port)) as client:
            client.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
            answer = b""
            while chunk := client.recv(4096):
                answer += chunk
        return answer.partition(b"\r\n\r\n")[2]

    try:
        return gevent.spawn(ask).get(timeout=5)
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("ask", "default_handler", "mode", "keyword"),
    [
        (_werkzeug_nodelay, WSGIRequestHandler, "threading", "request_handler"),
        (_gevent_nodelay, WSGIHandler, "gevent", "handler_class"),
    ],
    ids=["threading", "gevent"],
)
def test_connections_send_at_once(
    ask: Callable[[type], bytes], default_handler: type, mode: str, keyword: str
) -> None:
    assert ask(default_handler) == b"0"
    assert ask(server_options(mode)[keyword]) == b"1"


def test_a_queue_shorter_than_asked_is_said_with_the_fix() -> None:
    warning = backlog_warning(1024, 128)
    assert warning is not None
    assert "al massimo 128 (net.core.somaxconn)" in warning
    assert "sudo sysctl -w net.core.somaxconn=1024" in warning
    assert backlog_warning(1024, 1024) is None
    assert backlog_warning(1024, None) is None


def test_the_kernel_limit_is_read_where_the_system_gives_it(tmp_path: Path) -> None:
    limit = tmp_path / "somaxconn"
    limit.write_text("4096\n")
    assert kernel_backlog_limit(limit) == 4096
    assert kernel_backlog_limit(tmp_path / "missing") is None


@pytest.mark.parametrize("raw", ["molte", "0", "-5", ""])
def test_a_queue_length_that_is_no_positive_number_is_refused(raw: str) -> None:
    with pytest.raises(SystemExit, match="LISTEN_BACKLOG dev'essere un numero intero"):
        listen_backlog(raw)
    assert listen_backlog(" 2048 ") == 2048
