"""The migrations are what `make run` uses to build and upgrade a real database: they
must produce exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from app import create_app
from app.config import TestConfig
from app.core.permissions import Role
from app.extensions import db
from tests import factories
from tests.conftest import login

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _upgraded_app(url: str):  # type: ignore[no-untyped-def]
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    with app.app_context():
        upgrade()
    return app


def _schema_differences(app) -> list:  # type: ignore[no-untyped-def]
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": True})
        return compare_metadata(context, db.metadata)


def _invitation_flow_works(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        workshop = factories.workshop("Tavolo su «PostgreSQL»")
        _, token = factories.member(workshop, Role.PARTICIPANT)
        client = app.test_client()
        login(client, token)
        assert "Tavolo su «PostgreSQL»" in client.get(f"/workshops/{workshop.id}").text
        db.session.remove()
        db.engine.dispose()


def test_sqlite_migrations_match_models(tmp_path) -> None:
    app = _upgraded_app(f"sqlite:///{tmp_path / 'migrated.db'}")
    assert _schema_differences(app) == []
    _invitation_flow_works(app)


@pytest.fixture
def postgres_url():  # type: ignore[no-untyped-def]
    name = f"tavolo_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL non raggiungibile su 127.0.0.1:5432: {error}")
    admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.close()


@pytest.mark.postgres
def test_postgres_migrations_match_models(postgres_url: str) -> None:
    app = _upgraded_app(postgres_url)
    assert _schema_differences(app) == []
    _invitation_flow_works(app)
