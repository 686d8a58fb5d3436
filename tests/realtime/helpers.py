from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import requests

from app.realtime.client import TavoloClient

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
# What `typing_tokens` types: each token names its typist and says how many came before.
TOKEN = re.compile(r"⟦\d+\.\d+⟧")


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Waits for something that arrives asynchronously (a relayed update, a reset). The
    timeout only stops a broken run from hanging; nothing is asserted about time."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.02)


def csrf_token(http: requests.Session, url: str) -> str:
    """The CSRF token of the page at `url`, as the page's scripts send it with a POST."""
    token = CSRF_META.search(http.get(url, timeout=60).text)
    assert token is not None, url
    return token[1]


def settle(clients: list[TavoloClient], timeout: float = 30.0) -> None:
    """Twice round: the first pass gets every client's changes confirmed, the second
    brings everyone what the others sent during the first."""
    for _ in range(2):
        for client in clients:
            client.wait_synced(timeout)


@contextmanager
def typing_tokens(
    clients: list[TavoloClient], section_id: int, pause: float = 0.03
) -> Iterator[dict[int, list[str]]]:
    """Every client appends tokens (TOKEN) to the section, each in a thread of its own,
    one every `pause` seconds, while the block runs. Once it has ended, the dict holds what
    each typed, by its place in `clients`; a typist that failed has no entry, so that
    comparing fails loudly."""
    stop, typed = threading.Event(), {}

    def run(number: int) -> None:
        typed[number] = _type_tokens(clients[number], section_id, number, stop, pause)

    typists = [threading.Thread(target=run, args=(n,)) for n in range(len(clients))]
    for thread in typists:
        thread.start()
    try:
        yield typed
    finally:
        # A failing block (a server that does not restart) must fail the test, not leave
        # it typing forever.
        stop.set()
        for thread in typists:
            thread.join()


def _type_tokens(
    client: TavoloClient, section_id: int, number: int, stop: threading.Event, pause: float
) -> list[str]:
    tokens: list[str] = []
    while not stop.is_set():
        tokens.append(f"⟦{number}.{len(tokens)}⟧")
        with client.paused():
            client.insert(section_id, len(client.text(section_id)), tokens[-1] + " è ")
        time.sleep(pause)
    return tokens
