"""The document page and the facilitator's controls, through real requests."""

from __future__ import annotations

import re

from app.core.permissions import DocumentStatus, Role, SectionState
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.documents import services
from app.modules.documents.models import Document, Section
from app.web.blocking import one_at_a_time


def _document(
    room, template: str | None = "budget-di-salute", title: str = "Documento"
) -> Document:
    document = services.create_document(None, room.workshop, title, template)
    db.session.commit()
    return document


def _reload(document: Document) -> Document:
    db.session.expire_all()
    return db.session.get(Document, document.id)


def test_new_document_page_offers_blank_and_every_template(room):
    page = room.facilitator.get(f"/workshops/{room.workshop.id}/documents/new")
    assert page.status_code == 200
    assert "Documento vuoto" in page.text
    for name in ("budget-di-salute", "scheda-progetto-regionale", "sintesi-laboratori"):
        assert f'value="{name}"' in page.text
    assert "Governance e connettore giuridico" in page.text
    assert "max 1200 parole" in page.text


def test_facilitator_creates_a_document_from_a_template(room):
    response = room.facilitator.post(
        f"/workshops/{room.workshop.id}/documents/new",
        data={"title": "Budget di salute", "subtitle": "", "template": "budget-di-salute"},
    )
    assert response.status_code == 302
    document = db.session.execute(db.select(Document)).scalar_one()
    assert response.headers["Location"].endswith(f"/documents/{document.id}")
    assert [s.title for s in document.sections][:2] == ["Premessa", "Abitare"]


def test_blank_document_from_the_form(room):
    room.facilitator.post(
        f"/workshops/{room.workshop.id}/documents/new", data={"title": "Vuoto", "template": ""}
    )
    document = db.session.execute(db.select(Document)).scalar_one()
    assert [s.title for s in document.sections] == ["Introduzione"]


def test_invalid_new_document_keeps_what_was_typed(room):
    response = room.facilitator.post(
        f"/workshops/{room.workshop.id}/documents/new",
        data={
            "title": "  ",
            "subtitle": "Corte Franca <21 maggio>",
            "template": "sintesi-laboratori",
        },
    )
    assert response.status_code == 422
    assert "Il titolo è obbligatorio." in response.text
    assert 'value="Corte Franca &lt;21 maggio&gt;"' in response.text
    assert re.search(r'value="sintesi-laboratori"[^>]*checked', response.text)
    assert db.session.execute(db.select(Document)).first() is None


def test_a_template_name_not_in_the_list_is_refused(room):
    response = room.facilitator.post(
        f"/workshops/{room.workshop.id}/documents/new",
        data={"title": "Documento", "template": "../../etc/passwd"},
    )
    assert response.status_code == 422
    assert "Scegli un documento vuoto o uno dei modelli" in response.text
    assert db.session.execute(db.select(Document)).first() is None


def test_participants_and_observers_cannot_create_documents(room):
    for client in (room.participant, room.observer):
        url = f"/workshops/{room.workshop.id}/documents/new"
        assert client.get(url).status_code == 403
        assert client.post(url, data={"title": "X"}).status_code == 403


def test_document_page_shows_outline_guidance_counts_and_editor_slots(room):
    document = _document(room, "scheda-progetto-regionale")
    page = room.observer.get(f"/documents/{document.id}")
    assert page.status_code == 200
    text = page.text
    assert text.count("<h1") == 1
    assert '<span class="section-number fw-semibold">4</span> Azioni' in text
    assert "Indicazioni per chi scrive" in text
    assert "Descrivi le condizioni che rendono necessario il progetto" in text
    assert "/ 1200 parole" in text
    assert "Aperta" in text
    for section in document.sections:
        assert f'<div class="section-editor" data-section-id="{section.id}"></div>' in text
    azioni = next(s for s in document.sections if s.title == "Azioni")
    # "## Fase 1" inside a top-level section (an h2) becomes the h3 right below it.
    assert f'<h3 id="s{azioni.id}-fase-1-avvio">' in text


