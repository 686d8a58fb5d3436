from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings

from app import create_app
from app.config import TestConfig
from app.extensions import db
from tests import databases, factories

# Property tests check what code does, not how fast: on a loaded two-core machine an
# example can take longer than Hypothesis's default 200 ms deadline.
settings.register_profile("tavolo", deadline=None)
settings.load_profile("tavolo")

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# Fixtures that give a test an application on the run's database (tests/databases.py).
ON_THE_RUNS_DATABASE = {"app", "client"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests whose application is on the run's database are marked `database`: the
    PostgreSQL pass of `make test` runs them (`-m database`)."""
    for item in items:
        if ON_THE_RUNS_DATABASE & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.database)


def pytest_sessionfinish() -> None:
    if databases.on_postgresql():
        databases.POOL.close()


class FreshContextClient(FlaskClient):
    """Each request gets its own application context, as on the real server: the test's
    context stays open for factories, but Flask-Login's per-request cache and the
    database session are not shared between requests (or between people)."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


@contextmanager
def fresh_app(
    folder: Path, database_url: str | None = None, **overrides: object
) -> Iterator[Flask]:
    """A fresh application with its tables created, inside its application context: its
    files under `folder`, its database the one named, or else an empty one of the run's
    kind (tests/databases.py): a SQLite file there, or a PostgreSQL database."""
    if database_url is None and databases.on_postgresql():
        with databases.POOL.database() as url, fresh_app(folder, url, **overrides) as application:
            yield application
        return
    application = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url or f"sqlite:///{folder / 'test.db'}",
        EXPORTS_DIR=folder / "exports",
        WTF_CSRF_ENABLED=False,
        **overrides,
    )
    application.instance_path = str(folder)
    application.test_client_class = FreshContextClient
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """A fresh application on its own SQLite file: real database, no shared state."""
    with fresh_app(tmp_path) as application:
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A database of its own on the PostgreSQL server at 127.0.0.1:5432, dropped after
    the test; the test is skipped where that server does not answer."""
    name = f"tavolo_test_{uuid.uuid4().hex[:10]}"
    admin = databases.admin()
    admin.execute(f'CREATE DATABASE "{name}"')
    yield databases.url(name)
    admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def make():  # type: ignore[no-untyped-def]
    return factories


def login(client: FlaskClient, token: str) -> None:
    """Enter exactly as a person does: open the invitation link, then send its form."""
    assert enters(client, token)


def enters(client: FlaskClient, token: str) -> bool:
    """Whether the link lets this client in. Opening it shows the page that enters; the
    page's form (sent at once by its script in a browser) does it."""
    page = client.get(f"/i/{token}")
    if page.status_code == 302:
        return True  # already entered with this link
    if page.status_code != 200:
        return False
    csrf = CSRF_FIELD.search(page.text)
    form = {"csrf_token": csrf.group(1)} if csrf else {}
    return client.post(f"/i/{token}", data=form).status_code == 302
