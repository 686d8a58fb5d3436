"""Freezing and publishing ask for confirmation after a look at what is still open."""

from __future__ import annotations

from app.core.permissions import DocumentStatus, Role
from app.core.words import count_words
from app.extensions import db
from app.modules.comments.models import Comment
from app.modules.documents import services
from app.modules.documents.models import Document


def _reload(document: Document) -> Document:
    db.session.expire_all()
    return db.session.get(Document, document.id)


def _template_document(room, make) -> Document:  # type: ignore[no-untyped-def]
    """A document made from the real template, one section written, the rest not."""
    document = services.create_document(
        None, room.workshop, "Patto per il budget di salute", "budget-di-salute"
    )
    first = document.sections[0]
    first.body = "Il tavolo chiede un budget di salute unitario. " * 20
    first.word_limit = 100
    db.session.add(Comment(section=first, body="Da rivedere", author=room.people[Role.PARTICIPANT]))
    db.session.commit()
    return document


def test_freezing_lists_what_is_open_and_waits_for_confirmation(room, make) -> None:  # type: ignore[no-untyped-def]
    document = _template_document(room, make)
    page = room.facilitator.post(f"/documents/{document.id}/status", data={"status": "frozen"})
    assert page.status_code == 200
    assert "Congelare il documento?" in page.text
    assert 'data-open-item="placeholders"' in page.text
    assert "[Esperienza, territorio, ente che la gestisce]" in page.text
    words = count_words(document.sections[0].body)
    assert "1 sezione oltre il limite di parole" in page.text and f"{words}/100 parole" in page.text
    assert "1 commento non risolto" in page.text
    assert f'href="/documents/{document.id}#sezione-{document.sections[1].id}"' in page.text
    assert _reload(document).status is DocumentStatus.DRAFT

    confirmed = room.facilitator.post(
        f"/documents/{document.id}/status", data={"status": "frozen", "confirm": "y"}
    )
    assert confirmed.status_code == 302
    assert _reload(document).status is DocumentStatus.FROZEN


def test_going_back_to_draft_needs_no_confirmation(room, make) -> None:  # type: ignore[no-untyped-def]
    document = _template_document(room, make)
    services.set_status(None, document, DocumentStatus.FROZEN)
    db.session.commit()
    back = room.facilitator.post(f"/documents/{document.id}/status", data={"status": "draft"})
    assert back.status_code == 302
    assert _reload(document).status is DocumentStatus.DRAFT


def test_a_clean_document_says_nothing_is_open(room, make) -> None:  # type: ignore[no-untyped-def]
    document = make.document(room.workshop, sections=2)
    for section in document.sections:
        section.body = "Testo condiviso dal tavolo."
    db.session.commit()
    page = room.facilitator.post(f"/documents/{document.id}/status", data={"status": "frozen"})
    assert "Nessun punto aperto" in page.text and "data-open-item" not in page.text
