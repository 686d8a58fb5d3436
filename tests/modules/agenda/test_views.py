"""The agenda's pages and routes, as a facilitator and a participant use them."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from app.core.permissions import Role
from app.extensions import db
from app.modules.agenda import services
from app.modules.agenda.models import AgendaSession
from app.modules.timeutil import utcnow
from tests import factories
from tests.conftest import login


@pytest.fixture
def room(app: Flask):  # type: ignore[no-untyped-def]
    workshop = factories.workshop("Tavolo del budget di salute")
    facilitator, token = factories.member(workshop, Role.FACILITATOR, name="Giulia Conti")
    _, participant_token = factories.member(workshop, Role.PARTICIPANT)
    document = factories.document(workshop)
    clients = {"facilitator": app.test_client(), "participant": app.test_client()}
    login(clients["facilitator"], token)
    login(clients["participant"], participant_token)
    return workshop, facilitator, document, clients


def _running_now(workshop, facilitator, document) -> AgendaSession:  # type: ignore[no-untyped-def]
    """A session that started a minute ago and ends in twenty, in the room's clock."""
    start = services.to_local(workshop, utcnow() - dt.timedelta(minutes=1))
    end = start + dt.timedelta(minutes=21)
    if end.date() != start.date():
        pytest.skip("too close to midnight for a session within one day")
    session = services.create_session(
        facilitator.person,
        workshop,
        services.SessionData(
            title="Abitare",
            day=start.date(),
            start=start.time().replace(second=0, microsecond=0),
            end=end.time().replace(second=0, microsecond=0),
            room="Sala A",
            section_ids=[document.sections[0].id],
        ),
        utcnow(),
    )
    db.session.commit()
    return session


def test_a_facilitator_adds_a_session_and_everyone_sees_it(room) -> None:  # type: ignore[no-untyped-def]
    workshop, facilitator, document, clients = room
    response = clients["facilitator"].post(
        f"/workshops/{workshop.id}/agenda",
        data={
            "title": "Sessione · ABITARE",
            "day": "2026-03-05",
            "start": "10:00",
            "end": "11:15",
            "room": "Sala A",
            "facilitator": str(facilitator.id),
            "sections": [str(document.sections[0].id)],
            "open_at_start": "y",
            "lock_at_end": "y",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Sessione aggiunta al programma." in response.text
    page = clients["participant"].get(f"/workshops/{workshop.id}/agenda").text
    assert "10:00–11:15" in page and "Sessione · ABITARE" in page and "Giulia Conti" in page
    assert "Aggiungi una sessione" not in page


def test_a_session_ending_before_it_starts_is_refused_with_what_was_typed(room) -> None:  # type: ignore[no-untyped-def]
    workshop, _, _, clients = room
    response = clients["facilitator"].post(
        f"/workshops/{workshop.id}/agenda",
        data={"title": "Lavoro", "day": "2026-03-05", "start": "11:30", "end": "10:45"},
    )
    assert response.status_code == 422
    assert "La sessione deve finire dopo l&#39;inizio" in response.text
    assert 'value="Lavoro"' in response.text
    assert services.sessions_of(workshop) == []


def test_the_running_session_is_highlighted_on_the_agenda_and_the_workshop(room) -> None:  # type: ignore[no-untyped-def]
    workshop, facilitator, document, clients = room
    _running_now(workshop, facilitator, document)
    agenda_page = clients["participant"].get(f"/workshops/{workshop.id}/agenda").text
    assert "agenda-running" in agenda_page and "In corso" in agenda_page
    workshop_page = clients["participant"].get(f"/workshops/{workshop.id}").text
    assert "Programma di oggi" in workshop_page
    assert 'agenda-running" data-agenda-start' in workshop_page and "Abitare" in workshop_page


def test_the_document_clock_and_a_one_click_extension(room) -> None:  # type: ignore[no-untyped-def]
    workshop, facilitator, document, clients = room
    session = _running_now(workshop, facilitator, document)
    end = session.ends_at
    clock = clients["participant"].get(f"/documents/{document.id}/agenda").json
    [shown] = clock["sessions"]
    assert shown["title"] == "Abitare" and shown["number"] == 1
    assert shown["sections"] == [document.sections[0].id]
    assert shown["end"] == end.replace(tzinfo=dt.UTC).isoformat()
    warning = end - dt.timedelta(minutes=5)
    assert shown["warning_from"] == warning.replace(tzinfo=dt.UTC).isoformat()

    response = clients["facilitator"].post(
        f"/agenda/{session.id}/extend", data={"minutes": "10", "document_id": str(document.id)}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/documents/{document.id}")
    db.session.expire_all()
    assert db.session.get(AgendaSession, session.id).ends_at == end + dt.timedelta(minutes=10)

    refused = clients["facilitator"].post(
        f"/agenda/{session.id}/extend", data={"minutes": "60"}, follow_redirects=True
    )
    assert "Si può prolungare di 5 o di 10 minuti." in refused.text
    db.session.expire_all()
    assert db.session.get(AgendaSession, session.id).ends_at == end + dt.timedelta(minutes=10)


def test_a_session_is_removed(room) -> None:  # type: ignore[no-untyped-def]
    workshop, facilitator, document, clients = room
    session = _running_now(workshop, facilitator, document)
    response = clients["facilitator"].post(f"/agenda/{session.id}/delete", follow_redirects=True)
    assert "Sessione tolta dal programma." in response.text
    assert services.sessions_of(workshop) == []


def test_a_session_is_changed_and_the_change_is_checked(room) -> None:  # type: ignore[no-untyped-def]
    workshop, facilitator, document, clients = room
    session = _running_now(workshop, facilitator, document)
    form = clients["facilitator"].get(f"/agenda/{session.id}/edit").text
    assert 'value="Abitare"' in form and "checked" in form
    moved = {
        "title": "Abitare e casa",
        "day": "2026-03-05",
        "start": "10:00",
        "end": "11:30",
        "room": "Sala A",
        "sections": [str(document.sections[1].id)],
        "lock_at_end": "y",
    }
    response = clients["facilitator"].post(f"/agenda/{session.id}/edit", data=moved)
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(AgendaSession, session.id)
    assert changed.title == "Abitare e casa"
    assert [s.id for s in changed.sections] == [document.sections[1].id]
    assert changed.lock_at_end and not changed.open_at_start

    services.create_session(
        facilitator.person,
        workshop,
        services.SessionData(
            title="Lavoro",
            day=dt.date(2026, 3, 5),
            start=dt.time(12),
            end=dt.time(13),
            room="Sala A",
        ),
        utcnow(),
    )
    db.session.commit()
    refused = clients["facilitator"].post(
        f"/agenda/{session.id}/edit", data={**moved, "end": "12:30", "title": "Troppo lunga"}
    )
    assert refused.status_code == 422
    assert "c&#39;è già un&#39;altra sessione" in refused.text
    assert 'value="Troppo lunga"' in refused.text
    db.session.expire_all()
    assert db.session.get(AgendaSession, session.id).title == "Abitare e casa"
