"""The public page: the published text and nothing else, for anyone with the link."""

from __future__ import annotations

from app.core.permissions import DocumentStatus
from app.extensions import db
from app.modules.documents import services


def _published(room, title: str = "Il budget di salute come patto"):
    document = services.create_document(None, room.workshop, title, "budget-di-salute")
    document.sections[1].body = "Abitare è un diritto.\n\n# Ponte abitativo\n\nDopo la dimissione."
    services.set_status(None, document, DocumentStatus.FROZEN)
    services.set_status(None, document, DocumentStatus.PUBLISHED)
    db.session.commit()
    return document


def test_anyone_reads_the_published_text(app, room):
    document = _published(room)
    page = app.test_client().get(f"/p/{document.id}")
    assert page.status_code == 200
    text = page.text
    assert "Il budget di salute come patto" in text
    assert "Documento di policy su abitare, lavoro e socialità" in text
    assert "Tavolo budget di salute" in text and "Cascina, Corte Franca" in text
    assert "ASST di Franciacorta, Regione Lombardia" in text
    assert '<span class="section-number">2</span> Abitare' in text
    assert "Abitare è un diritto." in text
    assert f'<h3 id="s{document.sections[1].id}-ponte-abitativo">' in text
    assert text.count("<h1") == 1


def test_the_slug_address_works_too(app, room):
    document = _published(room)
    assert document.slug == "il-budget-di-salute-come-patto"
    assert app.test_client().get(f"/p/{document.slug}").status_code == 200


def test_public_page_leaks_nothing_meant_for_members(app, room):
    document = _published(room)
    # Read as the institutions do: without an account.
    text = app.test_client().get(f"/p/{document.id}").text
    for person in room.people.values():
        assert person.email not in text
        assert person.name not in text
    for section in document.sections:
        assert section.guidance.splitlines()[0] not in text
    assert "Indicazioni per chi scrive" not in text
    assert "parole" not in text
    assert "Aperta" not in text and "section-editor" not in text
    assert "/state" not in text and "Gestisci" not in text


def _main(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def test_drafts_and_frozen_documents_are_the_same_404_as_nothing(app, room, make):
    draft = make.document(room.workshop, title="Bozza riservata")
    frozen = make.document(room.workshop, title="Congelato riservato")
    services.set_status(None, frozen, DocumentStatus.FROZEN)
    db.session.commit()
    client = app.test_client()
    missing = client.get("/p/999999")
    assert missing.status_code == 404
    for ref in (draft.id, frozen.id, "bozza-riservata", "../documents/1"):
        response = client.get(f"/p/{ref}")
        assert response.status_code == 404
        assert _main(response.text) == _main(missing.text)
    # Members get the same answer: the public address is not a back door to drafts.
    assert room.facilitator.get(f"/p/{draft.id}").status_code == 404


def test_public_page_escapes_html_in_titles(app, room):
    document = _published(room, title="<script>alert('pubblico')</script>")
    text = app.test_client().get(f"/p/{document.id}").text
    assert "<script>alert" not in text
    assert "&lt;script&gt;" in text
