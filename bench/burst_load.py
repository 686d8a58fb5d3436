"""One load-generating process of the join burst: its share of the people enter with
their links beforehand (the session cookie a phone already holds), then at the common
start time every one of them opens the live channel at once, joins the document and
synchronises each of its sections, trying again as a browser would when an attempt
fails. Clients run as greenlets (gevent), as in live_load.py."""

from __future__ import annotations

import hashlib
import os
import time
import traceback
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
ENTERING_AT_ONCE = 10


@dataclass(frozen=True)
class Spec:
    number: int
    document_id: int
    links: tuple[str, ...]
    niceness: int


@dataclass
class Joined:
    """One client's burst: when it had joined and synchronised every section (ns after
    the start, None if it never did), how many attempts failed and why, and a digest of
    the texts it received."""

    seconds: float | None = None
    failures: list[str] = field(default_factory=list)
    digest: str = ""


def _entered(link: str) -> TavoloClient:
    return TavoloClient(link, timeout=ATTEMPT_TIMEOUT, connect=False)


def _digest(client: TavoloClient) -> str:
    texts = "\x00".join(client.text(section_id) for section_id, _ in client.sections())
    return hashlib.sha256(texts.encode()).hexdigest()


def _burst(client: TavoloClient, document_id: int, start_ns: int, result: Joined) -> None:
    time.sleep(max(0.0, (start_ns - time.monotonic_ns()) / 1e9))
    for _ in range(ATTEMPTS):
        try:
            client.connect()
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


def work(spec: Spec, control: Connection) -> None:
    """Process entry point: enter every link, report ("ready"), receive the start time,
    burst, report ("done", [Joined]), then stay connected until the pipe closes, so that
    every client is in the room at once."""
    monkey.patch_all(ssl=False)
    import gevent
    import gevent.pool

    os.nice(spec.niceness)
    clients: list[TavoloClient] = []
    try:
        pool = gevent.pool.Pool(ENTERING_AT_ONCE)
        clients = list(pool.imap(_entered, spec.links))
        control.send((spec.number, "ready", None))
        start_ns = _receive(control)
        results = [Joined() for _ in clients]
        gevent.joinall(
            [
                gevent.spawn(_burst, client, spec.document_id, start_ns, result)
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
