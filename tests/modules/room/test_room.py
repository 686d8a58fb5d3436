"""The speaking queue from the phones and the facilitator's page, and the line sent to
the whole room."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from flask import Flask
from sqlalchemy import event

from app.core.floor import Status
from app.extensions import db
from app.modules.agenda import services as agenda
from app.modules.audit.models import AuditEvent
from app.modules.history.models import Version
from app.modules.room import services
from app.modules.room.models import FloorRequest
from app.modules.timeutil import utcnow
from tests import factories
from tests.modules.amendments.conftest import Table


def _base(table: Table) -> str:
    return f"/workshops/{table.document.workshop_id}"


def _requests() -> list[FloorRequest]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(FloorRequest).order_by(FloorRequest.id)))


def _open_queue(table: Table) -> None:
    table.clients["facilitator"].post(f"{_base(table)}/parola/coda", data={"open": "si"})


def test_people_ask_in_order_and_the_facilitator_gives_the_floor(table: Table) -> None:
    base = _base(table)
    closed = table.clients["anna"].post(f"{base}/parola", data={"topic": "Abitare"})
    assert "La coda degli interventi è chiusa" in unescape(
        table.clients["anna"].get(closed.headers["Location"]).text
    )
    assert _requests() == []

    _open_queue(table)
    table.clients["anna"].post(f"{base}/parola", data={"topic": "  Sulla   casa\n"})
    table.clients["bruno"].post(f"{base}/parola", data={"topic": ""})
    again = table.clients["anna"].post(f"{base}/parola", data={"topic": "Di nuovo"})
    assert "Hai già chiesto la parola" in unescape(
        table.clients["anna"].get(again.headers["Location"]).text
    )
    anna, bruno = _requests()
    assert anna.topic == "Sulla casa" and anna.status is Status.WAITING

    page = table.clients["bruno"].get(f"{base}/parola").text
    assert "prima di te 1" in page
    queue = page[page.index('id="in-coda"') :]
    assert queue.index("Anna") < queue.index("Bruno")

    facilitator = table.clients["facilitator"]
    facilitator.post(f"{base}/parola/{anna.id}/dai")
    facilitator.post(f"{base}/parola/{bruno.id}/dai")
    anna, bruno = _requests()
    assert anna.status is Status.DONE and bruno.status is Status.SPEAKING
    assert "Hai la parola." in table.clients["bruno"].get(f"{base}/parola").text
    facilitator.post(f"{base}/parola/concludi")
    assert _requests()[1].status is Status.DONE
    # Done, Anna may ask again.
    table.clients["anna"].post(f"{base}/parola", data={"topic": ""})
    assert _requests()[-1].status is Status.WAITING


def test_withdrawing_skipping_and_what_nobody_may_do(table: Table) -> None:
    base = _base(table)
    _open_queue(table)
    table.clients["anna"].post(f"{base}/parola", data={"topic": ""})
    table.clients["carla"].post(f"{base}/parola", data={"topic": ""})
    anna, carla = _requests()
    # Someone else's request is not theirs to withdraw; an observer does not ask.
    table.clients["bruno"].post(f"{base}/parola/{anna.id}/ritira")
    assert table.clients["oscar"].post(f"{base}/parola", data={"topic": ""}).status_code == 403
    assert table.clients["anna"].post(f"{base}/parola/{anna.id}/dai").status_code == 403
    assert [r.status for r in _requests()] == [Status.WAITING, Status.WAITING]
    table.clients["anna"].post(f"{base}/parola/{anna.id}/ritira")
    table.clients["facilitator"].post(f"{base}/parola/{carla.id}/salta")
    assert [r.status for r in _requests()] == [Status.WITHDRAWN, Status.SKIPPED]
    refused = table.clients["facilitator"].post(f"{base}/parola/{carla.id}/dai")
    assert "già stata chiusa" in unescape(
        table.clients["facilitator"].get(refused.headers["Location"]).text
    )
    assert _requests()[1].status is Status.SKIPPED


def test_a_topic_too_long_is_refused_with_a_sentence(table: Table) -> None:
    _open_queue(table)
    sent = table.clients["anna"].post(f"{_base(table)}/parola", data={"topic": "a" * 121})
    assert "L'argomento supera i 120 caratteri" in unescape(
        table.clients["anna"].get(sent.headers["Location"]).text
    )
    assert _requests() == []


def test_the_version_moves_with_every_change_and_answers_not_modified(table: Table) -> None:
    client = table.clients["oscar"]
    first = client.get(f"{_base(table)}/parola.json")
    assert first.json == {"version": 0}
    same = client.get(
        f"{_base(table)}/parola.json", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert same.status_code == 304
    _open_queue(table)
    assert client.get(f"{_base(table)}/parola.json").json == {"version": 1}


def test_a_line_for_the_whole_room_shows_for_the_minutes_chosen(table: Table) -> None:
    base = _base(table)
    facilitator = table.clients["facilitator"]
    refused = facilitator.post(f"{base}/annuncio", data={"message": "  ", "minutes": "15"})
    assert refused.status_code == 422 and "Scrivi il messaggio" in unescape(refused.text)
    too_long = facilitator.post(f"{base}/annuncio", data={"message": "Pausa", "minutes": "999"})
    assert too_long.status_code == 422
    facilitator.post(
        f"{base}/annuncio", data={"message": "Pausa caffè fino alle 11:30", "minutes": "15"}
    )
    for who in ("anna", "oscar"):
        page = table.clients[who].get(f"/documents/{table.document.id}").text
        assert "Pausa caffè fino alle 11:30" in unescape(page)
    workshop = table.document.workshop
    later = utcnow() + dt.timedelta(minutes=16)
    assert services.announcement(workshop, later) is None
    facilitator.post(f"{base}/annuncio/togli")
    assert services.announcement(workshop, utcnow()) is None
    actions = db.session.scalars(db.select(AuditEvent.action)).all()
    assert "room.announced" in actions and "room.queue_opened" not in actions


@pytest.mark.parametrize("minutes", ["0", "-5", "abc", ""])
def test_bad_minutes_are_explained(table: Table, minutes: str) -> None:
    answer = table.clients["facilitator"].post(
        f"{_base(table)}/annuncio", data={"message": "Pausa", "minutes": minutes}
    )
    assert answer.status_code == 422
    assert services.announcement(table.document.workshop, utcnow()) is None


def test_the_projector_follows_the_facilitators_choice(table: Table) -> None:
    base = _base(table)
    facilitator = table.clients["facilitator"]
    projector = table.clients["oscar"]  # the projector's laptop, entered by anyone
    url = f"/documents/{table.document.id}/proiettore"
    first = projector.get(url)
    assert first.status_code == 200 and "Nessuno in coda." in first.text
    version = projector.get(url + ".json").json["version"]

    section = table.section
    facilitator.post(f"{base}/proiettore", data={"projected": "sezione", "section": section.id})
    shown = projector.get(url).text
    assert section.title in shown and "Il budget di salute sostiene" in shown
    assert projector.get(url + ".json").json["version"] != version

    vote = table.clients["facilitator"].post(
        f"/sections/{section.id}/votes",
        data={"question": "Approviamo?", "scale": "consent", "results_visible": "live"},
    )
    assert vote.status_code in (200, 302)
    [vote_round] = services.vote_rounds_of(table.document.workshop)
    facilitator.post(f"{base}/proiettore", data={"projected": "votazione", "vote": vote_round.id})
    before = projector.get(url + ".json").json["version"]
    table.clients["anna"].post(f"/votes/{vote_round.id}/ballot", data={"choice": "favorevole"})
    assert projector.get(url + ".json").json["version"] != before
    chart = projector.get(url).text
    assert "Approviamo?" in chart and "projector__bar" in chart and "Favorevole" in chart


def test_the_projected_text_keeps_one_outline_under_the_screens_title(table: Table) -> None:
    """The screen's title is its h1: the text's own headings come right under it, with
    no level skipped (a screen reader announces a skipped level as a missing part)."""
    section = table.section
    section.body = "## Che cosa funziona\n\nIl co-housing di Lodi.\n\n### Dove\n\nIn centro."
    db.session.commit()
    table.clients["facilitator"].post(
        f"{_base(table)}/proiettore", data={"projected": "sezione", "section": section.id}
    )
    shown = table.clients["oscar"].get(f"/documents/{table.document.id}/proiettore").text
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", shown)]
    assert levels == [1, 2, 3]


def test_the_projector_shows_only_what_belongs_to_the_workshop(app: Flask, table: Table) -> None:
    other = factories.document(factories.workshop("Un altro tavolo"), sections=1)
    db.session.commit()
    base = _base(table)
    refused = table.clients["facilitator"].post(
        f"{base}/proiettore", data={"projected": "sezione", "section": other.sections[0].id}
    )
    page = table.clients["facilitator"].get(refused.headers["Location"]).text
    assert "Scegli una sezione di un documento di questo tavolo" in unescape(page)
    assert services.state_of(table.document.workshop).projected_id is None
    # Someone of another workshop cannot open this projector.
    stranger = app.test_client()
    assert stranger.get(f"/documents/{table.document.id}/proiettore").status_code in (302, 401)


def test_the_console_shows_the_room_and_locks_a_section(table: Table) -> None:
    base = _base(table)
    facilitator = table.clients["facilitator"]
    section = table.section
    table.clients["anna"].post(
        f"/sections/{section.id}/comments", data={"body": "Manca la scuola."}
    )
    page = facilitator.get(f"{base}/console")
    assert page.status_code == 200
    row = page.text[page.text.index(f'id="riga-{section.id}"') :]
    row = row[: row.index("</tr>")]
    assert section.title in row and "Aperta" in row
    # One open comment, in its column.
    assert re.search(r'<td class="text-end">1</td>', row), row
    version = facilitator.get(f"{base}/console.json").json["version"]

    locked = facilitator.post(f"{base}/console/sezioni/{section.id}", data={"state": "locked"})
    assert locked.headers["Location"].endswith(f"/console#riga-{section.id}")
    db.session.expire_all()
    assert table.section.state.value == "locked"
    assert facilitator.get(f"{base}/console.json").json["version"] != version
    assert table.clients["anna"].get(f"{base}/console").status_code == 403


def test_the_projector_shows_the_days_programme_with_the_running_session(table: Table) -> None:
    workshop = table.document.workshop
    facilitator = table.clients["facilitator"]
    now = utcnow()
    start = agenda.to_local(workshop, now - dt.timedelta(minutes=1))
    end = start + dt.timedelta(minutes=21)
    if (start + dt.timedelta(minutes=60)).date() != start.date():
        pytest.skip("too close to midnight for two sessions within one day")
    for title, begins, ends in [
        ("Abitare", start, end),
        ("Lavoro", end + dt.timedelta(minutes=15), end + dt.timedelta(minutes=30)),
    ]:
        agenda.create_session(
            None,
            workshop,
            agenda.SessionData(
                title=title,
                day=begins.date(),
                start=begins.time().replace(second=0, microsecond=0),
                end=ends.time().replace(second=0, microsecond=0),
                room="Sala consiliare",
            ),
            now,
        )
    db.session.commit()
    url = f"/documents/{table.document.id}/proiettore"
    projector = table.clients["oscar"]
    before = projector.get(url + ".json").json["version"]

    facilitator.post(f"{_base(table)}/proiettore", data={"projected": "programma"})
    assert projector.get(url + ".json").json["version"] != before
    page = projector.get(url).text
    running = re.findall(
        r'<li class="projector__session projector__session--running"[^>]*>(.*?)</li>', page, re.S
    )
    assert len(running) == 1 and "Abitare" in running[0] and "in corso" in running[0]
    assert "Lavoro" in page and "Sala consiliare" in page

    # Extending the running session moves the projector's version: it redraws by itself.
    shown = projector.get(url + ".json").json["version"]
    [session] = agenda.current_sessions(workshop, utcnow())
    agenda.extend(None, session, 5, utcnow())
    db.session.commit()
    assert projector.get(url + ".json").json["version"] != shown


def test_the_console_extends_closes_saves_and_announces_and_stays_on_the_console(
    table: Table,
) -> None:
    workshop = table.document.workshop
    base = _base(table)
    facilitator = table.clients["facilitator"]
    console_url = f"http://localhost{base}/console"
    start = agenda.to_local(workshop, utcnow() - dt.timedelta(minutes=1))
    end = start + dt.timedelta(minutes=21)
    if end.date() != start.date():
        pytest.skip("too close to midnight for a session within one day")
    session = agenda.create_session(
        None,
        workshop,
        agenda.SessionData(
            title="Abitare",
            day=start.date(),
            start=start.time().replace(second=0, microsecond=0),
            end=end.time().replace(second=0, microsecond=0),
        ),
        utcnow(),
    )
    db.session.commit()
    ends_at = session.ends_at
    page = facilitator.get(f"{base}/console").text
    running = page[page.index("agenda-running") :]
    assert "Abitare" in running[: running.index("</li>")] and "In corso" in running

    extended = facilitator.post(
        f"/agenda/{session.id}/extend", data={"minutes": "10", "dopo": "console"}
    )
    assert extended.headers["Location"] in (console_url, f"{base}/console")
    db.session.expire_all()
    assert session.ends_at == ends_at + dt.timedelta(minutes=10)

    facilitator.post(
        f"/sections/{table.section.id}/votes",
        data={"question": "Approviamo?", "scale": "consent", "results_visible": "live"},
    )
    [vote_round] = services.vote_rounds_of(workshop)
    closed = facilitator.post(f"/votes/{vote_round.id}/close", data={"dopo": "console"})
    assert closed.headers["Location"].endswith(f"{base}/console")
    db.session.expire_all()
    assert not vote_round.is_open(utcnow())

    saved = facilitator.post(
        f"{base}/console/versione",
        data={"document": str(table.document.id), "name": "dopo Abitare"},
    )
    assert saved.headers["Location"].endswith(f"{base}/console")
    assert "Versione «dopo Abitare» di «" in unescape(facilitator.get(f"{base}/console").text)
    [version] = db.session.scalars(db.select(Version).where(Version.name == "dopo Abitare"))
    assert version.document_id == table.document.id

    announced = facilitator.post(
        f"{base}/annuncio", data={"message": "Pausa caffè", "minutes": "10", "dopo": "console"}
    )
    assert announced.headers["Location"].endswith(f"{base}/console")
    # Any other word, or an address, goes where the form normally goes.
    elsewhere = facilitator.post(
        f"{base}/annuncio",
        data={"message": "Pausa", "minutes": "10", "dopo": "https://example.org/"},
    )
    assert elsewhere.headers["Location"].endswith(f"{base}/parola")


@pytest.mark.parametrize(
    ("document", "name", "message"),
    [
        ("own", "", "Dai un nome alla versione"),
        ("other", "dopo Abitare", "Scegli un documento di questo tavolo."),
        ("own", "x" * 201, "Il nome supera"),
    ],
)
def test_a_version_from_the_console_refuses_with_a_sentence(
    table: Table, document: str, name: str, message: str
) -> None:
    other = factories.document(factories.workshop("Un altro tavolo"), sections=1)
    db.session.commit()
    target = table.document.id if document == "own" else other.id
    refused = table.clients["facilitator"].post(
        f"{_base(table)}/console/versione", data={"document": str(target), "name": name}
    )
    assert refused.status_code == 422
    assert message in unescape(refused.text)
    assert db.session.scalar(db.select(db.func.count(Version.id))) == 0


def test_the_database_keeps_one_active_request_per_person_whatever_arrives_at_once(
    table: Table,
) -> None:
    _open_queue(table)
    member = table.memberships["anna"]
    first = services.ask(member, "", utcnow())
    services.give_floor(table.memberships["facilitator"], first, utcnow())
    db.session.commit()

    # A tap that another process stored between this request's check and its insert.
    def the_other_tap(session, _context, _instances) -> None:  # type: ignore[no-untyped-def]
        session.execute(
            db.insert(FloorRequest).values(
                workshop_id=member.workshop_id,
                membership_id=member.id,
                topic="",
                status="waiting",
                requested_at=utcnow(),
            )
        )

    services.finish(table.memberships["facilitator"], member.workshop, utcnow())
    db.session.commit()
    event.listen(db.session, "before_flush", the_other_tap, once=True)
    with pytest.raises(services.RoomError, match="Hai già chiesto la parola"):
        services.ask(member, "Abitare", utcnow())
    # The one that spoke before stays, done; nothing else was kept by the refusal.
    assert [r.status for r in _requests()] == [Status.DONE]
