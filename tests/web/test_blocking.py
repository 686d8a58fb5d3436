"""PDFs rendered inside a request leave the event loop's thread in gevent mode."""

from __future__ import annotations

import threading

from flask import Flask

from app.web.blocking import off_the_event_loop


def _thread() -> int:
    return threading.get_ident()


def test_in_gevent_mode_the_work_runs_on_another_thread(app: Flask) -> None:
    app.config["ASYNC_MODE"] = "gevent"
    assert off_the_event_loop(_thread) != threading.get_ident()


def test_in_threading_mode_the_request_thread_does_it(app: Flask) -> None:
    assert app.config["ASYNC_MODE"] == "threading"
    assert off_the_event_loop(_thread) == threading.get_ident()
