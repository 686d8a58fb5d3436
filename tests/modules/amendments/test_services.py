from __future__ import annotations

import pytest

from app.core.merge import Outcome
from app.core.permissions import DocumentStatus, SectionState
from app.core.words import count_words
from app.extensions import db
from app.modules.amendments import services
from app.modules.amendments.models import AmendmentStatus, Stance
from app.modules.port import write_text
from app.modules.revisions.models import Revision
from tests.modules.amendments.conftest import BODY, Table


def _on_passage(table: Table, quote: str, replacement: str, who: str = "anna"):  # type: ignore[no-untyped-def]
    start = BODY.index(quote)
    passage = services.Passage(start, start + len(quote), quote)
    return services.propose(
        table.people[who], table.section, BODY, replacement, "Più preciso.", passage
    )


def test_a_passage_amendment_stores_the_whole_proposed_text(table: Table) -> None:
    amendment = _on_passage(table, "la casa e il lavoro", "l'abitare, il lavoro e la socialità")
    assert amendment.proposed_text == BODY.replace(
        "la casa e il lavoro", "l'abitare, il lavoro e la socialità"
    )
    assert amendment.base_text == BODY and amendment.status is AmendmentStatus.PENDING
    assert amendment.passage_quote == "la casa e il lavoro"


def test_accepting_merges_into_the_text_that_moved_on_and_records_the_amendment(
    table: Table,
) -> None:
    amendment = _on_passage(table, "la casa e il lavoro", "l'abitare e il lavoro")
    db.session.commit()
    # Someone keeps typing above the passage before the facilitator decides.
    write_text(table.people["bruno"], table.section, "Premessa.\n\n" + BODY, "typed-by-test")
    result = services.accept(table.people["facilitator"], amendment)
    db.session.commit()
    assert result.outcome is Outcome.FUZZY
    db.session.expire_all()
    assert table.section.body == "Premessa.\n\n" + BODY.replace("la casa", "l'abitare")
    revision = db.session.get(Revision, amendment.revision_id)
    assert (revision.origin, revision.source_id) == ("amendment", amendment.id)
    assert amendment.status is AmendmentStatus.ACCEPTED
    assert amendment.decided_by_id == table.people["facilitator"].id


def test_a_conflict_applies_nothing_and_resolving_keeps_later_typing(table: Table) -> None:
    amendment = _on_passage(table, "la casa e il lavoro", "l'abitare e il lavoro")
    db.session.commit()
    rewritten = BODY.replace("la casa e il lavoro", "l'alloggio, la scuola e il lavoro")
    write_text(table.people["bruno"], table.section, rewritten, "typed-by-test")
    with pytest.raises(services.Conflict) as caught:
        services.accept(table.people["facilitator"], amendment)
    db.session.rollback()
    db.session.expire_all()
    assert table.section.body == rewritten and amendment.is_pending
    conflict = caught.value
    assert conflict.shown == rewritten and conflict.result.conflicts
    # While the facilitator resolves, someone adds a sentence at the end.
    write_text(table.people["bruno"], table.section, rewritten + " Fine.", "typed-by-test")
    resolved = rewritten.replace("l'alloggio", "l'abitare")
    services.resolve(table.people["facilitator"], amendment, conflict.shown, resolved)
    db.session.commit()
    db.session.expire_all()
    assert table.section.body == resolved + " Fine."
    assert amendment.status is AmendmentStatus.ACCEPTED


@pytest.mark.parametrize(
    ("state", "status"),
    [(SectionState.LOCKED, DocumentStatus.DRAFT), (SectionState.OPEN, DocumentStatus.FROZEN)],
)
def test_no_amendment_on_a_locked_section_or_a_frozen_document(
    table: Table, state: SectionState, status: DocumentStatus
) -> None:
    table.section.state, table.document.status = state, status
    with pytest.raises(services.AmendmentError):
        services.propose(table.people["anna"], table.section, BODY, BODY + " Altro.", "")


@pytest.mark.parametrize("replacement", ["", "   ", BODY])
def test_empty_or_unchanged_whole_section_proposals_are_refused(
    table: Table, replacement: str
) -> None:
    with pytest.raises(services.AmendmentError):
        services.propose(table.people["anna"], table.section, BODY, replacement, "")


