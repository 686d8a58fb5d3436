"""Work that computes for a second or more inside a request (a PDF, a long text's
Markdown), kept from stalling the live channel, and from being started by one person
faster than it finishes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import gettext as _


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
