"""Automatic backups while the server runs: every BACKUP_EVERY_MINUTES into
<instance>/backups/, keeping the last BACKUP_KEEP, so a laptop that dies in the
afternoon costs the room minutes of work, not the day.

The loop runs as a background task of the live channel (a greenlet in gevent mode) and
never holds it: the copy of the SQLite file runs on gevent's thread pool, and the loop
yields between the files of the archive. When several processes serve one instance,
one of them does the backups: the one holding a lock (a file lock beside the SQLite
file, an advisory lock on PostgreSQL) that it keeps for as long as it lives."""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import IO

import psycopg
from flask import Flask

from app.modules.backups import services
from app.web.blocking import in_background, off_the_event_loop, pause

# pg_try_advisory_lock's key: any number no other part of Tavolo uses ("tavo").
ADVISORY_KEY = 0x7461766F


class FileLock:
    """Held until the process ends, when the kernel releases it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("ab")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True


class AdvisoryLock:
    """A session-level advisory lock on a connection kept open for it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._connection: psycopg.Connection | None = None

    def acquire(self) -> bool:
        if self._connection is not None and not self._connection.closed:
            return True
        connection = psycopg.connect(self.url, autocommit=True)
        held = connection.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_KEY,)).fetchone()
        if held and held[0]:
            self._connection = connection
            return True
        connection.close()
        return False


def lock_for(instance: services.Instance, backups: Path) -> FileLock | AdvisoryLock:
    if instance.kind == "sqlite":
        return FileLock(backups / ".rotazione.lock")
    return AdvisoryLock(services.libpq(instance.database_url))


def start(app: Flask) -> None:
    if app.config["BACKUP_EVERY_MINUTES"] > 0:
        in_background(_loop, app)


def _loop(app: Flask) -> None:
    with app.app_context():
        backups = services.backups_dir()
        lock = lock_for(services.current_instance(), backups)
    while True:
        pause(app.config["BACKUP_EVERY_MINUTES"] * 60)
        with app.app_context():
            try:
                if lock.acquire():
                    once(backups, app.config["BACKUP_KEEP"])
            except Exception:  # the next round tries again; the server goes on
                app.logger.exception("automatic backup failed")


def once(backups: Path, keep: int) -> Path:
    return services.create(
        backups,
        services.current_instance(),
        pause=lambda: pause(0),
        blocking=off_the_event_loop,
        keep=keep,
    )