def test_observers_get_no_controls(room):
    document = _document(room)
    page = room.observer.get(f"/documents/{document.id}")
    assert "Gestisci la sezione" not in page.text
    assert "/state" not in page.text and "/status" not in page.text
    assert "Aggiungi una sezione" not in page.text


def test_facilitators_get_controls(room):
    document = _document(room)
    page = room.facilitator.get(f"/documents/{document.id}").text
    assert page.count("Gestisci la sezione") == len(document.sections)
    assert "Congela il documento" in page
    assert "Aggiungi una sezione" in page


def test_word_limit_warning_is_written_not_only_coloured(room, make):
    document = make.document(room.workshop, sections=2)
    near, over = document.sections
    near.body, near.word_limit = " ".join(["parola"] * 95), 100
    over.body, over.word_limit = " ".join(["parola"] * 103), 100
    db.session.commit()
    text = room.participant.get(f"/documents/{document.id}").text
    assert "95 / 100 parole · vicino al limite" in text
    assert "103 / 100 parole · 3 parole di troppo" in text


def test_html_in_titles_and_text_is_shown_escaped(room, make):
    document = make.document(room.workshop, title="<script>alert(1)</script>", sections=1)
    section = document.sections[0]
    section.title = "<img src=x onerror=alert(2)>"
    section.body = "Testo <script>alert(3)</script> e [link](javascript:alert(4))"
    section.guidance = "<b onclick=x>indicazione</b>"
    db.session.commit()
    text = room.facilitator.get(f"/documents/{document.id}").text
    assert "<script>alert" not in text
    assert "<img src=x" not in text and "<b onclick" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(2)&gt;" in text
    assert 'href="javascript:' not in text


def test_add_section(room, make):
    document = make.document(room.workshop, sections=1)
    response = room.facilitator.post(
        f"/documents/{document.id}/sections", data={"new-title": "Impegni", "new-level": "2"}
    )
    assert response.status_code == 302
    assert [(s.title, s.level) for s in _reload(document).sections][-1] == ("Impegni", 2)


def test_add_section_with_bad_input_keeps_it(room, make):
    document = make.document(room.workshop, sections=1)
    response = room.facilitator.post(
        f"/documents/{document.id}/sections", data={"new-title": "", "new-level": "9"}
    )
    assert response.status_code == 422
    assert "Il titolo è obbligatorio." in response.text
    assert "Scegli un livello dall" in response.text
    assert len(_reload(document).sections) == 1


