"""The register's pages through HTTP: what each role sees, bad input answered in Italian
with nothing saved, the institution's link (a GET changes nothing, a POST needs its CSRF
token and changes only the status and the note), the CSV file."""

from __future__ import annotations

import datetime as dt
from html import unescape

from flask import Flask

from app.core.commitments import Draft, Status
from app.core.permissions import DocumentStatus, Role
from app.extensions import db
from app.modules.commitments import services
from app.modules.commitments.models import Commitment
from app.modules.documents import services as documents
from app.modules.timeutil import utcnow
from tests.conftest import CSRF_FIELD
from tests.modules.amendments.conftest import Table

TODAY = utcnow().date()


def _url(table: Table, tail: str = "") -> str:
    return f"/workshops/{table.document.workshop_id}/impegni{tail}"


def _commitment(table: Table, status: Status = Status.PROPOSED) -> Commitment:
    facilitator, membership = table.people["facilitator"], table.memberships["facilitator"]
    commitment = services.record_commitment(
        facilitator, membership, Draft("Comune di Iseo", "Apre uno sportello."), None, TODAY
    )
    if status is not Status.PROPOSED:
        services.change_status(facilitator, membership, commitment, status, "")
    db.session.commit()
    return commitment


def _statuses() -> list[Status]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Commitment.status).order_by(Commitment.id)))


def test_the_workshop_page_leads_to_the_register(table: Table) -> None:
    page = table.clients["oscar"].get(f"/workshops/{table.document.workshop_id}")
    assert f'href="{_url(table)}"' in page.text


def test_each_role_sees_the_form_it_may_use(table: Table) -> None:
    _commitment(table)
    facilitator = table.clients["facilitator"].get(_url(table)).text
    participant = table.clients["anna"].get(_url(table)).text
    observer = table.clients["oscar"].get(_url(table)).text
    assert "Registra un impegno" in facilitator and "Cambia stato" in facilitator
    assert "Crea il link dell'ente" in facilitator
    assert "Proponi un impegno" in participant and "Cambia stato" not in participant
    assert "Comune di Iseo" in observer
    assert "Proponi" not in observer and "Registra un impegno" not in observer


def test_a_participant_proposes_and_the_facilitator_agrees(table: Table) -> None:
    response = table.clients["anna"].post(
        _url(table),
        data={
            "institution": "ASST Franciacorta",
            "action": "Apre un ambulatorio di comunità.",
            "due_on": (TODAY + dt.timedelta(days=30)).isoformat(),
            "section_id": table.section.id,
            "quote": "la casa e il lavoro",
        },
    )
    assert response.status_code == 302
    commitment = db.session.scalars(db.select(Commitment)).one()
    assert (commitment.status, commitment.anchor_quote) == (Status.PROPOSED, "la casa e il lavoro")
    response = table.clients["facilitator"].post(
        _url(table, f"/{commitment.id}/stato"), data={"status": "agreed", "note": "In plenaria"}
    )
    assert response.status_code == 302
    assert _statuses() == [Status.AGREED]
    page = table.clients["oscar"].get(_url(table)).text
    assert "Concordata" in page and "In plenaria" in page and "la casa e il lavoro" in page


def test_bad_input_comes_back_in_italian_with_what_was_typed(table: Table) -> None:
    cases = [
        ({"institution": "", "action": "Apre uno sportello."}, "Indica l&#39;ente che si impegna."),
        ({"institution": "Regione", "action": ""}, "Descrivi l&#39;azione"),
        (
            {
                "institution": "Regione",
                "action": "Finanzia.",
                "due_on": (TODAY - dt.timedelta(days=3)).isoformat(),
            },
            "La scadenza è già passata",
        ),
        ({"institution": "Regione", "action": "Finanzia.", "due_on": "domani"}, "non è una data"),
        (
            {"institution": "Regione", "action": "Finanzia.", "quote": "un passaggio"},
            "Scegli la sezione",
        ),
    ]
    for data, message in cases:
        response = table.clients["facilitator"].post(_url(table), data=data)
        assert response.status_code == 422, data
        assert message in response.text
        for value in data.values():
            if value:
                assert value in response.text
    assert _statuses() == []


def test_a_participant_trying_to_agree_is_told_why_and_nothing_changes(table: Table) -> None:
    commitment = _commitment(table)
    response = table.clients["anna"].post(
        _url(table, f"/{commitment.id}/stato"), data={"status": "agreed"}
    )
    assert response.status_code == 403
    assert "Solo un facilitatore può registrare che un impegno è stato concordato." in (
        response.text
    )
    assert _statuses() == [Status.PROPOSED]


