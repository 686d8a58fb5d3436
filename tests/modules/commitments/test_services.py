"""The commitments register's services on a real database: recording and proposing,
agreeing, the institution's link, the history, the CSV and the export annex."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.commitments import Draft, Status
from app.core.tokens import hash_token
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.commitments import services
from app.modules.commitments.annex import commitments_markdown
from app.modules.commitments.models import Commitment, CommitmentChange
from app.modules.timeutil import utcnow
from app.modules.votes import services as votes
from tests.modules.amendments.conftest import Table

TODAY = utcnow().date()
DRAFT = Draft(
    institution="Comune di Iseo",
    action="Apre uno sportello per l'abitare in ogni quartiere.",
    responsible="Maria Rossi",
    due_on=TODAY + dt.timedelta(days=180),
    indicator="Sportelli aperti",
)


def _record(table: Table, persona: str = "facilitator", draft: Draft = DRAFT, clause=None):  # type: ignore[no-untyped-def]
    commitment = services.record_commitment(
        table.people[persona], table.memberships[persona], draft, clause, TODAY
    )
    db.session.commit()
    return commitment


def _agree(table: Table, commitment: Commitment, note: str = "") -> None:
    services.change_status(
        table.people["facilitator"],
        table.memberships["facilitator"],
        commitment,
        Status.AGREED,
        note,
    )
    db.session.commit()


def _actions(table: Table) -> list[str]:
    return list(
        db.session.scalars(
            db.select(AuditEvent.action)
            .where(AuditEvent.action.startswith("commitment."))
            .order_by(AuditEvent.id)
        )
    )


def _count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Commitment)) or 0


def test_a_facilitator_records_and_a_participant_proposes_both_as_proposals(table: Table) -> None:
    recorded = _record(table)
    proposed = _record(table, "anna", Draft(" Regione Lombardia ", "  Finanzia il fondo. "))
    assert (recorded.status, proposed.status) == (Status.PROPOSED, Status.PROPOSED)
    assert (proposed.institution, proposed.action) == ("Regione Lombardia", "Finanzia il fondo.")
    [first] = recorded.changes
    assert (first.from_status, first.to_status, first.actor_id) == (
        None,
        Status.PROPOSED,
        table.people["facilitator"].id,
    )
    assert _actions(table) == ["commitment.recorded", "commitment.proposed"]


def test_an_observer_proposes_nothing(table: Table) -> None:
    with pytest.raises(services.NotAllowed, match="leggere gli impegni"):
        _record(table, "oscar")
    db.session.rollback()
    assert _count() == 0


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        (Draft("", "Apre uno sportello."), "Indica l'ente che si impegna."),
        (Draft("Comune di Iseo", "   "), "Descrivi l'azione"),
        (
            Draft("Comune di Iseo", "Apre.", due_on=TODAY - dt.timedelta(days=1)),
            "La scadenza è già passata",
        ),
    ],
)
def test_bad_input_is_refused_with_its_reason_and_nothing_is_saved(
    table: Table, draft: Draft, message: str
) -> None:
    with pytest.raises(services.CommitmentError, match=message):
        _record(table, draft=draft)
    db.session.rollback()
    assert _count() == 0
    assert _actions(table) == []


def test_the_passage_is_anchored_and_found_again_after_the_text_moves(table: Table) -> None:
    passage = "finanziano insieme la casa e il lavoro"
    commitment = _record(table, clause=services.Clause(table.section, passage))
    assert (commitment.section_id, commitment.anchor_quote) == (table.section.id, passage)
    assert commitment.anchor_prefix and commitment.anchor_suffix == "."
    table.section.body = "Un paragrafo nuovo in cima.\n\n" + table.section.body
    db.session.commit()
    [entry] = services.register(table.document.workshop)
    assert (entry.passage, entry.orphaned) == (passage, False)
    table.section.body = "Tutto riscritto da capo."
    db.session.commit()
    [entry] = services.register(table.document.workshop)
    assert (entry.passage, entry.orphaned) == (passage, True)


def test_a_passage_not_in_the_section_is_refused(table: Table) -> None:
    with pytest.raises(services.CommitmentError, match="non si trova nel testo"):
        _record(table, clause=services.Clause(table.section, "parole che non ci sono mai state"))
    db.session.rollback()
    assert _count() == 0


def test_a_section_of_another_workshop_is_refused(table: Table, make) -> None:  # type: ignore[no-untyped-def]
    other = make.document(make.workshop("Un altro tavolo"))
    with pytest.raises(services.CommitmentError, match="di questo tavolo"):
        _record(table, clause=services.Clause(other.sections[0]))


def test_a_facilitator_agrees_and_the_history_says_who_when_and_why(table: Table) -> None:
    commitment = _record(table)
    _agree(table, commitment, "Approvato in plenaria all'unanimità")
    assert commitment.status is Status.AGREED
    last = commitment.changes[-1]
    assert (last.from_status, last.to_status, last.note, last.via_link) == (
        Status.PROPOSED,
        Status.AGREED,
        "Approvato in plenaria all'unanimità",
        False,
    )
    assert services.history_line(last) == (
        "Concordata (Facilitator): Approvato in plenaria all'unanimità"
    )
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "commitment.status_changed")
    ).one()
    assert event.details["before"] == "proposed" and event.details["after"] == "agreed"


def test_a_participant_trying_to_agree_is_told_why_and_nothing_changes(table: Table) -> None:
    commitment = _record(table, "anna")
    with pytest.raises(services.NotAllowed, match="Solo un facilitatore può registrare"):
        services.change_status(
            table.people["anna"], table.memberships["anna"], commitment, Status.AGREED, ""
        )
    db.session.rollback()
    assert commitment.status is Status.PROPOSED
    assert len(commitment.changes) == 1


def test_an_unknown_move_is_refused(table: Table) -> None:
    commitment = _record(table)
    with pytest.raises(services.CommitmentError, match="non può passare"):
        services.change_status(
            table.people["facilitator"],
            table.memberships["facilitator"],
            commitment,
            Status.DONE,
            "",
        )
    db.session.rollback()
    assert commitment.status is Status.PROPOSED


def test_the_link_is_kept_hashed_renewed_and_revoked(table: Table) -> None:
    commitment = _record(table)
    facilitator = table.people["facilitator"]
    first = services.issue_link(facilitator, commitment).rsplit("/", 1)[1]
    db.session.commit()
    assert commitment.token_hash == hash_token(first)
    assert services.commitment_for_token(first) is commitment
    second = services.issue_link(facilitator, commitment).rsplit("/", 1)[1]
    db.session.commit()
    assert services.commitment_for_token(first) is None
    assert services.commitment_for_token(second) is commitment
    services.revoke_link(facilitator, commitment)
    db.session.commit()
    assert services.commitment_for_token(second) is None
    with pytest.raises(services.CommitmentError, match="non ha un link"):
        services.revoke_link(facilitator, commitment)
    assert _actions(table)[1:] == [
        "commitment.link_issued",
        "commitment.link_renewed",
        "commitment.link_revoked",
    ]


def test_the_institution_follows_up_an_agreed_commitment_through_its_link(table: Table) -> None:
    commitment = _record(table)
    with pytest.raises(services.CommitmentError, match="non è ancora stato concordato"):
        services.update_through_link(commitment, Status.IN_PROGRESS, "")
    db.session.rollback()
    _agree(table, commitment)
    services.update_through_link(commitment, Status.IN_PROGRESS, "Bando pubblicato il 3 marzo")
    db.session.commit()
    with pytest.raises(services.CommitmentError, match="si può solo dire"):
        services.update_through_link(commitment, Status.AGREED, "")
    db.session.rollback()
    assert commitment.status is Status.IN_PROGRESS
    last = commitment.changes[-1]
    assert (last.actor_id, last.via_link) == (None, True)
    assert services.history_line(last) == (
        "In corso (l'ente, con il suo link): Bando pubblicato il 3 marzo"
    )
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "commitment.status_changed")
    ).all()[-1]
    assert (event.actor_id, event.details["via"]) == (None, "institution_link")


def test_a_note_too_long_is_refused(table: Table) -> None:
    commitment = _record(table)
    with pytest.raises(services.CommitmentError, match="La nota supera"):
        _agree(table, commitment, "x" * 2001)
    db.session.rollback()
    assert commitment.status is Status.PROPOSED
    assert db.session.scalar(db.select(db.func.count()).select_from(CommitmentChange)) == 1


def test_the_csv_is_safe_for_spreadsheets(table: Table) -> None:
    commitment = _record(table, draft=Draft('=HYPERLINK("http://x")', "+Apre; e chiude", "@rossi"))
    _agree(table, commitment, "-nota")
    text = "".join(services.csv_chunks(services.register(table.document.workshop), str))
    assert text.startswith("\ufeffNumero;Ente;Azione;")
    row = text.split("\r\n")[1]
    assert row.startswith(
        f'{commitment.id};"\'=HYPERLINK(""http://x"")";"\'+Apre; e chiude";\'@rossi;'
    )
    assert ";Concordata;" in row and "-nota" in row


def test_the_annex_holds_agreed_commitments_with_their_clause(table: Table) -> None:
    assert commitments_markdown(table.document) is None
    proposal = _record(table, "anna", Draft("Cooperativa *Il Ponte*", "Una proposta"))
    assert commitments_markdown(table.document) is None
    agreed = _record(table, clause=services.Clause(table.section, "la casa e il lavoro"))
    _agree(table, agreed)
    annex = commitments_markdown(table.document)
    assert annex is not None
    assert "**Impegno 1 · Comune di Iseo** (Concordata)" in annex
    assert r"- Azione: Apre uno sportello per l'abitare in ogni quartiere\." in annex
    assert f"- Dal testo: «{table.section.title}»: «la casa e il lavoro»" in annex
    assert proposal.institution not in annex
    _agree(table, proposal)
    assert r"Cooperativa \*Il Ponte\*" in (commitments_markdown(table.document) or "")


def test_a_facilitator_corrects_a_commitment_and_the_log_keeps_the_old_words(
    table: Table,
) -> None:
    commitment = _record(table)
    facilitator, membership = table.people["facilitator"], table.memberships["facilitator"]
    draft = Draft(
        "Comune di Iseo (Ufficio casa)",
        DRAFT.action,
        "Luca Bianchi",
        DRAFT.due_on,
        DRAFT.indicator,
    )
    changed = services.update_commitment(facilitator, membership, commitment, draft, TODAY)
    db.session.commit()
    assert changed == ["institution", "responsible"]
    assert (commitment.institution, commitment.responsible) == (
        "Comune di Iseo (Ufficio casa)",
        "Luca Bianchi",
    )
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "commitment.updated")
    ).one()
    assert event.details["before"] == {
        "institution": "Comune di Iseo",
        "responsible": "Maria Rossi",
    }
    assert services.update_commitment(facilitator, membership, commitment, draft, TODAY) == []


def test_a_passed_due_date_stays_but_no_other_past_date_enters_and_participants_correct_nothing(
    table: Table,
) -> None:
    commitment = _record(table)
    facilitator, membership = table.people["facilitator"], table.memberships["facilitator"]
    later = TODAY + dt.timedelta(days=365)
    services.update_commitment(
        facilitator,
        membership,
        commitment,
        Draft("Comune di Iseo", "Altro.", due_on=DRAFT.due_on),
        later,
    )
    with pytest.raises(services.CommitmentError, match="La scadenza è già passata"):
        services.update_commitment(
            facilitator,
            membership,
            commitment,
            Draft("Comune di Iseo", "Altro.", due_on=TODAY + dt.timedelta(days=1)),
            later,
        )
    with pytest.raises(services.NotAllowed, match="Solo un facilitatore può correggere"):
        services.update_commitment(
            table.people["anna"], table.memberships["anna"], commitment, DRAFT, TODAY
        )
    with pytest.raises(services.CommitmentError, match="Indica l'ente"):
        services.update_commitment(facilitator, membership, commitment, Draft("", "x"), TODAY)


def _vote_on(table: Table, commitment: Commitment):  # type: ignore[no-untyped-def]
    vote_round = services.put_to_vote(table.people["facilitator"], commitment, utcnow())
    db.session.commit()
    return vote_round


def test_a_commitment_agreed_by_vote_keeps_the_outcome_in_its_history(table: Table) -> None:
    commitment = _record(table, clause=services.Clause(table.section))
    vote_round = _vote_on(table, commitment)
    assert vote_round.section_id == table.section.id
    assert "Comune di Iseo" in vote_round.question and commitment.vote_round is vote_round
    # A second vote while the first is open is refused.
    with pytest.raises(services.CommitmentError, match="già una votazione aperta"):
        services.put_to_vote(table.people["facilitator"], commitment, utcnow())

    for persona, choice in [("anna", "favorevole"), ("facilitator", "contrario")]:
        votes.cast(table.memberships[persona], vote_round, choice, "ragioni", utcnow())
    db.session.commit()
    # Recording it as agreed waits for the vote's end.
    with pytest.raises(services.CommitmentError, match="ancora aperta"):
        _agree(table, commitment, "in plenaria")
    db.session.rollback()
    votes.close(table.people["facilitator"], vote_round, utcnow())
    db.session.commit()

    _agree(table, commitment, "in plenaria")
    assert commitment.status is Status.AGREED
    last = commitment.changes[-1]
    assert last.note.startswith("Esito della votazione: Favorevole 1, Favorevole con riserve 0,")
    assert "Contrario 1" in last.note and last.note.endswith("in plenaria")


def test_a_vote_needs_a_clause_and_a_proposal(table: Table) -> None:
    loose = _record(table)
    with pytest.raises(services.CommitmentError, match="Collega l'impegno a una sezione"):
        services.put_to_vote(table.people["facilitator"], loose, utcnow())
    agreed = _record(table, clause=services.Clause(table.section))
    _agree(table, agreed)
    with pytest.raises(services.CommitmentError, match="ancora proposto"):
        services.put_to_vote(table.people["facilitator"], agreed, utcnow())


def test_the_register_version_moves_with_what_the_register_shows(table: Table) -> None:
    workshop = table.document.workshop
    seen = [services.register_version(workshop, utcnow())]
    commitment = _record(table, clause=services.Clause(table.section))
    seen.append(services.register_version(workshop, utcnow()))
    vote_round = _vote_on(table, commitment)
    seen.append(services.register_version(workshop, utcnow()))
    votes.cast(table.memberships["anna"], vote_round, "favorevole", "", utcnow())
    db.session.commit()
    seen.append(services.register_version(workshop, utcnow()))
    votes.close(table.people["facilitator"], vote_round, utcnow())
    db.session.commit()
    seen.append(services.register_version(workshop, utcnow()))
    _agree(table, commitment)
    seen.append(services.register_version(workshop, utcnow()))
    assert len(set(seen)) == len(seen), seen
    assert services.register_version(workshop, utcnow()) == seen[-1]
