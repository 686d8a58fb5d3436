"""Work that computes for a second or more inside a request (a PDF), kept from stalling
the live channel."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")


def off_the_event_loop(work: Callable[[], T]) -> T:
    """In gevent mode one operating-system thread serves every connection: a PDF rendered
    there would stall every typist until it is done. gevent's thread pool runs it on a
    thread of its own, which the interpreter interleaves with the event loop. In
    threading mode each request already has its thread."""
    if current_app.config["ASYNC_MODE"] != "gevent":
        return work()
    import gevent

    return gevent.get_hub().threadpool.apply(work)
