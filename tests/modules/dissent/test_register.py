from __future__ import annotations

from flask import render_template

from app.core.permissions import DocumentStatus, Role
from app.core.tally import Scale
from app.extensions import db
from app.modules.comments import services as comments
from app.modules.dissent import services
from app.modules.dissent.annex import dissent_markdown
from app.modules.dissent.services import Kind
from app.modules.timeutil import utcnow
from app.modules.votes import services as votes
from app.modules.votes.annex import votes_markdown
from app.modules.votes.models import Visibility
from app.web.access import Access
from tests.modules.amendments.conftest import Table


def _round(table: Table, **settings: object):  # type: ignore[no-untyped-def]
    vote_round = votes.open_round(
        table.people["facilitator"],
        table.document,
        table.section,
        None,
        votes.RoundSettings(question="Approviamo?", scale=Scale.CONSENT, **settings),  # type: ignore[arg-type]
        utcnow(),
    )
    db.session.commit()
    return vote_round


def _entries(table: Table) -> list[services.Entry]:
    return services.register(table.document, utcnow())[0].entries


def test_objections_and_reasoned_reservations_of_open_votes_are_registered(table: Table) -> None:
    vote_round = _round(table, results_visible=Visibility.LIVE)
    votes.cast(table.memberships["anna"], vote_round, "contrario", "Manca la scuola.", utcnow())
    votes.cast(table.memberships["bruno"], vote_round, "riserve", "Tempi stretti.", utcnow())
    votes.cast(table.memberships["carla"], vote_round, "riserve", "", utcnow())
    votes.cast(table.memberships["facilitator"], vote_round, "favorevole", "Bene.", utcnow())
    entries = _entries(table)
    assert [(e.kind, e.name, e.organisation, e.text) for e in entries] == [
        (Kind.OBJECTION, "Anna", "Comune di Iseo", "Manca la scuola."),
        (Kind.RESERVATION, "Bruno", "ASST Franciacorta", "Tempi stretti."),
    ]


def test_hidden_results_stay_out_of_the_register_until_the_close(table: Table) -> None:
    vote_round = _round(table)
    votes.cast(table.memberships["anna"], vote_round, "contrario", "No.", utcnow())
    assert _entries(table) == []
    votes.close(table.people["facilitator"], vote_round, utcnow())
    assert [e.kind for e in _entries(table)] == [Kind.OBJECTION]


def test_secret_objections_give_only_their_reason_without_name(table: Table) -> None:
    vote_round = _round(table, secret=True)
    votes.cast(table.memberships["anna"], vote_round, "contrario", "Troppo vago.", utcnow())
    votes.cast(table.memberships["bruno"], vote_round, "contrario", "", utcnow())
    votes.close(table.people["facilitator"], vote_round, utcnow())
    [entry] = _entries(table)
    assert (entry.kind, entry.text, entry.name, entry.organisation) == (
        Kind.SECRET,
        "Troppo vago.",
        "",
        "",
    )


def test_minority_positions_from_a_comment_once_or_written_directly(table: Table) -> None:
    comment = comments.add_comment(
        table.people["bruno"], Role.PARTICIPANT, table.section, "Il comune non può pagare."
    )
    services.mark_comment(table.people["facilitator"], comment)
    try:
        services.mark_comment(table.people["facilitator"], comment)
    except services.DissentError:
        pass
    else:
        raise AssertionError("a comment was registered twice")
    services.add_position(
        table.people["facilitator"],
        table.memberships["facilitator"],
        table.section,
        "",
        "Voce dalla sala.",
    )
    assert [(e.kind, e.organisation, e.text) for e in _entries(table)] == [
        (Kind.MINORITY, "ASST Franciacorta", "Il comune non può pagare."),
        (Kind.MINORITY, "", "Voce dalla sala."),
    ]


