"""A session of one minute on the real server's clock: its section opens at the start
and locks at the end by itself, while a participant types across the end. What was
typed before the end is in the text; what was still on its way when the section locked
becomes a proposal for the facilitators; nothing is lost. The countdown and its
five-minute warning (a one-minute session is all warning) show in the editor."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import DESKTOP, check_accessibility, enter, screenshot
from tests.e2e.test_live_editing import Network
from tests.realtime.server import LiveServer

ZONE = ZoneInfo(os.environ.get("TZ_NAME", "Europe/Rome"))


@pytest.fixture(scope="module")
def day(tmp_path_factory) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    server = LiveServer(tmp_path_factory.mktemp("agenda"))
    server.prepare_database()
    outputs = server.tavolo(
        ["tavolo", "demo"],
        ["tavolo", "invite", "1", "--name", "Chiara Gallo", "--email", "chiara@e2e.example.org"],
        ["tavolo", "list-documents", "1"],
    )
    server.start()
    document_id = int(outputs[2].split("\t")[0])
    sections = [
        row[0]
        for row in server.sql(
            "SELECT id FROM section WHERE document_id = ? ORDER BY position", document_id
        )
    ]
    try:
        yield {
            "server": server,
            "facilitator": outputs[0],
            "participant": outputs[1],
            "document": document_id,
            "section": sections[0],
        }
    finally:
        server.stop()


def _editable(page: Page, section_id: int):  # type: ignore[no-untyped-def]
    return page.locator(f'.section-editor[data-section-id="{section_id}"] .cm-content')


def _next_minute(margin_seconds: int = 40) -> dt.datetime:
    """The next whole minute on the room's clock, leaving time to fill in the form."""
    now = dt.datetime.now(ZONE).replace(tzinfo=None)
    start = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    if (start - now).total_seconds() < margin_seconds:
        start += dt.timedelta(minutes=1)
    return start


