"""The PostgreSQL databases the tests run on (tests/databases.py): a database given back
is handed to the next test empty, its numbering started again, and one that cannot be
emptied at once is dropped, never handed out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from app.extensions import db
from app.modules.workshops.models import Workshop
from tests import databases, factories
from tests.conftest import fresh_app

pytestmark = pytest.mark.postgres


@pytest.fixture
def pool() -> Iterator[databases.Pool]:
    databases.admin().close()  # skipped, saying why, where PostgreSQL does not answer
    made = databases.Pool()
    yield made
    made.close()


def test_a_database_given_back_is_handed_out_empty(tmp_path: Path, pool: databases.Pool) -> None:
    with pool.database() as url, fresh_app(tmp_path / "one", url):
        first = factories.workshop("Primo tavolo").id
        factories.workshop("Secondo tavolo")
    with pool.database() as again, fresh_app(tmp_path / "two", again):
        assert again == url, "the database was not reused"
        assert db.session.scalars(db.select(Workshop)).all() == []
        assert factories.workshop("Tavolo nuovo").id == first


def test_a_database_still_locked_is_dropped(tmp_path: Path, pool: databases.Pool) -> None:
    with pool.database() as url:
        with fresh_app(tmp_path, url):
            factories.workshop("Tavolo")
        # A connection left behind, holding a lock on a table in an open transaction.
        holder = psycopg.connect(url.replace("+psycopg", ""))
        holder.execute("LOCK TABLE workshop IN ACCESS EXCLUSIVE MODE")
    name = url.rsplit("/", 1)[1]
    with databases.admin() as admin:
        left = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchall()
    assert left == [] and pool.free == []
    holder.close()
