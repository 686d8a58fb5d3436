from __future__ import annotations

import pytest
from flask import Flask, g


@pytest.fixture(autouse=True)
def _one_person_per_request(app: Flask) -> None:
    """The `app` fixture keeps an application context open, so Flask reuses it and its `g`
    for every request, and Flask-Login would answer a request with the person cached by
    the previous one. These tests switch between people; in production every request has
    its own context."""

    @app.before_request
    def _forget_cached_person() -> None:
        g.pop("_login_user", None)