def test_an_unknown_status_or_move_is_refused(table: Table) -> None:
    commitment = _commitment(table)
    client = table.clients["facilitator"]
    response = client.post(_url(table, f"/{commitment.id}/stato"), data={"status": "vinto"})
    assert response.status_code == 422 and "Scegli uno degli stati" in response.text
    response = client.post(_url(table, f"/{commitment.id}/stato"), data={"status": "done"})
    assert response.status_code == 422 and "non può passare" in response.text
    assert _statuses() == [Status.PROPOSED]


def test_a_commitment_of_another_workshop_does_not_exist_here(table: Table, make) -> None:  # type: ignore[no-untyped-def]
    other = make.workshop("Un altro tavolo")
    membership, _token = make.member(other, Role.FACILITATOR, email="f2@example.org")
    theirs = services.record_commitment(
        membership.person, membership, Draft("Regione", "Finanzia."), None, TODAY
    )
    db.session.commit()
    for tail in (f"/{theirs.id}/stato", f"/{theirs.id}/link", f"/{theirs.id}/link/revoca"):
        response = table.clients["facilitator"].post(_url(table, tail), data={"status": "agreed"})
        assert response.status_code == 404
    assert _statuses() == [Status.PROPOSED]
    assert theirs.token_hash is None


def _link(table: Table, commitment: Commitment) -> str:
    page = table.clients["facilitator"].post(_url(table, f"/{commitment.id}/link"))
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    [link] = {
        line.split('value="')[1].split('"')[0]
        for line in page.text.splitlines()
        if "commitment-link-url" in line
    }
    return link.split("localhost", 1)[-1].split(":5000", 1)[-1]


def test_the_institution_link_shows_a_page_and_a_post_with_csrf_changes_the_status(
    app: Flask, table: Table
) -> None:
    commitment = _commitment(table, Status.AGREED)
    path = _link(table, commitment)
    assert path.startswith("/impegno/")
    app.config["WTF_CSRF_ENABLED"] = True
    outsider = app.test_client()
    page = outsider.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Comune di Iseo" in page.text and "In corso" in page.text
    assert _statuses() == [Status.AGREED]
    refused = outsider.post(path, data={"status": "done", "note": "Fatto"})
    assert refused.status_code == 400
    assert _statuses() == [Status.AGREED]
    token = CSRF_FIELD.search(page.text).group(1)  # type: ignore[union-attr]
    done = outsider.post(path, data={"csrf_token": token, "status": "done", "note": "Aperti 4"})
    assert done.status_code == 302
    assert _statuses() == [Status.DONE]
    after = outsider.get(path).text
    assert "Aperti 4" in after and "l&#39;ente, con il suo link" in after
    # Nothing else of the workshop opens with it.
    assert outsider.get(_url(table)).status_code in (302, 401)


def test_the_institution_cannot_agree_and_a_revoked_link_opens_nothing(table: Table) -> None:
    commitment = _commitment(table)
    path = _link(table, commitment)
    outsider = table.clients["facilitator"].application.test_client()
    page = outsider.get(path)
    assert "non si può aggiornare da qui" in page.text
    response = outsider.post(path, data={"status": "agreed"})
    assert response.status_code == 422 and "non è ancora stato concordato" in response.text
    assert _statuses() == [Status.PROPOSED]
    renewed = _link(table, commitment)
    assert outsider.get(path).status_code == 404
    table.clients["facilitator"].post(_url(table, f"/{commitment.id}/link/revoca"))
    assert outsider.get(renewed).status_code == 404
    assert outsider.post(renewed, data={"status": "done"}).status_code == 404


