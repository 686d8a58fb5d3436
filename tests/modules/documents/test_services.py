from __future__ import annotations

import pytest

from app.core.permissions import DocumentStatus, SectionState
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.documents import services
from app.modules.documents.models import Document, Section
from app.modules.documents.services import DocumentError


def _titles(document: Document) -> list[str]:
    return [s.title for s in document.sections]


def _positions(document: Document) -> list[int]:
    return [s.position for s in document.sections]


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.execute(db.select(AuditEvent).where(AuditEvent.action == action)).scalars()
    )


def test_template_gives_sections_with_guidance_limits_and_starting_text(app, make):
    workshop = make.workshop()
    document = services.create_document(
        None, workshop, "  Scheda RIAbita  ", "scheda-progetto-regionale"
    )
    db.session.commit()
    assert document.title == "Scheda RIAbita"
    assert document.template_name == "scheda-progetto-regionale"
    assert document.subtitle == "Proposta per la programmazione sovrazonale dei Piani di Zona"
    sections = {s.title: s for s in document.sections}
    assert sections["Azioni"].word_limit == 1200
    assert sections["Obiettivi"].word_limit == 400
    assert all(s.guidance and s.word_limit for s in document.sections)
    assert "## Fase 1 · Avvio" in sections["Azioni"].body
    assert _positions(document) == list(range(len(document.sections)))
    assert _events("document.created")[0].details == {"template": "scheda-progetto-regionale"}


def test_subtitle_typed_by_the_facilitator_wins_over_the_template(app, make):
    document = services.create_document(
        None, make.workshop(), "Documento", "budget-di-salute", subtitle="Corte Franca, 21 maggio"
    )
    assert document.subtitle == "Corte Franca, 21 maggio"
    assert _titles(document)[0] == "Premessa"


def test_blank_document_opens_on_one_empty_section(app, make):
    document = services.create_document(None, make.workshop(), "Documento")
    assert _titles(document) == ["Introduzione"]
    assert document.sections[0].body == ""
    assert document.template_name is None


def test_unknown_template_is_refused_with_the_available_names(app, make):
    workshop = make.workshop()
    with pytest.raises(DocumentError) as error:
        services.create_document(None, workshop, "Documento", "../config")
    message = str(error.value)
    assert "«../config» non esiste" in message
    assert "budget-di-salute, scheda-progetto-regionale, sintesi-laboratori" in message
    db.session.commit()
    assert db.session.execute(db.select(Document)).first() is None


def test_broken_template_is_refused_with_its_problem(app, make, tmp_path):
    (tmp_path / "rotto.md").write_text("---\ntitle: T\n---\n", encoding="utf-8")
    app.config["DOCUMENT_TEMPLATES_DIR"] = tmp_path
    with pytest.raises(DocumentError) as error:
        services.create_document(None, make.workshop(), "Documento", "rotto")
    assert "rotto.md" in str(error.value) and "almeno una sezione" in str(error.value)


def test_empty_title_is_refused(app, make):
    with pytest.raises(DocumentError, match="titolo"):
        services.create_document(None, make.workshop(), "   ")


def test_added_section_goes_at_the_end(app, make):
    document = make.document(make.workshop(), sections=2)
    section = services.add_section(None, document, " Sottosezione ", 2)
    assert _titles(document)[-1] == "Sottosezione"
    assert (section.position, section.level) == (2, 2)
    with pytest.raises(DocumentError, match="livello"):
        services.add_section(None, document, "Troppo profonda", 4)
    with pytest.raises(DocumentError, match="vuoto"):
        services.add_section(None, document, " ", 1)


def test_update_section_keeps_html_exactly_as_typed(app, make):
    document = make.document(make.workshop(), sections=1)
    section = document.sections[0]
    services.update_section(None, section, "<b>Abitare</b>", "Indica <script>chi</script>.", 600)
    db.session.commit()
    assert (section.title, section.guidance, section.word_limit) == (
        "<b>Abitare</b>",
        "Indica <script>chi</script>.",
        600,
    )
    with pytest.raises(DocumentError, match="limite"):
        services.update_section(None, section, "Abitare", "", 0)


def test_move_swaps_neighbours_and_keeps_positions_contiguous(app, make):
    document = make.document(make.workshop(), sections=3)
    first, second, third = document.sections
    services.move_section(None, first, "down")
    assert document.sections == [second, first, third]
    services.move_section(None, third, "up")
    db.session.commit()
    db.session.expire_all()
    assert _titles(db.session.get(Document, document.id)) == ["Sezione 2", "Sezione 3", "Sezione 1"]
    assert _positions(document) == [0, 1, 2]


