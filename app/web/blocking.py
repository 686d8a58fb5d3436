"""Work that computes for a second or more inside a request (a PDF, a long text's
Markdown), kept from stalling the live channel, and from being started by one person
faster than it finishes."""

from __future__ import annotations

import functools
import os
import select
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from flask import current_app, request
from flask_babel import gettext as _

from app.web.channel import socketio
from app.web.serving import CONNECTION

T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")


def limited_environment() -> dict[str, str]:
    """The environment of a render process that runs under an address-space limit.
    glibc gives a thread that finds the allocator busy an arena of its own, each with
    64 MB of address space reserved (up to eight per core): on a busy machine the same
    render reserved more space and hit its limit only there (the policy document's PDF:
    299 MB of address space with glibc's default, 222 MB with two arenas, whatever the
    load). With two arenas the limit measures the work, not the machine's load."""
    return {**os.environ, "MALLOC_ARENA_MAX": "2"}


def off_the_event_loop(work: Callable[[], T]) -> T:
    """In gevent mode one operating-system thread serves every connection: a comparison
    of two long texts computed there (up to 10 s per section) would stall every page
    and socket until it is done. gevent's thread pool runs it on a thread of its own,
    which the interpreter interleaves with the event loop. In threading mode each
    request already has its thread. `work` must not need the application's context:
    pure computation only."""
    if current_app.config["ASYNC_MODE"] != "gevent":
        return work()
    import gevent

    return gevent.get_hub().threadpool.apply(work)


def in_background(task: Callable[..., object], *args: object) -> None:
    """The server's periodic work (the agenda's clock, automatic backups), on its loop:
    a greenlet in gevent mode, a thread in threading mode."""
    socketio.start_background_task(task, *args)


def pause(seconds: float) -> None:
    """Waits without holding the loop: the other connections go on meanwhile."""
    socketio.sleep(seconds)


def let_others_run() -> None:
    """Between two parts of a long page. In gevent mode the page waits until the event
    loop has nothing else to do: live edits and whatever else is ready go first, so a
    page holds the loop for one part at a time, never for the whole page. Threads are
    interleaved by the interpreter anyway."""
    if current_app.config["ASYNC_MODE"] == "gevent":
        import gevent

        gevent.idle()


# Pages that take tens of milliseconds to put together (a long document's) are
# assembled a few at a time, each one part at a time (`let_others_run`); the others
# wait for their turn before they take a database connection. A page waiting for its
# next turn keeps its connection, and the live edits' commits need one from the same
# pool: measured with forty people opening the 100-page plan at once while ten typed,
# edit-to-peer p99 was 3.4 s during the burst with every page at once, 0.5 s with four
# at a time (a busy two-core machine). With gevent the semaphore is gevent's (wsgi.py
# patches the standard library first).
PAGES_AT_ONCE = 4
_PAGES = threading.BoundedSemaphore(PAGES_AT_ONCE)


def in_turn(view: Callable[P, R]) -> Callable[P, R]:
    """A view of a long page, decorated outside `login_required` (which already asks
    the database)."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with _PAGES:
            return view(*args, **kwargs)

    return wrapped


class Busy(Exception):
    """The person already has an expensive render running; the message is for them."""


_RUNNING: set[tuple[str, int]] = set()
_RUNNING_LOCK = threading.Lock()


@contextmanager
def one_at_a_time(kind: str, person_id: int) -> Iterator[None]:
    """At most one render of `kind` per person in this server process: a second one,
    started before the first ends (another tab, a script), is refused at once instead of
    taking a second worker from the people who are waiting for theirs."""
    key = (kind, person_id)
    with _RUNNING_LOCK:
        if key in _RUNNING:
            raise Busy(
                _(
                    "Attendi che finisca l'elaborazione che hai già avviato, poi riprova: "
                    "se ne può avviare una alla volta."
                )
            )
        _RUNNING.add(key)
    try:
        yield
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(key)


def client_gone() -> Callable[[], bool]:
    """Whether the person who sent this request has closed its connection (closed the
    page, cancelled the download): a render nobody waits for is stopped. A browser sends
    nothing more on a connection before it has the answer, so a connection that can be
    read from holds either the end of the stream (gone) or, rarely, a next request (not
    gone: it is left for the server to read). Without the connection (a proxy's own, a
    server that does not give it) the answer is always no: the time limit then bounds
    the render."""
    connection = request.environ.get(CONNECTION)
    if connection is None or not hasattr(connection, "recv"):
        return lambda: False

    def gone() -> bool:
        try:
            readable, _writable, _failed = select.select([connection], [], [], 0)
            return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    return gone