@pytest.mark.parametrize(
    "passage",
    [
        services.Passage(0, 5, "Altro"),
        services.Passage(-len(BODY), len(BODY), BODY),
        services.Passage(0, 0, ""),
        services.Passage(len(BODY), len(BODY) + 3, "abc"),
    ],
)
def test_a_passage_that_is_not_in_the_base_is_refused(
    table: Table, passage: services.Passage
) -> None:
    with pytest.raises(services.AmendmentError):
        services.propose(table.people["anna"], table.section, BODY, "x", "", passage)


def test_stances_are_one_per_person_and_changeable(table: Table) -> None:
    amendment = _on_passage(table, "la casa", "l'abitare")
    services.take_stance(table.people["bruno"], amendment, Stance.SUPPORT)
    services.take_stance(table.people["bruno"], amendment, Stance.OPPOSE, "Meno chiaro.")
    services.take_stance(table.people["carla"], amendment, Stance.SUPPORT)
    assert (amendment.count(Stance.SUPPORT), amendment.count(Stance.OPPOSE)) == (1, 1)
    with pytest.raises(services.NotAllowed):
        services.take_stance(table.people["anna"], amendment, Stance.SUPPORT)


def test_withdrawing_only_by_the_author_and_before_support(table: Table) -> None:
    amendment = _on_passage(table, "la casa", "l'abitare")
    with pytest.raises(services.NotAllowed):
        services.withdraw(table.people["bruno"], amendment)
    services.take_stance(table.people["bruno"], amendment, Stance.SUPPORT)
    with pytest.raises(services.AmendmentError):
        services.withdraw(table.people["anna"], amendment)


def test_rejecting_needs_a_reason_and_happens_once(table: Table) -> None:
    amendment = _on_passage(table, "la casa", "l'abitare")
    with pytest.raises(services.AmendmentError):
        services.reject(table.people["facilitator"], amendment, "  ")
    services.reject(table.people["facilitator"], amendment, "Fuori tema.")
    assert amendment.status is AmendmentStatus.REJECTED
    with pytest.raises(services.AmendmentError):
        services.accept(table.people["facilitator"], amendment)


def test_the_suggestion_marks_insertions_and_deletions_against_the_live_text(
    table: Table,
) -> None:
    amendment = _on_passage(table, "la casa", "l'abitare")
    suggestion = services.suggestion(amendment, "Premessa.\n\n" + BODY)
    assert suggestion.fits
    changed = [(c.op.value, c.text) for c in suggestion.chunks if c.op.value != "equal"]
    assert ("delete", "la casa") in changed or ("delete", "casa") in changed
    assert any(op == "insert" and "abitare" in text for op, text in changed)


def test_the_passage_is_found_again_near_where_it_was_selected(table: Table) -> None:
    text = "la casa. " + BODY
    asked = services.Passage(BODY.index("la casa"), BODY.index("la casa") + 7, "la casa")
    found = services.locate_passage(text, asked)
    assert found is not None and text[found.start : found.end] == "la casa"
    assert found.start == BODY.index("la casa") + len("la casa. ")
    assert services.locate_passage(text, services.Passage(0, 3, "nulla")) is None


def test_an_amendment_that_would_make_the_section_too_long_is_refused(app, table: Table) -> None:  # type: ignore[no-untyped-def]
    amendment = _on_passage(table, "la casa e il lavoro", "la casa e il lavoro " * 20)
    db.session.commit()
    limit = len(BODY.encode()) + 100
    app.config["SECTION_MAX_BYTES"] = app.extensions["tavolo.live"].store.max_text_bytes = limit
    with pytest.raises(services.AmendmentError, match="Dividi il testo in più sezioni"):
        services.accept(table.people["facilitator"], amendment)
    db.session.expire_all()
    assert table.section.body == BODY and amendment.is_pending


def test_an_amendment_past_a_hard_word_limit_is_refused(table: Table) -> None:
    amendment = _on_passage(table, "la casa e il lavoro", "la casa e il lavoro " * 20)
    table.section.word_limit, table.section.word_limit_hard = count_words(BODY) + 5, True
    db.session.commit()
    with pytest.raises(services.AmendmentError, match="limite rigido"):
        services.accept(table.people["facilitator"], amendment)
    db.session.expire_all()
    assert table.section.body == BODY and amendment.is_pending
    table.section.word_limit_hard = False
    db.session.commit()
    services.accept(table.people["facilitator"], amendment)
    assert count_words(table.section.body) > table.section.word_limit
