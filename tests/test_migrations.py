"""The migrations are what `make run` uses to build and upgrade a real database: they
must produce exactly the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

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


@pytest.mark.postgres
def test_postgres_migrations_match_models(postgres_url: str) -> None:
    app = _upgraded_app(postgres_url)
    assert _schema_differences(app) == []
    _invitation_flow_works(app)