def test_the_register_page_and_its_form(table: Table) -> None:
    url = f"/documents/{table.document.id}/dissent"
    assert table.clients["oscar"].get(url).status_code == 200
    empty = table.clients["facilitator"].post(
        url, data={"section_id": table.section.id, "organisation": "ASST", "text": " "}
    )
    assert empty.status_code == 422 and "Scrivi la posizione" in empty.text and "ASST" in empty.text
    other = table.clients["facilitator"].post(url, data={"section_id": 999, "text": "x"})
    assert other.status_code == 422
    done = table.clients["facilitator"].post(
        url, data={"section_id": table.section.id, "text": "<i>Contrari</i>"}
    )
    assert done.status_code == 302
    page = table.clients["anna"].get(url).text
    assert "&lt;i&gt;Contrari&lt;/i&gt;" in page


def test_the_export_annexes_list_objections_and_closed_results_literally(table: Table) -> None:
    assert dissent_markdown(table.document) is None
    vote_round = _round(table)
    votes.cast(table.memberships["anna"], vote_round, "contrario", "# Non *così*", utcnow())
    assert votes_markdown(table.document) is None
    votes.close(table.people["facilitator"], vote_round, utcnow())
    annex = dissent_markdown(table.document)
    assert annex is not None and "\\# Non \\*così\\*" in annex and "Anna" in annex
    results = votes_markdown(table.document)
    assert results is not None and "Contrario: 1" in results and "1 votanti su 4" in results


def test_marking_a_comment_through_its_button(table: Table, app) -> None:  # type: ignore[no-untyped-def]
    comment = comments.add_comment(
        table.people["bruno"], Role.PARTICIPANT, table.section, "Serve più tempo."
    )
    db.session.commit()
    url = f"/comments/{comment.id}/minority"
    assert table.clients["anna"].post(url).status_code == 403
    first = table.clients["facilitator"].post(url)
    assert first.status_code == 302
    assert first.headers["Location"].endswith(f"#commento-{comment.id}")
    again = table.clients["facilitator"].post(url, follow_redirects=True)
    assert "già nel registro" in again.text
    with app.test_request_context():
        access = Access(table.people["facilitator"], table.memberships["facilitator"])
        badge = render_template("dissent/_comment_action.html", comment=comment, access=access)
    assert "Nel registro del dissenso" in badge


def test_facilitators_find_the_button_under_each_comment_of_the_document(table: Table) -> None:
    comments.add_comment(table.people["bruno"], Role.PARTICIPANT, table.section, "Serve tempo.")
    db.session.commit()
    page = f"/documents/{table.document.id}"
    assert "Segna come posizione di minoranza" in table.clients["facilitator"].get(page).text
    assert "Segna come posizione di minoranza" not in table.clients["anna"].get(page).text


def test_a_participant_files_their_own_position_in_their_organisation_s_name(
    table: Table,
) -> None:
    url = f"/documents/{table.document.id}/dissent"
    page = table.clients["anna"].get(url).text
    assert "Registra la tua posizione di minoranza" in page and 'name="organisation"' not in page
    filed = table.clients["anna"].post(
        url,
        data={"section_id": table.section.id, "organisation": "Regione", "text": "Contrari."},
    )
    assert filed.status_code == 302
    [entry] = _entries(table)
    assert (entry.kind, entry.organisation, entry.text) == (
        Kind.MINORITY,
        "Comune di Iseo",
        "Contrari.",
    )
    assert table.clients["oscar"].post(url, data={"text": "x"}).status_code == 403


def test_a_published_register_is_closed_to_participants(table: Table) -> None:
    table.document.status = DocumentStatus.PUBLISHED
    db.session.commit()
    url = f"/documents/{table.document.id}/dissent"
    assert "Registra la tua posizione" not in table.clients["anna"].get(url).text
    refused = table.clients["anna"].post(
        url, data={"section_id": table.section.id, "text": "Troppo tardi."}
    )
    assert refused.status_code == 422 and "registro del dissenso è chiuso" in refused.text
    assert _entries(table) == []
