from __future__ import annotations

from app.extensions import db
from app.modules.amendments.models import Amendment, AmendmentStatus
from app.modules.port import write_text
from tests.modules.amendments.conftest import BODY, Table


def _propose(table: Table, who: str = "anna", **data: str):  # type: ignore[no-untyped-def]
    start = BODY.index("la casa")
    fields = {
        "base_text": BODY,
        "replacement": "l'abitare",
        "rationale": "Più ampio.",
        "passage_start": str(start),
        "passage_end": str(start + len("la casa")),
        "passage_quote": "la casa",
        **data,
    }
    return table.clients[who].post(f"/sections/{table.section.id}/amendments", data=fields)


def _only_amendment() -> Amendment:
    return db.session.scalars(db.select(Amendment)).one()


def test_the_document_page_shows_the_panel_to_everyone(table: Table) -> None:
    for persona in ("facilitator", "anna", "oscar"):
        page = table.clients[persona].get(f"/documents/{table.document.id}")
        assert page.status_code == 200
        assert "data-deliberation-section" in page.text
    assert (
        "Proponi un emendamento alla sezione"
        in table.clients["anna"].get(f"/documents/{table.document.id}").text
    )
    assert (
        "Proponi un emendamento"
        not in table.clients["oscar"].get(f"/documents/{table.document.id}").text
    )


def test_the_form_starts_from_the_selected_passage(table: Table) -> None:
    start = BODY.index("la casa")
    page = table.clients["anna"].get(
        f"/sections/{table.section.id}/amendments/new",
        query_string={"start": start, "end": start + 7, "quote": "la casa"},
    )
    assert page.status_code == 200
    assert "Passaggio da sostituire" in page.text and "la casa" in page.text
    lost = table.clients["anna"].get(
        f"/sections/{table.section.id}/amendments/new", query_string={"quote": "non c'è"}
    )
    assert "non si trova più" in lost.text


def test_proposing_shows_the_amendment_as_a_suggestion_to_the_others(table: Table) -> None:
    response = _propose(table)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#emendamento-{_only_amendment().id}")
    panel = table.clients["bruno"].get(f"/sections/{table.section.id}/deliberation").text
    assert "<ins>l&#39;abitare</ins>" in panel and "<del>la casa</del>" in panel
    assert "Sostengo" in panel and "Accogli" not in panel
    assert (
        "Accogli e inserisci nel testo"
        in table.clients["facilitator"].get(f"/sections/{table.section.id}/deliberation").text
    )


def test_script_and_html_are_stored_as_typed_and_shown_escaped(table: Table) -> None:
    _propose(table, replacement="<script>alert(1)</script>", rationale="<b>forte</b>")
    amendment = _only_amendment()
    assert "<script>alert(1)</script>" in amendment.proposed_text
    assert amendment.rationale == "<b>forte</b>"
    page = table.clients["bruno"].get(f"/amendments/{amendment.id}").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "<b>forte</b>" not in page


def test_a_refused_proposal_keeps_what_was_typed(table: Table) -> None:
    table.section.state = "locked"
    db.session.commit()
    response = _propose(table, rationale="Un motivo lungo e pensato.")
    assert response.status_code == 422
    assert "bloccata" in response.text
    assert "Un motivo lungo e pensato." in response.text
    assert db.session.scalar(db.select(db.func.count(Amendment.id))) == 0


def test_an_observer_cannot_propose_or_support(table: Table) -> None:
    assert _propose(table, who="oscar").status_code == 403
    _propose(table)
    amendment = _only_amendment()
    response = table.clients["oscar"].post(
        f"/amendments/{amendment.id}/stance", data={"stance": "support"}
    )
    assert response.status_code == 403


def test_support_then_accept_writes_the_text_and_a_bad_stance_is_explained(
    table: Table,
) -> None:
    _propose(table)
    amendment = _only_amendment()
    bad = table.clients["bruno"].post(
        f"/amendments/{amendment.id}/stance", data={"stance": "forse", "reason": "Mi piace"}
    )
    assert bad.status_code == 422 and "Scegli se sostieni" in bad.text and "Mi piace" in bad.text
    ok = table.clients["bruno"].post(
        f"/amendments/{amendment.id}/stance", data={"stance": "support"}
    )
    assert ok.status_code == 302
    accepted = table.clients["facilitator"].post(f"/amendments/{amendment.id}/accept")
    assert accepted.status_code == 302
    db.session.expire_all()
    assert table.section.body == BODY.replace("la casa", "l'abitare")
    assert _only_amendment().status is AmendmentStatus.ACCEPTED
    again = table.clients["facilitator"].post(f"/amendments/{amendment.id}/accept")
    assert again.status_code == 422 and "già stato deciso" in again.text


def test_a_conflict_shows_the_hunks_and_a_text_to_confirm(table: Table) -> None:
    _propose(table)
    amendment = _only_amendment()
    rewritten = BODY.replace("la casa", "l'alloggio")
    write_text(table.people["bruno"], table.section, rewritten, "typed-by-test")
    page = table.clients["facilitator"].post(f"/amendments/{amendment.id}/accept")
    assert page.status_code == 409
    assert "non si inserisce da solo" in page.text and "<del>" in page.text
    db.session.expire_all()
    assert table.section.body == rewritten and _only_amendment().is_pending
    resolved = table.clients["facilitator"].post(
        f"/amendments/{amendment.id}/resolve",
        data={"shown": rewritten, "text": rewritten.replace("l'alloggio", "l'abitare")},
    )
    assert resolved.status_code == 302
    db.session.expire_all()
    assert table.section.body == BODY.replace("la casa", "l'abitare")


def test_rejecting_without_a_reason_is_refused(table: Table) -> None:
    _propose(table)
    amendment = _only_amendment()
    response = table.clients["facilitator"].post(
        f"/amendments/{amendment.id}/reject", data={"reason": ""}
    )
    assert response.status_code == 422 and "Scrivi il motivo" in response.text
    assert (
        table.clients["anna"]
        .post(f"/amendments/{amendment.id}/reject", data={"reason": "No"})
        .status_code
        == 403
    )
    done = table.clients["facilitator"].post(
        f"/amendments/{amendment.id}/reject", data={"reason": "Fuori tema."}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert _only_amendment().decision_reason == "Fuori tema."


def test_the_panel_script_gets_json_answers(table: Table) -> None:
    _propose(table)
    url = f"/amendments/{_only_amendment().id}/stance"
    json_only = {"Accept": "application/json"}
    refused = table.clients["anna"].post(url, data={"stance": "support"}, headers=json_only)
    assert refused.status_code == 422 and "È il tuo emendamento" in refused.json["error"]
    done = table.clients["bruno"].post(url, data={"stance": "support"}, headers=json_only)
    assert done.json == {"ok": True}


def test_only_the_author_withdraws(table: Table) -> None:
    _propose(table)
    amendment = _only_amendment()
    refused = table.clients["bruno"].post(f"/amendments/{amendment.id}/withdraw")
    assert refused.status_code == 422 and "Solo chi l&#39;ha proposto" in refused.text
    assert table.clients["anna"].post(f"/amendments/{amendment.id}/withdraw").status_code == 302
    db.session.expire_all()
    assert _only_amendment().status is AmendmentStatus.WITHDRAWN
