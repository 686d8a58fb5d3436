"""The documents' text rendered ahead, after a start and after an import: the first
people to open a long document find every section rendered, archived workshops are
left alone, and the work stops before it fills the renderer's cache."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from app.core.permissions import Role
from app.extensions import db
from app.modules.documents.models import Document
from app.modules.documents.pages import render_documents
from app.modules.timeutil import utcnow
from tests import factories
from tests.conftest import fresh_app, login

PLAN = Path(__file__).parents[2] / "data" / "piano-triennale-informatica-pa-2020-2022.md"


def _long_document(title: str, sections: int = 6) -> Document:
    """Sections of the national plan's own prose, most of them long enough to go to the
    render workers."""
    workshop = factories.workshop(title)
    document = factories.document(workshop, title, sections=sections)
    text = PLAN.read_text()
    for index, section in enumerate(document.sections):
        section.body = text[index * 3000 : (index + 1) * 3000 if index % 2 else index * 3000 + 500]
        section.guidance = "Scrivete **chi** fa che cosa."
    db.session.commit()
    return document


def _cached(app: Flask) -> int:
    return app.extensions["tavolo.render"].cached_bytes()


def test_the_first_reader_finds_every_section_rendered(app: Flask) -> None:
    document = _long_document("Piano triennale")
    _, link = factories.member(document.workshop, Role.PARTICIPANT)
    render_documents(app)
    rendered = _cached(app)
    assert rendered > 0
    client = app.test_client()
    login(client, link)
    page = client.get(f"/documents/{document.id}")
    assert page.status_code == 200
    assert "Piano triennale" in page.text
    assert _cached(app) == rendered, "the page rendered a section's text again"


def test_an_archived_workshop_is_not_rendered(app: Flask) -> None:
    archived = _long_document("Un tavolo chiuso")
    archived.workshop.archived_at = utcnow()
    db.session.commit()
    render_documents(app)
    assert _cached(app) == 0
    render_documents(app, [archived.id])
    assert _cached(app) > 0, "asked by name (an import), it is rendered"


def test_rendering_ahead_stops_at_half_the_cache(tmp_path: Path) -> None:
    room = 16 * 1024
    with fresh_app(tmp_path, RENDER_CACHE_BYTES=room) as app:
        first = _long_document("Primo", sections=12)
        second = _long_document("Secondo", sections=12)
        render_documents(app, [first.id, second.id])
        # The section that crossed the half is kept; nothing after it is rendered.
        largest = max(len(s.body) for s in first.sections) * 2
        assert room // 2 < _cached(app) <= room // 2 + largest
