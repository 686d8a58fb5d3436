"""Which database the tests' applications run on.

By default each application gets its own SQLite file. With
`TAVOLO_TEST_DATABASE=postgresql` (the second pass of `make test`) each gets a database
of its own on the PostgreSQL server at 127.0.0.1:5432, as a region's deployment runs.

Creating and migrating a database per test would cost seconds each: the tables are made
once per run in a template, each test's database is a copy of it, and a database given
back is emptied in one round trip and handed to the next test. A database that cannot
be emptied at once (a connection left holding a lock) is dropped instead: no test ever
sees another's rows."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
KIND = os.environ.get("TAVOLO_TEST_DATABASE", "sqlite")


def on_postgresql() -> bool:
    return KIND == "postgresql"


def url(name: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def admin() -> psycopg.Connection:
    """A connection to the server's maintenance database; the test is skipped, saying
    why, where the server does not answer."""
    try:
        return psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL non raggiungibile su 127.0.0.1:5432: {error}")


class Pool:
    """Databases copied from one template of this run, emptied and reused."""

    def __init__(self) -> None:
        self.run = uuid.uuid4().hex[:8]
        self.template: str | None = None
        self.free: list[str] = []
        self.made: list[str] = []
        self.copies = 0
        self.emptying = ""

    @contextmanager
    def database(self) -> Iterator[str]:
        name = self.free.pop() if self.free else self._copy()
        try:
            yield url(name)
        finally:
            self._give_back(name)

    def close(self) -> None:
        if not self.made and not self.template:
            return
        with admin() as connection:
            for name in [*self.made, self.template]:
                if name:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _copy(self) -> str:
        template = self.template or self._make_template()
        self.copies += 1
        name = f"tavolo_t{self.run}_{self.copies}"
        with admin() as connection:
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self.made.append(name)
        return name

    def _make_template(self) -> str:
        """Every table, made by the models as the test applications make them."""
        from app import create_app
        from app.config import TestConfig
        from app.extensions import db

        name = f"tavolo_t{self.run}_template"
        with admin() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        application = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url(name))
        with application.app_context():
            db.create_all()
            tables = [table.name for table in reversed(db.metadata.sorted_tables)]
            db.engine.dispose()
        with psycopg.connect(url(name).replace("+psycopg", ""), autocommit=True) as connection:
            sequences = [
                row[0]
                for row in connection.execute(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n "
                    "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = 'public'"
                )
            ]
        # Foreign keys are not checked while emptying: every table is emptied anyway.
        self.emptying = ";".join(
            [
                "SET lock_timeout = '2s'",
                "SET session_replication_role = replica",
                *(f'DELETE FROM "{table}"' for table in tables),
                *(f"SELECT setval('\"{sequence}\"', 1, false)" for sequence in sequences),
            ]
        )
        self.template = name
        return name

    def _give_back(self, name: str) -> None:
        try:
            with psycopg.connect(
                url(name).replace("+psycopg", ""), autocommit=False, connect_timeout=3
            ) as connection:
                connection.execute(self.emptying)
        except psycopg.Error:
            with admin() as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.made.remove(name)
            return
        self.free.append(name)


POOL = Pool()
