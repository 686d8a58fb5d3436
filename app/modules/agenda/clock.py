"""The agenda's clock while the server runs: every AGENDA_TICK_SECONDS it applies the
openings and lockings that are due, then tells the open documents. Every process runs
it; the services make sure each transition is applied once (see apply_due)."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from app.extensions import db
from app.modules.agenda import services
from app.modules.port import notify_document, notify_section_state
from app.modules.timeutil import utcnow
from app.web.blocking import in_background, pause


def start(app: Flask) -> None:
    if app.config["AGENDA_TICK_SECONDS"] > 0:
        in_background(_loop, app)


def _loop(app: Flask) -> None:
    while True:
        pause(app.config["AGENDA_TICK_SECONDS"])
        with app.app_context():
            try:
                tick(utcnow())
            except Exception:  # the next tick tries again; the server goes on
                db.session.rollback()
                app.logger.exception("agenda transitions failed")


def tick(now: dt.datetime) -> list[services.Applied]:
    """Applies what is due at `now`, commits, and only then tells the rooms, so that
    nobody is told of a state the database does not hold."""
    applied = services.apply_due(now)
    db.session.commit()
    documents = set()
    for transition in applied:
        for section in transition.sections:
            notify_section_state(section)
            documents.add(section.document_id)
    for document_id in sorted(documents):
        notify_document(document_id, "agenda")
    return applied