def test_the_csv_download(table: Table) -> None:
    _commitment(table, Status.AGREED)
    response = table.clients["oscar"].get(_url(table, ".csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "impegni-tavolo-" in response.headers["Content-Disposition"]
    lines = response.data.decode("utf-8-sig").split("\r\n")
    assert lines[0].startswith("Numero;Ente;Azione;Responsabile;Scadenza;Indicatore;Stato")
    assert ";Comune di Iseo;Apre uno sportello.;;;;Concordata;" in lines[1]


def test_the_published_page_shows_the_agreed_commitments_as_they_are_today(
    app: Flask, table: Table
) -> None:
    agreed = _commitment(table, Status.AGREED)
    services.record_commitment(
        table.people["anna"],
        table.memberships["anna"],
        Draft("Proposta", "Mai concordata."),
        None,
        TODAY,
    )
    documents.set_status(None, table.document, DocumentStatus.FROZEN)
    documents.set_status(None, table.document, DocumentStatus.PUBLISHED)
    db.session.commit()
    reader = app.test_client()
    page = reader.get(f"/p/{table.document.id}").text
    assert "Impegni istituzionali" in page and "Comune di Iseo" in page
    assert "Concordata" in page and "Mai concordata" not in page
    services.update_through_link(agreed, Status.DONE, "Sportello aperto")
    db.session.commit()
    assert "Completata" in reader.get(f"/p/{table.document.id}").text


def test_the_institution_reads_the_clause_only_once_the_text_is_published(
    app: Flask, table: Table
) -> None:
    facilitator, membership = table.people["facilitator"], table.memberships["facilitator"]
    commitment = services.record_commitment(
        facilitator,
        membership,
        Draft("Comune di Iseo", "Apre uno sportello."),
        services.Clause(table.section, "la casa e il lavoro"),
        TODAY,
    )
    services.change_status(facilitator, membership, commitment, Status.AGREED, "")
    db.session.commit()
    path = _link(table, commitment)
    office = app.test_client()
    draft = office.get(path).text
    assert "la casa e il lavoro" not in draft and table.section.title not in draft
    documents.set_status(None, table.document, DocumentStatus.FROZEN)
    documents.set_status(None, table.document, DocumentStatus.PUBLISHED)
    db.session.commit()
    published = office.get(path).text
    assert "la casa e il lavoro" in published and table.section.title in published


def test_a_refused_correction_comes_back_open_with_what_was_typed(table: Table) -> None:
    commitment = _commitment(table)
    client = table.clients["facilitator"]
    response = client.post(
        _url(table, f"/{commitment.id}/modifica"),
        data={"institution": "", "action": "Apre due sportelli.", "responsible": "Luca Bianchi"},
    )
    assert response.status_code == 422
    assert "Indica l&#39;ente che si impegna." in response.text
    assert 'class="commitment-edit mt-2" open' in response.text
    assert "Apre due sportelli." in response.text and "Luca Bianchi" in response.text
    db.session.expire_all()
    assert db.session.get(Commitment, commitment.id).action == "Apre uno sportello."
    response = client.post(
        _url(table, f"/{commitment.id}/modifica"),
        data={"institution": "Comune di Iseo", "action": "Apre due sportelli."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Commitment, commitment.id).action == "Apre due sportelli."


def test_the_table_votes_on_a_commitment_from_the_register(table: Table) -> None:
    facilitator = table.clients["facilitator"]
    facilitator.post(
        _url(table),
        data={
            "institution": "ASST Franciacorta",
            "action": "Apre un ambulatorio.",
            "section_id": table.section.id,
        },
    )
    commitment = db.session.scalars(db.select(Commitment)).one()
    page = facilitator.get(_url(table)).text
    assert "Metti ai voti" in page
    assert "Metti ai voti" not in table.clients["anna"].get(_url(table)).text
    version = facilitator.get(_url(table, ".json")).json["version"]

    response = facilitator.post(_url(table, f"/{commitment.id}/voto"))
    assert response.status_code == 302
    db.session.expire_all()
    vote_round = commitment.vote_round
    assert vote_round is not None and vote_round.section_id == table.section.id
    assert facilitator.get(_url(table, ".json")).json["version"] != version
    table.clients["anna"].post(f"/votes/{vote_round.id}/ballot", data={"choice": "favorevole"})
    page = unescape(table.clients["oscar"].get(_url(table)).text)
    assert "Votazione in corso" in page and "Favorevole 1" in page
    assert "Metti ai voti" not in facilitator.get(_url(table)).text

    facilitator.post(f"/votes/{vote_round.id}/close")
    facilitator.post(_url(table, f"/{commitment.id}/stato"), data={"status": "agreed", "note": ""})
    page = unescape(table.clients["oscar"].get(_url(table)).text)
    assert "Votazione chiusa" in page and "Esito della votazione: Favorevole 1" in page
    assert _statuses() == [Status.AGREED]


def test_a_commitment_without_a_clause_is_not_put_to_the_vote(table: Table) -> None:
    commitment = _commitment(table)
    refused = table.clients["facilitator"].post(_url(table, f"/{commitment.id}/voto"))
    assert refused.status_code == 422
    assert "Collega l'impegno a una sezione del documento" in unescape(refused.text)
    db.session.expire_all()
    assert commitment.vote_round_id is None
