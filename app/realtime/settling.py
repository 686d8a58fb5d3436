"""Storing each typed-in section's text and revisions a moment after the typing, off the
path of the keystrokes (see store.py for why)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from flask import Flask
from flask_socketio import SocketIO
from sqlalchemy import bindparam, exists, select

from app.extensions import db
from app.modules.documents.models import Section
from app.modules.revisions.models import SectionUpdate
from app.realtime.store import Store

log = logging.getLogger(__name__)


class Settler:
    def __init__(self, app: Flask, socketio: SocketIO, store: Store, interval: float) -> None:
        self._app = app
        self._socketio = socketio
        self._store = store
        self._interval = interval
        self._marked: set[int] = set()
        self._lock = threading.Lock()
        self._task: Any = None

    def mark(self, section_id: int) -> None:
        """The log of the section may hold more than its stored text (an update was just
        committed, say): the text is stored at the next tick."""
        with self._lock:
            self._marked.add(section_id)
            if self._task is None:
                self._task = self._socketio.start_background_task(self._run)

    def settle(self, section_ids: Iterable[int]) -> None:
        """Stores now what the log holds beyond each section's stored text. Only sections
        that are behind are touched: a reader of a whole document does not load every
        section's history to learn that nothing is missing.

        A caller's pending changes are not flushed on the way (only with the commit):
        flushed, they would hold SQLite's write lock while this waits for a section
        whose writer may be waiting for that very lock."""
        with db.session.no_autoflush:
            for section_id in _behind(list(section_ids)):
                self._store.settle(section_id)

    def settle_document(self, document_id: int) -> None:
        self.settle(db.session.execute(_SECTIONS_OF, {"document": document_id}).scalars())

    def _run(self) -> None:
        while True:
            self._socketio.sleep(self._interval)
            with self._lock:
                due, self._marked = self._marked, set()
            if due:
                self._tick(due)

    def _tick(self, due: set[int]) -> None:
        with self._app.app_context():
            try:
                behind = _behind(list(due))
            except Exception:
                log.exception("stored texts not checked")
                behind = list(due)
            for section_id in behind:
                try:
                    self._store.settle(section_id)
                except Exception:
                    # Nothing is lost (the log holds it); the next tick tries again.
                    db.session.rollback()
                    log.exception("text of section %s not stored", section_id)
                    self.mark(section_id)


def _behind(section_ids: list[int]) -> list[int]:
    if not section_ids:
        return []
    return list(db.session.execute(_BEHIND, {"sections": section_ids}).scalars())


_SECTION = Section.__table__
_LOG = SectionUpdate.__table__
_SECTIONS_OF = select(_SECTION.c.id).where(_SECTION.c.document_id == bindparam("document"))
_BEHIND = select(_SECTION.c.id).where(
    _SECTION.c.id.in_(bindparam("sections", expanding=True)),
    exists().where(_LOG.c.section_id == _SECTION.c.id, _LOG.c.seq > _SECTION.c.body_seq),
)
