"""A synthesis built from three labs on a real database and the real live layer: the
passages keep their sources through edits of both texts, a lab's later change is offered
as an update, and a deleted or rewritten source is marked, never lost."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from app.core.provenance import SourceState
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.documents import services as documents
from app.modules.documents.models import Document, Section
from app.modules.history import services as history
from app.modules.port import current_text, write_text
from app.modules.synthesis import services as synthesis
from app.modules.synthesis.models import PulledPassage
from tests import factories
from tests.modules.amendments.conftest import Table


def _section(document: Document, title: str) -> Section:
    return next(s for s in document.sections if s.title == title)


def _span(section: Section, words: str) -> tuple[int, int]:
    text = current_text(section.id)
    start = text.index(words)
    return start, start + len(words)


def test_a_synthesis_has_its_headings_and_its_labs(table: Table, built) -> None:  # type: ignore[no-untyped-def]
    made, labs = built
    assert [s.title for s in made.document.sections] == [
        "Punti di forza",
        "Criticità",
        "Proposte",
        "Buone pratiche",
    ]
    assert made.sources == labs
    assert synthesis.synthesis_of(made.document) is made
    assert synthesis.synthesis_of(labs[0]) is None


def test_a_pulled_passage_keeps_its_source_through_edits_of_both_texts(
    table: Table,
    built,  # type: ignore[no-untyped-def]
) -> None:
    made, labs = built
    facilitator, bruno = table.people["facilitator"], table.people["bruno"]
    proposals = _section(made.document, "Proposte")
    lab = labs[0].sections[0]
    words = "Serve un fondo di garanzia per gli affitti."
    passage = synthesis.pull(facilitator, proposals, lab, _span(lab, words))
    db.session.commit()
    assert current_text(proposals.id).strip() == words
    assert passage.source_document_title == "Laboratorio 1 · Abitare"

    # People keep writing in both texts, around the passage.
    write_text(
        bruno,
        proposals,
        "Prima proposta della plenaria.\n\n" + current_text(proposals.id),
        "typed-by-test",
    )
    write_text(bruno, lab, "Premessa del laboratorio.\n\n" + current_text(lab.id), "typed-by-test")
    [view] = synthesis.passages_of(made.document)
    assert view.check.state is SourceState.SAME

    # The lab refines the passage: the synthesis is told, with the lab's new words.
    refined = "Serve un fondo di garanzia regionale per gli affitti."
    write_text(bruno, lab, current_text(lab.id).replace(words, refined), "typed-by-test")
    [view] = synthesis.passages_of(made.document)
    assert view.check.state is SourceState.CHANGED and view.check.current == refined

    synthesis.update(facilitator, passage)
    db.session.commit()
    text = current_text(proposals.id)
    assert refined in text and words not in text
    assert text.startswith("Prima proposta della plenaria.")
    [view] = synthesis.passages_of(made.document)
    assert view.check.state is SourceState.SAME
    revision_origins = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.action.startswith("synthesis."))
    ).all()
    assert revision_origins == ["synthesis.created", "synthesis.pulled", "synthesis.updated"]


def test_a_whole_section_is_pulled_and_coverage_shows_what_is_left(
    table: Table,
    built,  # type: ignore[no-untyped-def]
) -> None:
    made, labs = built
    facilitator = table.people["facilitator"]
    strengths = _section(made.document, "Punti di forza")
    synthesis.pull(facilitator, strengths, labs[1].sections[0])
    lab = labs[2].sections[0]
    synthesis.pull(
        facilitator, strengths, lab, _span(lab, "Le biblioteche restano aperte la sera.")
    )
    db.session.commit()
    whole = synthesis.coverage(made, labs[1])
    assert [p.used for p in whole[0].paragraphs] == [True, True]
    partial = synthesis.coverage(made, labs[2])
    assert [p.used for p in partial[0].paragraphs] == [True, False]
    assert partial[0].unused == 1
    untouched = synthesis.coverage(made, labs[0])
    assert untouched[0].unused == 2


def test_a_deleted_or_rewritten_source_is_marked_and_the_synthesis_keeps_its_words(
    table: Table,
    built,  # type: ignore[no-untyped-def]
) -> None:
    made, labs = built
    facilitator = table.people["facilitator"]
    practices = _section(made.document, "Buone pratiche")
    rewritten_lab, deleted_lab = labs[1].sections[0], labs[2].sections[0]
    synthesis.pull(
        facilitator,
        practices,
        rewritten_lab,
        _span(rewritten_lab, "I tirocini durano almeno sei mesi."),
    )
    synthesis.pull(
        facilitator,
        practices,
        deleted_lab,
        _span(deleted_lab, "Le associazioni usano gli spazi delle scuole."),
    )
    db.session.commit()
    write_text(
        table.people["anna"], rewritten_lab, "Tutt'altro testo, scritto da capo.", "typed-by-test"
    )
    factories.document(labs[2].workshop, "Segnaposto", sections=1)
    documents.add_section(facilitator, labs[2], "Altro", 1)
    documents.delete_section(facilitator, deleted_lab)
    db.session.commit()

    views = synthesis.passages_of(made.document)
    assert [v.check.state for v in views] == [SourceState.LOST, SourceState.LOST]
    assert views[1].passage.source_section_id is None
    assert views[1].passage.source_document_title == "Laboratorio 3 · Socialità"
    for view in views:
        with pytest.raises(synthesis.SynthesisError, match="resta com'era"):
            synthesis.update(facilitator, view.passage)
    text = current_text(practices.id)
    assert "I tirocini durano almeno sei mesi." in text
    assert "Le associazioni usano gli spazi delle scuole." in text


def test_what_cannot_be_pulled_is_refused_and_nothing_is_written(
    table: Table,
    built,  # type: ignore[no-untyped-def]
) -> None:
    made, labs = built
    facilitator = table.people["facilitator"]
    proposals = _section(made.document, "Proposte")
    elsewhere = factories.document(factories.workshop("Un altro tavolo"), sections=1)
    db.session.commit()
    cases = [
        (proposals, elsewhere.sections[0], None, "non è tra i laboratori"),
        (labs[0].sections[0], labs[1].sections[0], None, "soltanto in un documento di sintesi"),
        (proposals, labs[0].sections[0], (5, 5), "selezionalo di nuovo"),
        (proposals, labs[0].sections[0], (0, 10_000), "selezionalo di nuovo"),
    ]
    for target, source, span, message in cases:
        with pytest.raises(synthesis.SynthesisError, match=message):
            synthesis.pull(facilitator, target, source, span)
        db.session.rollback()
    documents.set_section_state(facilitator, proposals, documents.SectionState.LOCKED)
    db.session.commit()
    with pytest.raises(synthesis.SynthesisError, match="è bloccata"):
        synthesis.pull(facilitator, proposals, labs[0].sections[0])
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(PulledPassage.id))) == 0
    assert current_text(proposals.id) == ""


def test_a_selection_made_on_an_older_page_pulls_the_words_selected(
    table: Table,
    built,  # type: ignore[no-untyped-def]
) -> None:
    made, labs = built
    facilitator = table.people["facilitator"]
    proposals = _section(made.document, "Proposte")
    lab = labs[0].sections[0]
    words = "Serve un fondo di garanzia per gli affitti."
    seen = _span(lab, words)
    # Someone writes above the passage after the facilitator's page was drawn.
    write_text(table.people["bruno"], lab, "Premessa.\n\n" + current_text(lab.id), "typed-by-test")
    synthesis.pull(facilitator, proposals, lab, seen, quote=words)
    db.session.commit()
    assert current_text(proposals.id).strip() == words

    # Words the lab no longer has are refused, not replaced by what sits there now.
    with pytest.raises(synthesis.SynthesisError, match="selezionalo di nuovo"):
        synthesis.pull(facilitator, proposals, lab, seen, quote="Un fondo che non c'è più.")
    db.session.rollback()
    assert current_text(proposals.id).strip() == words


def test_a_passage_deleted_from_the_synthesis_no_longer_covers_its_lab(
    table: Table,
    built,  # type: ignore[no-untyped-def]
) -> None:
    made, labs = built
    facilitator = table.people["facilitator"]
    strengths = _section(made.document, "Punti di forza")
    lab = labs[2].sections[0]
    synthesis.pull(
        facilitator, strengths, lab, _span(lab, "Le biblioteche restano aperte la sera.")
    )
    db.session.commit()
    [view] = synthesis.passages_of(made.document)
    assert view.in_synthesis
    assert [p.used for p in synthesis.coverage(made, labs[2])[0].paragraphs] == [True, False]

    write_text(table.people["bruno"], strengths, "Altro, scritto in plenaria.", "typed-by-test")
    [view] = synthesis.passages_of(made.document)
    assert not view.in_synthesis
    assert view.check.state is SourceState.SAME
    assert [p.used for p in synthesis.coverage(made, labs[2])[0].paragraphs] == [False, False]


def test_a_lab_restored_to_an_older_version_is_marked_and_the_synthesis_keeps_its_words(
    table: Table,
    built,  # type: ignore[no-untyped-def]
) -> None:
    made, labs = built
    facilitator, anna = table.people["facilitator"], table.people["anna"]
    lab, proposals = labs[0], _section(made.document, "Proposte")
    source = lab.sections[0]
    morning = history.save_version(facilitator, lab, "mattina")
    db.session.commit()
    # In the afternoon the lab adds a proposal, which the synthesis takes...
    added = "Un fondo regionale copre le morosità incolpevoli."
    write_text(anna, source, current_text(source.id) + "\n\n" + added, "typed-by-test")
    synthesis.pull(facilitator, proposals, source, _span(source, added))
    db.session.commit()
    # ...then the lab goes back to its morning version, and the proposal is gone.
    history.restore_version(facilitator, lab, morning)
    db.session.commit()
    [view] = synthesis.passages_of(made.document)
    assert view.check.state is SourceState.LOST
    assert view.passage.source_section_id == source.id
    assert added in current_text(proposals.id)
    # Restoring the later text brings the link back as it was.
    write_text(anna, source, current_text(source.id) + "\n\n" + added, "typed-by-test")
    [view] = synthesis.passages_of(made.document)
    assert view.check.state is SourceState.SAME


def test_the_labs_version_moves_with_a_lab_s_typing_in_one_query(table: Table, built) -> None:  # type: ignore[no-untyped-def]
    made, labs = built
    facilitator = table.people["facilitator"]
    statements: list[str] = []

    def counted(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    document = made.document
    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        first = synthesis.sources_version(document)
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    assert first is not None and len(statements) == 1

    # Typing in the synthesis itself is not the labs' news.
    write_text(facilitator, _section(made.document, "Proposte"), "Una proposta.", "typed")
    assert synthesis.sources_version(made.document) == first
    # A lab's keystrokes move it as soon as they are in the section's live log.
    lab = labs[1].sections[0]
    write_text(table.people["bruno"], lab, current_text(lab.id) + "\n\nAnche d'estate.", "typed")
    typed = synthesis.sources_version(made.document)
    assert typed != first
    assert synthesis.sources_version(made.document) == typed
    # A section added to a lab, or renamed, is shown beside the synthesis too.
    added = documents.add_section(facilitator, labs[2], "Cosa manca", 1)
    db.session.commit()
    grown = synthesis.sources_version(made.document)
    assert grown != typed
    added.title = "Cosa manca ancora"
    db.session.commit()
    assert synthesis.sources_version(made.document) != grown
    # A lab that is not in this synthesis says nothing to it.
    other = factories.document(labs[0].workshop, "Laboratorio 4", sections=1)
    before = synthesis.sources_version(made.document)
    write_text(facilitator, other.sections[0], "Altro testo.", "typed")
    assert synthesis.sources_version(made.document) == before
    assert synthesis.sources_version(labs[0]) is None
