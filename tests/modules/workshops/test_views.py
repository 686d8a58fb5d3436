"""The pages that edit, archive and restore a workshop, what an archived workshop still
allows, and dates shown in the workshop's zone."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from app.core.permissions import DocumentStatus, Role
from app.extensions import db
from app.modules.documents import services as documents
from app.modules.documents.models import Document
from app.modules.exports.models import Export
from app.modules.workshops.models import Workshop
from tests.conftest import login


@dataclass
class Room:
    workshop: Workshop
    document: Document
    facilitator: FlaskClient
    participant: FlaskClient


@pytest.fixture
def room(app, make) -> Room:  # type: ignore[no-untyped-def]
    workshop = make.workshop("Tavolo sull'abitare", place="Lodi", starts_on=dt.date(2026, 12, 6))
    document = make.document(workshop, "Documento dell'abitare")
    clients = {}
    for role in (Role.FACILITATOR, Role.PARTICIPANT):
        _, token = make.member(workshop, role)
        clients[role] = app.test_client()
        login(clients[role], token)
    return Room(workshop, document, clients[Role.FACILITATOR], clients[Role.PARTICIPANT])


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def _form(**changes: str) -> dict[str, str]:
    return {
        "title": "Tavolo sull'abitare",
        "place": "Lodi",
        "starts_on": "2026-12-06",
        "ends_on": "",
        "promoters": "",
        "time_zone": "Europe/Rome",
        **changes,
    }


def test_the_edit_page_shows_the_workshop_as_it_is(room: Room) -> None:
    page = room.facilitator.get(f"/workshops/{room.workshop.id}/edit")
    text = _text(page)
    assert page.status_code == 200
    assert 'value="Tavolo sull\'abitare"' in text and 'value="2026-12-06"' in text
    assert '<option selected value="Europe/Rome">Europe/Rome</option>' in text
    assert '<option value="America/Argentina/Buenos_Aires">' in text
    assert "Modifica il tavolo" in _text(room.facilitator.get(f"/workshops/{room.workshop.id}"))
    assert "Modifica il tavolo" not in _text(room.participant.get(f"/workshops/{room.workshop.id}"))


def test_bad_input_is_explained_in_italian_and_keeps_what_was_typed(room: Room) -> None:
    sent = room.facilitator.post(
        f"/workshops/{room.workshop.id}/edit",
        data=_form(
            title="",
            place="Casa di quartiere",
            time_zone="Marte/Olympus_Mons",
            ends_on="2026-12-01",
        ),
    )
    text = _text(sent)
    assert sent.status_code == 422
    assert "Il titolo è obbligatorio." in text
    assert "Scegli un fuso orario dall'elenco" in text
    assert "La data di fine viene prima di quella di inizio." in text
    assert 'value="Casa di quartiere"' in text
    db.session.refresh(room.workshop)
    assert room.workshop.place == "Lodi"


def test_an_edit_is_saved_shown_and_logged(room: Room) -> None:
    sent = room.facilitator.post(
        f"/workshops/{room.workshop.id}/edit",
        data=_form(title="Tavolo sull'abitare supportato", time_zone="Europe/London"),
    )
    assert sent.status_code == 302
    page = _text(room.facilitator.get(sent.headers["Location"]))
    assert "Tavolo sull'abitare supportato" in page and "Dati del tavolo salvati." in page
    log = _text(room.facilitator.get(f"/workshops/{room.workshop.id}/registro"))
    assert "Dati del tavolo modificati" in log and "«Europe/Rome» → «Europe/London»" in log


def test_archiving_asks_first_then_moves_the_workshop_to_the_archived_list(room: Room) -> None:
    url = f"/workshops/{room.workshop.id}/archive"
    asked = room.facilitator.post(url)
    assert asked.status_code == 200
    text = _text(asked)
    assert "Archiviare il tavolo?" in text and "Documento dell'abitare" in text
    assert "1 documento è ancora in bozza" in text
    db.session.refresh(room.workshop)
    assert not room.workshop.archived

    assert room.facilitator.post(url, data={"confirm": "y"}).status_code == 302
    db.session.refresh(room.workshop)
    assert room.workshop.archived
    listing = _text(room.participant.get("/workshops"))
    active, archived = listing.split('id="archiviati"')
    assert "Tavolo sull'abitare" not in active and "Tavolo sull'abitare" in archived
    shown = _text(room.facilitator.get(f"/workshops/{room.workshop.id}"))
    assert "Tavolo archiviato il" in shown and "Ripristina" in shown
    assert "Nuovo documento" not in shown

    assert room.facilitator.post(f"/workshops/{room.workshop.id}/restore").status_code == 302
    db.session.refresh(room.workshop)
    assert not room.workshop.archived
    assert 'id="archiviati"' not in _text(room.participant.get("/workshops"))
    log = _text(room.facilitator.get(f"/workshops/{room.workshop.id}/registro"))
    assert "Tavolo archiviato" in log and "Tavolo ripristinato" in log


def test_an_archived_workshops_documents_are_read_and_exported_not_changed(room: Room) -> None:
    document, section = room.document, room.document.sections[0]
    assert "data-new-comment" in _text(room.participant.get(f"/documents/{document.id}"))
    room.facilitator.post(f"/workshops/{room.workshop.id}/archive", data={"confirm": "y"})
    page = room.participant.get(f"/documents/{document.id}")
    assert page.status_code == 200
    assert "il documento si legge e si esporta, ma non si modifica" in _text(page)
    # No form is offered that would only be refused.
    assert "data-new-comment" not in _text(page)
    assert "Congela il documento" not in _text(room.facilitator.get(f"/documents/{document.id}"))

    refusals = [
        room.participant.post(f"/sections/{section.id}/comments", data={"body": "Tardi"}),
        room.facilitator.post(
            f"/documents/{document.id}/sections", data={"new-title": "Nuova", "new-level": "1"}
        ),
        room.facilitator.post(
            f"/documents/{document.id}/status", data={"status": "frozen", "confirm": "y"}
        ),
        room.facilitator.post(
            f"/workshops/{room.workshop.id}/documents/new",
            data={"title": "Altro", "template": "budget-di-salute"},
        ),
    ]
    for refused in refusals:
        assert refused.status_code == 409
        assert "Il tavolo è archiviato" in _text(refused)
    db.session.refresh(document)
    assert document.status is DocumentStatus.DRAFT and len(document.sections) == 2

    exported = room.participant.post(
        f"/documents/{document.id}/exports", data={"format": "md", "colophon": "y"}
    )
    assert exported.status_code == 302
    assert db.session.execute(db.select(Export)).scalar_one().document_id == document.id

    room.facilitator.post(f"/workshops/{room.workshop.id}/restore")
    again = room.participant.post(f"/sections/{section.id}/comments", data={"body": "Ora sì"})
    assert again.status_code in (200, 302)


@pytest.mark.parametrize(
    ("zone", "day"), [("Europe/Rome", "6 dicembre 2026"), ("Europe/London", "5 dicembre 2026")]
)
def test_pages_date_a_moment_in_the_workshops_zone(room: Room, zone: str, day: str) -> None:
    """23:30 UTC on 5 December: already the 6th in Rome, still the 5th in London."""
    room.workshop.time_zone = zone
    documents.set_status(None, room.document, DocumentStatus.FROZEN)
    documents.set_status(None, room.document, DocumentStatus.PUBLISHED)
    room.document.published_at = dt.datetime(2026, 12, 5, 23, 30)
    db.session.commit()
    page = _text(room.participant.get(f"/documents/{room.document.id}"))
    assert f"Pubblicato il {day}." in page
    public = _text(room.participant.get(f"/p/{room.document.slug or room.document.id}"))
    assert f"Pubblicato il {day}" in public


def test_a_new_workshop_is_created_in_the_zone_chosen(room: Room) -> None:
    form = room.facilitator.get("/workshops/new")
    assert '<option selected value="Europe/Rome">Europe/Rome</option>' in _text(form)
    sent = room.facilitator.post(
        "/workshops/new", data=_form(title="Tavolo a Londra", time_zone="Europe/London")
    )
    assert sent.status_code == 302
    created = db.session.scalars(db.select(Workshop).filter_by(title="Tavolo a Londra")).one()
    assert created.time_zone == "Europe/London" and not created.archived
    refused = room.facilitator.post("/workshops/new", data=_form(time_zone="Europe/Atlantide"))
    assert refused.status_code == 422
    assert "Scegli un fuso orario dall'elenco" in _text(refused)
