"""One load-generating process of the join burst: its share of the people, who entered
with their links earlier (their browsers hold the session cookie), at the common start
time all open the live channel at once, join the document and synchronise each of its
sections, trying again as a browser would when an attempt fails. Clients run as
greenlets (gevent), as in live_load.py."""

from __future__ import annotations

import hashlib
import os
import time
import traceback
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

import socketio
from gevent import monkey

from app.realtime.client import LiveError, TavoloClient

# An attempt that takes longer than this is given up and made again; a server that is
# merely slow answers well within it, so only attempts the kernel or the server dropped
# count as failed.
ATTEMPT_TIMEOUT = 30.0
ATTEMPTS = 10
RETRY_PAUSE = 0.5


@dataclass(frozen=True)
class Spec:
    number: int
    base_url: str
    document_id: int
    # Each person's cookies, as their browser kept them after entering.
    cookies: tuple[dict[str, str], ...]
    # Taken once the connections have been tried (see _stepping_back).
    niceness: int


@dataclass
class Joined:
    """One client's burst: when it had joined and synchronised every section (ns after
    the start, None if it never did), how many attempts failed and why, and a digest of
    the texts it received."""

    seconds: float | None = None
    failures: list[str] = field(default_factory=list)
    digest: str = ""


class _Returning(TavoloClient):
    """A person who entered with their link earlier: the browser holds the cookie."""

    def __init__(self, base_url: str, cookies: dict[str, str]) -> None:
        self._setup(base_url, ATTEMPT_TIMEOUT, public=False)
        self._http.cookies.update(cookies)


def _digest(client: TavoloClient) -> str:
    texts = "\x00".join(client.text(section_id) for section_id, _ in client.sections())
    return hashlib.sha256(texts.encode()).hexdigest()


def _burst(
    client: TavoloClient,
    document_id: int,
    start_ns: int,
    result: Joined,
    opened: Callable[[], None],
) -> None:
    """`opened` is called once the first attempt to open the channel has ended."""
    time.sleep(max(0.0, (start_ns - time.monotonic_ns()) / 1e9))
    for attempt in range(ATTEMPTS):
        try:
            try:
                client.connect()
            finally:
                if attempt == 0:
                    opened()
            client.join(document_id)
        except (LiveError, TimeoutError, OSError, socketio.exceptions.SocketIOError) as error:
            result.failures.append(f"{type(error).__name__}: {error}"[:200])
            with suppress(Exception):
                client.close()
            time.sleep(RETRY_PAUSE)
            continue
        result.seconds = (time.monotonic_ns() - start_ns) / 1e9
        result.digest = _digest(client)
        return


def _stepping_back(clients: int, niceness: int) -> Callable[[], None]:
    """Phones open their connections at the same moment, each with a processor of its
    own: a generator does so at full priority (niced, it was starved by the busy server
    and spread them out). What follows is the phones' work, which here shares the
    server's processors: once every connection of the generator has been tried, it
    steps back."""
    waiting = [clients]

    def opened() -> None:
        waiting[0] -= 1
        if waiting[0] == 0:
            os.nice(niceness)

    return opened


def work(spec: Spec, control: Connection) -> None:
    """Process entry point: report ("ready"), receive the start time, burst, report
    ("done", [Joined]), then stay connected until the pipe closes, so that every client
    is in the room at once."""
    monkey.patch_all(ssl=False)
    import gevent

    clients: list[TavoloClient] = []
    try:
        clients = [_Returning(spec.base_url, cookies) for cookies in spec.cookies]
        control.send((spec.number, "ready", None))
        start_ns = _receive(control)
        results = [Joined() for _ in clients]
        opened = _stepping_back(len(clients), spec.niceness)
        gevent.joinall(
            [
                gevent.spawn(_burst, client, spec.document_id, start_ns, result, opened)
                for client, result in zip(clients, results, strict=True)
            ]
        )
        control.send((spec.number, "done", results))
        _receive(control)
    except EOFError:
        pass
    except Exception:
        with suppress(OSError):
            control.send((spec.number, "failed", traceback.format_exc()))
    finally:
        for client in clients:
            with suppress(Exception):
                client.close()


def _receive(control: Connection) -> int:
    """Waits without blocking the greenlets (a pipe's own poll is not patched); a
    closed pipe raises EOFError."""
    while not control.poll(0):
        time.sleep(0.02)
    return control.recv()
