"""One expensive render at a time per person: a second one is refused at once, with a
message, instead of taking a second worker from the people waiting for theirs; long
computations leave the event loop's thread in gevent mode."""

from __future__ import annotations

import threading

import pytest
from flask import Flask

from app.web.blocking import Busy, off_the_event_loop, one_at_a_time


def test_a_second_render_of_the_same_person_is_refused_until_the_first_ends(app: Flask) -> None:
    with one_at_a_time("pdf", 1):
        with pytest.raises(Busy, match="Attendi che finisca"), one_at_a_time("pdf", 1):
            pass
        with one_at_a_time("pdf", 2), one_at_a_time("preview", 1):
            pass
    with one_at_a_time("pdf", 1):
        pass


def test_a_failed_render_frees_the_person(app: Flask) -> None:
    with pytest.raises(RuntimeError), one_at_a_time("pdf", 1):
        raise RuntimeError("rendering failed")
    with one_at_a_time("pdf", 1):
        pass


def _thread() -> int:
    return threading.get_ident()


def test_in_gevent_mode_long_computations_run_on_another_thread(app: Flask) -> None:
    app.config["ASYNC_MODE"] = "gevent"
    assert off_the_event_loop(_thread) != threading.get_ident()


def test_in_threading_mode_the_request_thread_computes(app: Flask) -> None:
    assert app.config["ASYNC_MODE"] == "threading"
    assert off_the_event_loop(_thread) == threading.get_ident()