def _locked_before(editor, start: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    """The section is not writable while its session has not started. Checked only
    while the start is still a few seconds away: on a busy machine the pages may take
    longer to open than the margin left before the start, and the section then rightly
    opens before this look (that it opened on time is checked against the database)."""
    left = (start - dt.datetime.now(ZONE).replace(tzinfo=None)).total_seconds()
    if left > 5:
        expect(editor).to_have_attribute("contenteditable", "false", timeout=(left - 2) * 1000)


def _wait_until(page: Page, local: dt.datetime) -> None:
    """Waits inside Playwright, whose event loop forwards the page's messages through the
    test's network (a plain sleep would hold Socket.IO's pongs and drop the connection)."""
    left = (local - dt.datetime.now(ZONE).replace(tzinfo=None)).total_seconds()
    if left > 0:
        page.wait_for_timeout(left * 1000)


@pytest.mark.e2e
def test_a_one_minute_session_opens_and_locks_its_section_and_loses_nothing(
    day: dict, browser: Browser
) -> None:
    server, document_url = day["server"], f"{day['server'].base_url}/documents/{day['document']}"
    section_id = day["section"]
    desk = browser.new_context(**DESKTOP)
    seat = browser.new_context(**DESKTOP)
    network = Network(seat)
    try:
        facilitator = desk.new_page()
        enter(facilitator, day["facilitator"])
        # The section waits, locked, for its session.
        facilitator.goto(document_url)
        facilitator.locator("details.section-controls summary").first.click()
        facilitator.locator(f"#state-{section_id}").select_option("locked")
        facilitator.get_by_role("button", name="Applica").first.click()

        start = _next_minute()
        end = start + dt.timedelta(minutes=1)
        facilitator.goto(f"{server.base_url}/workshops/1/agenda")
        facilitator.get_by_label("Titolo della sessione").fill("Abitare")
        facilitator.get_by_label("Giorno", exact=True).fill(start.date().isoformat())
        facilitator.get_by_label("Inizio", exact=True).fill(start.strftime("%H:%M"))
        facilitator.get_by_label("Fine", exact=True).fill(end.strftime("%H:%M"))
        facilitator.get_by_label("Sala", exact=True).fill("Sala consiliare")
        facilitator.get_by_label("Documento di policy sul budget di salute · Premessa").check(
            force=True
        )
        facilitator.get_by_label("Apri le sezioni all'inizio della sessione").check(force=True)
        facilitator.get_by_label("Blocca le sezioni alla fine della sessione").check(force=True)
        facilitator.get_by_role("button", name="Aggiungi al programma").click()
        expect(facilitator.get_by_text("Sessione aggiunta al programma.")).to_be_visible()

        participant = seat.new_page()
        enter(participant, day["participant"])
        participant.goto(document_url)
        editor = _editable(participant, section_id)
        _locked_before(editor, start)

        # At the start the section opens by itself, and the countdown appears.
        expect(editor).to_have_attribute("contenteditable", "true", timeout=90_000)
        opened_at = dt.datetime.now(ZONE).replace(tzinfo=None)
        assert opened_at >= start, "opened before its session started"
        clock = participant.locator(f'[data-agenda-clock="{section_id}"]')
        expect(clock).to_contain_text("Sessione 1 · Abitare — termina tra 0:")
        expect(clock).to_contain_text("mancano meno di 5 minuti")
        expect(participant.locator("#agenda-announcer")).to_have_text(
            "Sessione 1 · Abitare: mancano meno di 5 minuti alla fine."
        )
        editor.click()
        participant.keyboard.press("Control+End")
        participant.keyboard.type(" Prima della fine: casa per tutti.")
        screenshot(participant, "agenda-countdown")
        facilitator.goto(f"{server.base_url}/workshops/1/agenda")
        expect(facilitator.locator(".agenda-running")).to_contain_text("Abitare")
        screenshot(facilitator, "agenda-running")
        facilitator.goto(f"{server.base_url}/workshops/1")
        expect(facilitator.locator(".agenda-running")).to_contain_text("In corso")
        screenshot(facilitator, "agenda-workshop-today")

        # The last words leave the keyboard before the end but reach the server after it.
        # Held for less than the editor's wait for an acknowledgement (10 s), after which
        # it would reconnect and send them again: a slow network, not a lost one.
        _wait_until(participant, end - dt.timedelta(seconds=2))
        network.hold()
        # One input event, as a paste: typed key by key on a loaded machine, the words
        # straddled the lock and only their first half was in flight.
        participant.keyboard.insert_text(" Ultime parole in viaggio.")
        _wait_until(participant, end + dt.timedelta(seconds=1))
        deadline = time.monotonic() + 15
        while not server.sql("SELECT locked_at FROM agenda_session WHERE title = 'Abitare'")[0][0]:
            assert time.monotonic() < deadline, "the section did not lock at the end"
            participant.wait_for_timeout(200)
        network.release()

        expect(editor).to_have_attribute("contenteditable", "false", timeout=15_000)
        expect(clock).to_be_hidden()
        body = server.settled_body(section_id)
        assert "Prima della fine: casa per tutti." in body
        assert "Ultime parole in viaggio." not in body
        deadline = time.monotonic() + 30
        while not server.sql(
            "SELECT proposed_text FROM rejected_edit WHERE section_id = ?", section_id
        ):
            assert time.monotonic() < deadline, "the late words were lost"
            participant.wait_for_timeout(200)
        [(proposed,)] = server.sql(
            "SELECT proposed_text FROM rejected_edit WHERE section_id = ?", section_id
        )
        assert "Prima della fine: casa per tutti. Ultime parole in viaggio." in proposed
        screenshot(participant, "agenda-locked")
        facilitator.goto(document_url + f"#sezione-{section_id}")
        screenshot(facilitator, "agenda-after-lock-facilitator")
    finally:
        desk.close()
        seat.close()


@pytest.mark.e2e
def test_an_extension_moves_every_countdown_without_a_reload(day: dict, browser: Browser) -> None:
    server = day["server"]
    document_url = f"{server.base_url}/documents/{day['document']}"
    section_id = int(
        server.sql(
            "SELECT id FROM section WHERE document_id = ? ORDER BY position LIMIT 1 OFFSET 1",
            day["document"],
        )[0][0]
    )
    now = dt.datetime.now(ZONE).replace(tzinfo=None, second=0, microsecond=0)
    end = now + dt.timedelta(minutes=10)
    if end.date() != now.date():
        pytest.skip("too close to midnight for a session within one day")
    desk = browser.new_context(**DESKTOP)
    seat = browser.new_context(**DESKTOP)
    try:
        facilitator = desk.new_page()
        enter(facilitator, day["facilitator"])
        facilitator.goto(f"{server.base_url}/workshops/1/agenda")
        check_accessibility(facilitator, "the programme")
        facilitator.get_by_label("Titolo della sessione").fill("Lavoro")
        facilitator.get_by_label("Giorno", exact=True).fill(now.date().isoformat())
        facilitator.get_by_label("Inizio", exact=True).fill(now.strftime("%H:%M"))
        facilitator.get_by_label("Fine", exact=True).fill(end.strftime("%H:%M"))
        facilitator.get_by_label("Sala", exact=True).fill("Sala B")
        facilitator.get_by_label("Documento di policy sul budget di salute · Abitare").check(
            force=True
        )
        facilitator.get_by_role("button", name="Aggiungi al programma").click()
        expect(facilitator.get_by_text("Sessione aggiunta al programma.")).to_be_visible()

        participant = seat.new_page()
        enter(participant, day["participant"])
        participant.goto(document_url)
        clock = participant.locator(f'[data-agenda-clock="{section_id}"]')
        expect(clock).to_contain_text(re.compile(r"Sessione \d · Lavoro — termina tra [89]:\d\d"))
        expect(clock).not_to_contain_text("mancano meno di 5 minuti")
        expect(clock.get_by_role("button")).to_have_count(0)

        facilitator.goto(document_url)
        mine = facilitator.locator(f'[data-agenda-clock="{section_id}"]')
        mine.get_by_role("button", name="+5 minuti").click()
        expect(facilitator.get_by_text("Sessione «Lavoro» prolungata di 5 minuti.")).to_be_visible()
        # The participant's page learns of it live: no reload here.
        expect(clock).to_contain_text(re.compile(r"termina tra 1[34]:\d\d"))
        screenshot(participant, "agenda-extended-participant")
        check_accessibility(participant, "a document with a countdown")
        expect(mine).to_contain_text(re.compile(r"termina tra 1[34]:\d\d"))
        screenshot(facilitator, "agenda-extended-facilitator")
        facilitator.goto(f"{server.base_url}/workshops/1")
        check_accessibility(facilitator, "the workshop's page with today's programme")
    finally:
        desk.close()
        seat.close()
