"""One expensive render at a time per person: a second one is refused at once, with a
message, instead of taking a second worker from the people waiting for theirs."""

from __future__ import annotations

import pytest
from flask import Flask

from app.web.blocking import Busy, one_at_a_time


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
