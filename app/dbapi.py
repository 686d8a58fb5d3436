"""The database through its driver alone (sqlite3 or psycopg), for the commands that only
read a few rows. Importing SQLAlchemy costs about 0.3 s, and Flask, Flask-SQLAlchemy
and the models as much again: more than a listing may take to answer.

The statements are written as SQLAlchemy writes them from the models, in SQLite's style
(`?` for each value); tests/test_cli.py compiles the same queries from the models and
compares, so the models stay the one description of tables and columns."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from app.config import Config, database_url, instance_path


class Database:
    def __init__(self, connection: Any, placeholder: str) -> None:
        self._connection = connection
        self._placeholder = placeholder

    def rows(self, statement: str, *values: object) -> list[tuple[Any, ...]]:
        cursor = self._connection.cursor()
        try:
            cursor.execute(statement.replace("?", self._placeholder), values)
            return list(cursor.fetchall())
        finally:
            cursor.close()


def url() -> str:
    """The database of the application already running the command (under
    `flask --app wsgi tavolo …`), otherwise the configuration's: the same address
    without building an application."""
    flask = sys.modules.get("flask")
    if flask is not None and flask.has_app_context():
        return str(flask.current_app.config["SQLALCHEMY_DATABASE_URI"])
    return database_url(Config.SQLALCHEMY_DATABASE_URI, instance_path())


@contextmanager
def connect() -> Iterator[Database]:
    address = url()
    scheme, _, rest = address.partition("://")
    if scheme == "sqlite" and rest.startswith("/") and len(rest) > 1:
        # "sqlite:///relative.db", "sqlite:////absolute.db"; what follows "?" tunes
        # SQLAlchemy's connection, not which file. Opened for reading and writing but
        # never created: a missing database is an error, not a new empty file.
        path = rest[1:].partition("?")[0]
        if not Path(path).is_file():
            raise FileNotFoundError(f"il database {path} non esiste")
        connection: Any = sqlite3.connect(f"file:{quote(path)}?mode=rw", uri=True, timeout=5)
        placeholder = "?"
    elif scheme in ("postgresql", "postgresql+psycopg"):
        import psycopg

        connection = psycopg.connect(f"postgresql://{rest}")
        placeholder = "%s"
    else:
        raise ValueError(f"indirizzo del database non gestito: {scheme}://…")
    try:
        yield Database(connection, placeholder)
    finally:
        connection.close()
