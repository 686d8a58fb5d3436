from __future__ import annotations

from app.extensions import db
from app.modules.amendments import services as amendments
from app.modules.votes.models import Ballot, VoteRound
from tests.modules.amendments.conftest import Table


def _open(table: Table, **data: str):  # type: ignore[no-untyped-def]
    fields = {
        "question": "Approviamo la sezione?",
        "scale": "consent",
        "results_visible": "after_close",
        **data,
    }
    return table.clients["facilitator"].post(f"/sections/{table.section.id}/votes", data=fields)


def _round() -> VoteRound:
    return db.session.scalars(db.select(VoteRound)).one()


def test_a_round_is_opened_cast_closed_and_shown(table: Table) -> None:
    assert _open(table, quorum="2").status_code == 302
    vote_round = _round()
    for persona, choice in (("anna", "favorevole"), ("bruno", "contrario")):
        response = table.clients[persona].post(
            f"/votes/{vote_round.id}/ballot", data={"choice": choice, "reason": "Perché sì."}
        )
        assert response.status_code == 302
    hidden = table.clients["anna"].get(f"/sections/{table.section.id}/deliberation").text
    assert "I risultati si vedranno alla chiusura" in hidden and "2 persone hanno votato" in hidden
    assert table.clients["facilitator"].post(f"/votes/{vote_round.id}/close").status_code == 302
    shown = table.clients["oscar"].get(f"/votes/{vote_round.id}").text
    assert "Quorum raggiunto" in shown and "Aziende sanitarie" in shown
    again = table.clients["facilitator"].post(f"/votes/{vote_round.id}/close")
    assert again.status_code == 422 and "già chiusa" in again.text


def test_bad_settings_come_back_with_what_was_typed(table: Table) -> None:
    response = _open(table, question="Una domanda pensata", quorum="dieci")
    assert response.status_code == 422
    assert "Scrivi un numero intero" in response.text and "Una domanda pensata" in response.text
    assert db.session.scalar(db.select(db.func.count(VoteRound.id))) == 0


def test_an_observer_cannot_vote_and_a_participant_cannot_close(table: Table) -> None:
    _open(table, secret="y")
    vote_round = _round()
    observer = table.clients["oscar"].post(
        f"/votes/{vote_round.id}/ballot", data={"choice": "favorevole"}
    )
    assert observer.status_code == 403
    assert table.clients["anna"].post(f"/votes/{vote_round.id}/close").status_code == 403


def test_a_second_secret_vote_is_refused_with_the_reason_kept(table: Table) -> None:
    _open(table, secret="y")
    vote_round = _round()
    first = table.clients["anna"].post(
        f"/votes/{vote_round.id}/ballot", data={"choice": "favorevole"}
    )
    assert first.status_code == 302
    second = table.clients["anna"].post(
        f"/votes/{vote_round.id}/ballot", data={"choice": "contrario", "reason": "Ci ho ripensato"}
    )
    assert second.status_code == 422
    assert "non si può cambiare" in second.text and "Ci ho ripensato" in second.text
    assert db.session.scalar(db.select(db.func.count(Ballot.id))) == 0


def test_a_missing_choice_is_explained(table: Table) -> None:
    _open(table)
    response = table.clients["anna"].post(f"/votes/{_round().id}/ballot", data={"reason": "x"})
    assert response.status_code == 422 and "Scegli una delle risposte" in response.text


def test_a_round_on_an_amendment_starts_from_its_question(table: Table) -> None:
    body = table.section.body
    amendment = amendments.propose(table.people["anna"], table.section, body, body + " Sì.", "")
    db.session.commit()
    form = table.clients["facilitator"].get(
        f"/sections/{table.section.id}/votes/new", query_string={"amendment": amendment.id}
    )
    assert f"Accogliere l&#39;emendamento n. {amendment.id}?" in form.text
    assert _open(table, amendment=str(amendment.id)).status_code == 302
    assert _round().amendment_id == amendment.id
    # An amendment of another section is not offered as the round's subject.
    other = table.document.sections[1]
    form = table.clients["facilitator"].get(
        f"/sections/{other.id}/votes/new", query_string={"amendment": amendment.id}
    )
    assert "Accogliere" not in form.text


def test_the_panel_script_gets_json_answers(table: Table) -> None:
    _open(table)
    url = f"/votes/{_round().id}/ballot"
    json_only = {"Accept": "application/json"}
    refused = table.clients["anna"].post(url, data={"choice": "forse"}, headers=json_only)
    assert refused.status_code == 422 and refused.json == {
        "error": "Scegli una delle risposte proposte."
    }
    done = table.clients["anna"].post(url, data={"choice": "astenuto"}, headers=json_only)
    assert done.status_code == 200 and done.json == {"ok": True}


def test_an_unknown_scale_is_explained_in_italian(table: Table) -> None:
    response = _open(table, scale="sondaggio", results_visible="sempre")
    assert response.status_code == 422
    assert "Scegli una scala dall&#39;elenco." in response.text
    assert "Scegli quando mostrare i risultati." in response.text