def test_update_section(room, make):
    document = make.document(room.workshop, sections=1)
    section = document.sections[0]
    prefix = f"edit{section.id}"
    response = room.facilitator.post(
        f"/sections/{section.id}",
        data={
            f"{prefix}-title": "Abitare",
            f"{prefix}-guidance": "Parti dai casi.",
            f"{prefix}-word_limit": "600",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#sezione-{section.id}")
    db.session.expire_all()
    assert (section.title, section.guidance, section.word_limit) == (
        "Abitare",
        "Parti dai casi.",
        600,
    )


def test_update_section_with_bad_word_limit_keeps_what_was_typed(room, make):
    document = make.document(room.workshop, sections=1)
    section = document.sections[0]
    prefix = f"edit{section.id}"
    response = room.facilitator.post(
        f"/sections/{section.id}",
        data={
            f"{prefix}-title": "Titolo «nuovo»",
            f"{prefix}-guidance": "Guida",
            f"{prefix}-word_limit": "seicento",
        },
    )
    assert response.status_code == 422
    assert "Scrivi un numero intero di parole" in response.text
    assert 'value="Titolo «nuovo»"' in response.text
    assert 'value="seicento"' in response.text
    assert '<details class="section-controls mt-3" open>' in response.text
    db.session.expire_all()
    assert section.title == "Sezione 1"


def test_move_section(room, make):
    document = make.document(room.workshop, sections=3)
    last = document.sections[2]
    assert (
        room.facilitator.post(f"/sections/{last.id}/move", data={"direction": "up"}).status_code
        == 302
    )
    assert [s.title for s in _reload(document).sections] == ["Sezione 1", "Sezione 3", "Sezione 2"]


def test_moving_the_first_section_up_is_explained(room, make):
    document = make.document(room.workshop, sections=2)
    first = document.sections[0]
    response = room.facilitator.post(
        f"/sections/{first.id}/move", data={"direction": "up"}, follow_redirects=True
    )
    assert "La sezione è già la prima." in response.text


def test_delete_needs_the_confirmation(room, make):
    document = make.document(room.workshop, sections=2)
    section = document.sections[0]
    response = room.facilitator.post(f"/sections/{section.id}/delete", data={})
    assert response.status_code == 422
    assert "Spunta la conferma per eliminare la sezione." in response.text
    assert len(_reload(document).sections) == 2
    response = room.facilitator.post(f"/sections/{section.id}/delete", data={"confirm": "y"})
    assert response.status_code == 302
    assert [s.title for s in _reload(document).sections] == ["Sezione 2"]


def test_the_last_section_is_not_deleted(room, make):
    document = make.document(room.workshop, sections=1)
    section = document.sections[0]
    response = room.facilitator.post(
        f"/sections/{section.id}/delete", data={"confirm": "y"}, follow_redirects=True
    )
    assert "Un documento ha almeno una sezione" in response.text
    assert db.session.get(Section, section.id) is not None


def test_set_section_state(room, make):
    document = make.document(room.workshop, sections=1)
    section = document.sections[0]
    response = room.facilitator.post(f"/sections/{section.id}/state", data={"state": "locked"})
    assert response.status_code == 302
    db.session.expire_all()
    assert section.state is SectionState.LOCKED
    assert (
        room.facilitator.post(f"/sections/{section.id}/state", data={"state": "x"}).status_code
        == 422
    )


def test_frozen_document_refuses_structure_edits_with_a_message(room, make):
    document = make.document(room.workshop, sections=2)
    first = document.sections[0]
    assert (
        room.facilitator.post(
            f"/documents/{document.id}/status", data={"status": "frozen", "confirm": "y"}
        ).status_code
        == 302
    )
    before = db.session.execute(db.select(db.func.count(AuditEvent.id))).scalar_one()
    attempts = [
        (f"/documents/{document.id}/sections", {"new-title": "Nuova", "new-level": "1"}),
        (f"/sections/{first.id}", {f"edit{first.id}-title": "Rinominata"}),
        (f"/sections/{first.id}/move", {"direction": "down"}),
        (f"/sections/{first.id}/delete", {"confirm": "y"}),
        (f"/sections/{first.id}/state", {"state": "approved"}),
    ]
    for url, data in attempts:
        response = room.facilitator.post(url, data=data, follow_redirects=True)
        assert response.status_code == 200, url
        assert "Il documento è congelato: riportalo in bozza" in response.text, url
    document = _reload(document)
    assert [(s.title, s.state) for s in document.sections] == [
        ("Sezione 1", SectionState.OPEN),
        ("Sezione 2", SectionState.OPEN),
    ]
    assert db.session.execute(db.select(db.func.count(AuditEvent.id))).scalar_one() == before
    page = room.facilitator.get(f"/documents/{document.id}").text
    assert "Gestisci la sezione" not in page and "Aggiungi una sezione" not in page
    assert "Riporta in bozza" in page and "Pubblica" in page


def test_publishing_shows_the_public_link(room, make):
    document = make.document(room.workshop, title="Patto per l'abitare", sections=1)
    for status in ("frozen", "published"):
        room.facilitator.post(
            f"/documents/{document.id}/status", data={"status": status, "confirm": "y"}
        )
    document = _reload(document)
    assert document.status is DocumentStatus.PUBLISHED
    page = room.facilitator.get(f"/documents/{document.id}").text
    assert "http://localhost/p/patto-per-l-abitare" in page


def test_publishing_a_draft_directly_is_refused(room, make):
    document = make.document(room.workshop, sections=1)
    response = room.facilitator.post(
        f"/documents/{document.id}/status", data={"status": "published"}, follow_redirects=True
    )
    assert "Questo passaggio non è consentito" in response.text
    assert _reload(document).status is DocumentStatus.DRAFT


def test_participants_cannot_change_the_structure(room, make):
    document = make.document(room.workshop, sections=2)
    section = document.sections[0]
    for url, data in [
        (f"/documents/{document.id}/sections", {"new-title": "X", "new-level": "1"}),
        (f"/sections/{section.id}/move", {"direction": "down"}),
        (f"/sections/{section.id}/state", {"state": "locked"}),
        (f"/documents/{document.id}/status", {"status": "frozen"}),
    ]:
        assert room.participant.post(url, data=data).status_code == 403
    assert _reload(document).status is DocumentStatus.DRAFT


def test_every_change_is_audited_with_its_actor(room, make):
    document = make.document(room.workshop, sections=2)
    section = document.sections[0]
    room.facilitator.post(f"/sections/{section.id}/move", data={"direction": "down"})
    room.facilitator.post(f"/sections/{section.id}/state", data={"state": "approved"})
    events = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    mine = [(e.action, e.actor_id) for e in events if e.object_type == "section"]
    facilitator_id = room.people[next(r for r in room.people if r.value == "facilitator")].id
    assert mine == [("section.moved", facilitator_id), ("section.state_changed", facilitator_id)]


def test_preview_renders_unsaved_text_like_the_page(room, make):
    document = _document(room)
    section = document.sections[0]
    response = room.participant.post(
        f"/sections/{section.id}/preview",
        json={"body": "Testo **nuovo** <script>alert(1)</script>\n\n# Sotto"},
    )
    assert response.status_code == 200
    html = response.json["html"]
    assert "<strong>nuovo</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<h3" in html  # one level below the section's own h2


def test_preview_refuses_a_malformed_request(room, make):
    document = _document(room)
    response = room.participant.post(
        f"/sections/{document.sections[0].id}/preview", json={"body": 42}
    )
    assert response.status_code == 400
    assert response.json["error"]["code"] == 400


def test_preview_refuses_a_text_beyond_the_section_limit(room, app):
    document = _document(room)
    url = f"/sections/{document.sections[0].id}/preview"
    limit = app.config["SECTION_MAX_BYTES"]
    assert room.participant.post(url, json={"body": "à" * (limit // 2)}).status_code == 200
    response = room.participant.post(url, json={"body": "[" * (limit + 1)})
    assert response.status_code == 413
    assert "lunghezza massima di 150 KB" in response.json["error"]["message"]


def test_preview_runs_one_at_a_time_per_person(room):
    document = _document(room)
    url = f"/sections/{document.sections[0].id}/preview"
    with one_at_a_time("preview", room.people[Role.PARTICIPANT].id):
        refused = room.participant.post(url, json={"body": "Testo."})
    assert refused.status_code == 429
    assert "Attendi che finisca" in refused.json["error"]["message"]
    assert room.participant.post(url, json={"body": "Testo."}).status_code == 200


def test_a_facilitator_turns_tavolo_numbers_off_and_on(room, make):
    document = make.document(room.workshop, sections=2)
    url = f"/documents/{document.id}/numbering"
    assert room.participant.post(url, data={"numbered": "no"}).status_code == 403
    page = room.facilitator.get(f"/documents/{document.id}").text
    assert '<span class="section-number fw-semibold">2</span> Sezione 2' in page
    off = room.facilitator.post(url, data={"numbered": "no"}, follow_redirects=True)
    assert "Tavolo non numera più le sezioni" in off.text
    assert not _reload(document).numbered
    assert 'class="section-number' not in off.text and "Sezione 2</a>" in off.text
    assert room.facilitator.post(url, data={"numbered": "forse"}).status_code == 422
    room.facilitator.post(url, data={"numbered": "si"})
    assert _reload(document).numbered
    room.facilitator.post(
        f"/documents/{document.id}/status", data={"status": "frozen", "confirm": "y"}
    )
    refused = room.facilitator.post(url, data={"numbered": "no"}, follow_redirects=True)
    assert "La numerazione si cambia solo quando il documento è in bozza." in refused.text
    assert _reload(document).numbered