def test_move_past_either_end_is_refused(app, make):
    document = make.document(make.workshop(), sections=2)
    with pytest.raises(DocumentError, match="già la prima"):
        services.move_section(None, document.sections[0], "up")
    with pytest.raises(DocumentError, match="già l'ultima"):
        services.move_section(None, document.sections[1], "down")
    with pytest.raises(DocumentError):
        services.move_section(None, document.sections[1], "sideways")


def test_delete_renumbers_and_keeps_the_text_in_the_audit_trail(app, make):
    document = make.document(make.workshop(), sections=3)
    services.delete_section(None, document.sections[1])
    db.session.commit()
    assert _titles(document) == ["Sezione 1", "Sezione 3"]
    assert _positions(document) == [0, 1]
    assert (
        db.session.execute(db.select(Section).where(Section.title == "Sezione 2")).first() is None
    )
    assert _events("section.deleted")[0].details["body"] == "Testo della sezione 2."


def test_the_last_section_cannot_be_deleted(app, make):
    document = make.document(make.workshop(), sections=1)
    with pytest.raises(DocumentError, match="almeno una sezione"):
        services.delete_section(None, document.sections[0])
    assert len(document.sections) == 1


def test_section_state_changes_are_recorded(app, make):
    section = make.document(make.workshop(), sections=1).sections[0]
    services.set_section_state(None, section, SectionState.LOCKED)
    services.set_section_state(None, section, SectionState.APPROVED)
    assert section.state is SectionState.APPROVED
    assert [e.details for e in _events("section.state_changed")] == [
        {"before": "open", "after": "locked"},
        {"before": "locked", "after": "approved"},
    ]


@pytest.mark.parametrize("status", [DocumentStatus.FROZEN, DocumentStatus.PUBLISHED])
def test_structure_of_a_frozen_or_published_document_cannot_change(app, make, status):
    document = make.document(make.workshop(), sections=2)
    services.set_status(None, document, DocumentStatus.FROZEN)
    if status is DocumentStatus.PUBLISHED:
        services.set_status(None, document, status)
    db.session.commit()
    first = document.sections[0]
    attempts = [
        lambda: services.add_section(None, document, "Nuova", 1),
        lambda: services.update_section(None, first, "Rinominata", "", None),
        lambda: services.move_section(None, first, "down"),
        lambda: services.delete_section(None, first),
        lambda: services.set_section_state(None, first, SectionState.LOCKED),
    ]
    for attempt in attempts:
        with pytest.raises(DocumentError, match=r"congelato|pubblicato"):
            attempt()
    db.session.rollback()
    assert _titles(document) == ["Sezione 1", "Sezione 2"]
    assert first.state is SectionState.OPEN


def test_status_goes_through_frozen_to_published(app, make):
    document = make.document(make.workshop(), title="Budget di salute: abitare, lavoro, socialità")
    with pytest.raises(DocumentError, match="non è consentito"):
        services.set_status(None, document, DocumentStatus.PUBLISHED)
    services.set_status(None, document, DocumentStatus.FROZEN)
    services.set_status(None, document, DocumentStatus.DRAFT)
    services.set_status(None, document, DocumentStatus.FROZEN)
    assert document.slug is None and document.published_at is None
    services.set_status(None, document, DocumentStatus.PUBLISHED)
    assert document.slug == "budget-di-salute-abitare-lavoro-socialita"
    assert document.published_at is not None
    with pytest.raises(DocumentError):
        services.set_status(None, document, DocumentStatus.DRAFT)


def _publish(document: Document) -> None:
    services.set_status(None, document, DocumentStatus.FROZEN)
    services.set_status(None, document, DocumentStatus.PUBLISHED)
    db.session.commit()


def test_slugs_are_unique_and_never_look_like_an_id(app, make):
    workshop = make.workshop()
    first, second = (
        make.document(workshop, title="Sintesi"),
        make.document(workshop, title="Sintesi"),
    )
    year = make.document(workshop, title="2026")
    for document in (first, second, year):
        _publish(document)
    assert (first.slug, second.slug, year.slug) == ("sintesi", "sintesi-2", "documento-2026")


def test_published_document_is_found_by_id_or_slug_and_drafts_are_not(app, make):
    workshop = make.workshop()
    draft, published = (
        make.document(workshop, title="Bozza"),
        make.document(workshop, title="Finale"),
    )
    _publish(published)
    assert services.published_document(str(published.id)) is published
    assert services.published_document("finale") is published
    assert services.published_document(str(draft.id)) is None
    assert services.published_document("9" * 40) is None
    assert services.published_document("¹") is None
