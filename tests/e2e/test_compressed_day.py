"""A workshop day compressed into a few minutes, as the room lives it, in five browsers:
the facilitator's laptop, a participant's laptop, another participant's phone, the
projector's computer and, at the end, the institution's office.

People arrive and confirm they are in the room; two people ask for the floor and the
projector shows the queue; two one-minute sessions run back to back on the server's
real clock, each opening its section at its start and locking it at its end, while the
first participant types across the end (what arrived in time is in the text, what was
still on its way is kept for the facilitator: nothing is lost); the projector follows
the section as it is written, then a vote and its chart; the facilitator's line to the
room reaches the open editors; a commitment is recorded from the text, agreed, published
with the document and updated months later through the institution's own link.

The screenshots (tests/e2e/screenshots/day-*.png) are what a facilitator would project
or show: the projector is a 1920×1080 screen."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    check_accessibility,
    enter,
    new_link,
    screenshot,
)
from tests.e2e.test_agenda import ZONE, _editable, _locked_before, _next_minute, _wait_until
from tests.e2e.test_live_editing import Network
from tests.realtime.server import LiveServer

DOCUMENT = "Documento di policy sul budget di salute"
# How late an automatic opening or locking may come on a busy machine (the agenda looks
# every 2 s).
LATE_AT_MOST = dt.timedelta(seconds=10)
SCREEN = {"width": 1920, "height": 1080}
PROJECTOR = {"viewport": SCREEN, "locale": "it-IT"}
# Typed by Giulia in «Abitare» before the end of its session, and just before the end.
IN_TIME = "Il Comune apre uno sportello unico per la casa entro settembre."
IN_FLIGHT = " Con un fondo di garanzia per gli affitti."
# Typed by Marco, on his phone, in «Lavoro» during the second session.
ON_THE_PHONE = "Tirocini retribuiti nelle cooperative di tipo B per chi esce dalla comunità."
BROADCAST = "Pausa caffè fino alle 11:30"
QUESTION = "Approviamo la sezione «Abitare»?"
ACTION = "Apre uno sportello unico per la casa nel palazzo comunale, con un fondo di garanzia."
UPDATE = "Sportello aperto il 2 settembre; il fondo è nel bilancio di previsione."


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    server = LiveServer(tmp_path_factory.mktemp("day"))
    server.prepare_database()
    outputs = server.tavolo(["tavolo", "demo"], ["tavolo", "list-documents", "1"])
    document = int(outputs[1].split("\t")[0])
    sections = dict(
        server.sql("SELECT title, id FROM section WHERE document_id = ?", document)  # type: ignore[arg-type]
    )
    server.start()
    try:
        yield {
            "server": server,
            "facilitator": outputs[0],
            "document": document,
            "sections": sections,
        }
    finally:
        server.stop()


def _part(what: Page | Locator, name: str) -> None:
    """What a long page shows where it matters: the window, or one part of the page
    (the document's full page is many screens long)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    what.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _now() -> dt.datetime:
    """The room's clock, as the agenda's form takes it."""
    return dt.datetime.now(ZONE).replace(tzinfo=None)


def _stamp(server: LiveServer, column: str, title: str) -> dt.datetime | None:
    """When the agenda opened or locked a session's sections (naive UTC, as stored)."""
    [(value,)] = server.sql(f"SELECT {column} FROM agenda_session WHERE title = ?", title)
    return dt.datetime.fromisoformat(value) if value else None


def _on_time(server: LiveServer, column: str, title: str, due: dt.datetime) -> None:
    """At the time on the room's clock, or a few seconds after (the agenda looks every
    AGENDA_TICK_SECONDS, and this machine may be busy): never before."""
    stamp = _stamp(server, column, title)
    due_utc = due.replace(tzinfo=ZONE).astimezone(dt.UTC).replace(tzinfo=None)
    assert stamp is not None and due_utc <= stamp < due_utc + LATE_AT_MOST, (
        f"«{title}»: {column} {stamp}, due at {due_utc}"
    )


def _eventually(page: Page, done: Callable[[], object], what: str, seconds: float = 30) -> None:
    """Asks the database again until `done` holds, waiting inside Playwright so that
    the browsers' connections go on meanwhile."""
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, what
        page.wait_for_timeout(200)


def _add_session(page: Page, base: str, title: str, start: dt.datetime, section: str) -> None:
    page.goto(f"{base}/workshops/1/agenda")
    end = start + dt.timedelta(minutes=1)
    page.get_by_label("Titolo della sessione").fill(title)
    page.get_by_label("Giorno", exact=True).fill(start.date().isoformat())
    page.get_by_label("Inizio", exact=True).fill(start.strftime("%H:%M"))
    page.get_by_label("Fine", exact=True).fill(end.strftime("%H:%M"))
    page.get_by_label("Sala", exact=True).fill("Sala consiliare")
    page.get_by_label(f"{DOCUMENT} · {section}").check(force=True)
    page.get_by_label("Apri le sezioni all'inizio della sessione").check(force=True)
    page.get_by_label("Blocca le sezioni alla fine della sessione").check(force=True)
    page.get_by_role("button", name="Aggiungi al programma").click()
    expect(page.get_by_text("Sessione aggiunta al programma.")).to_be_visible()


def _ask_for_the_floor(page: Page, base: str, topic: str) -> None:
    page.goto(f"{base}/workshops/1/parola")
    page.get_by_label(re.compile("Su che cosa vuoi intervenire")).fill(topic)
    page.get_by_role("button", name="Chiedi la parola").click()
    expect(page.get_by_role("status").last).to_contain_text(re.compile("Sei (il prossimo|in coda)"))


def _vote(page: Page, section_id: int, choice: str) -> None:
    vote = page.locator(
        f'[data-deliberation-section][data-section-id="{section_id}"] .vote--open'
    ).first
    expect(vote).to_contain_text(QUESTION, timeout=15_000)
    # Bootstrap Italia draws its own radio button over the hidden input.
    vote.get_by_label(choice, exact=True).check(force=True)
    vote.get_by_role("button", name="Vota").click()
    expect(vote).to_contain_text("Cambia il voto", timeout=15_000)


@pytest.mark.e2e
@pytest.mark.timeout(480)
def test_a_compressed_day_in_the_room(day: dict, browser: Browser) -> None:
    server: LiveServer = day["server"]
    base = server.base_url
    document_url = f"{base}/documents/{day['document']}"
    abitare, lavoro = day["sections"]["Abitare"], day["sections"]["Lavoro"]
    if (_now() + dt.timedelta(minutes=5)).date() != _now().date():
        pytest.skip("too close to midnight for two sessions within one day")
    laptop = browser.new_context(**DESKTOP)
    seat = browser.new_context(**DESKTOP)
    phone = browser.new_context(**PHONE)
    beamer = browser.new_context(**PROJECTOR)
    network = Network(seat)
    office = None
    try:
        # ---- Before the day starts -----------------------------------------------------
        facilitator = laptop.new_page()
        enter(facilitator, day["facilitator"])
        # Two of the demo's participants get their personal links from the facilitator.
        giulia_link = new_link(facilitator, "Giulia Ferrari")
        facilitator.goto(f"{base}/workshops/1")
        marco_link = new_link(facilitator, "Marco Bianchi")
        facilitator.goto(f"{base}/workshops/1")
        facilitator.get_by_role("link", name="Console").click()
        # The sections of the morning wait, locked, for their sessions.
        for title, section_id in (("Abitare", abitare), ("Lavoro", lavoro)):
            facilitator.get_by_role("button", name=f"Blocca «{title}»").click()
            expect(facilitator.locator(f"#riga-{section_id}")).to_contain_text("Bloccata")

        # People arrive and read the room's code.
        facilitator.goto(f"{base}/workshops/1/presenze")
        arrival = facilitator.locator(".room-code .address a").get_attribute("href")
        assert arrival
        giulia = seat.new_page()
        enter(giulia, giulia_link)
        marco = phone.new_page()
        enter(marco, marco_link)
        for page in (giulia, marco):
            page.goto(arrival)
            page.get_by_role("button", name="Sono presente").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Sei presente")

        # The projector's computer opens the room's screen once and is not touched again.
        screen = beamer.new_page()
        enter(screen, day["facilitator"])
        screen.goto(f"{document_url}/proiettore")
        expect(screen.locator(".projector__title")).to_have_text("La parola")
        expect(screen.locator("main")).to_contain_text("Nessuno in coda.")
        screen.evaluate("window.neverReloaded = true")

        # Two back-to-back sessions of one minute: «Abitare», then «Lavoro».
        start = _next_minute(margin_seconds=50)
        end = start + dt.timedelta(minutes=1)
        second_end = end + dt.timedelta(minutes=1)
        _add_session(facilitator, base, "Abitare", start, "Abitare")
        _add_session(facilitator, base, "Lavoro", end, "Lavoro")
        slots = facilitator.locator(".agenda-slot")
        expect(slots).to_have_count(2)
        expect(slots.first).to_contain_text(f"{start:%H:%M}–{end:%H:%M} · Sessione 1 · Abitare")
        expect(slots.last).to_contain_text(f"{end:%H:%M}–{second_end:%H:%M} · Sessione 2 · Lavoro")

        # Both writers have the document open before their sessions; nothing is writable.
        giulia.goto(document_url)
        giulia_abitare = _editable(giulia, abitare)
        _locked_before(giulia_abitare, start)
        marco_doc = phone.new_page()
        marco_doc.goto(document_url)
        marco_lavoro = _editable(marco_doc, lavoro)
        _locked_before(marco_lavoro, end)

        # ---- The speaking queue, on the facilitator's laptop and on the projector -----
        facilitator.goto(f"{base}/workshops/1/parola")
        facilitator.get_by_role("button", name="Apri la coda").click()
        expect(facilitator.get_by_role("button", name="Chiudi la coda")).to_be_visible()
        marco_floor = phone.new_page()
        _ask_for_the_floor(marco_floor, base, "Sul lavoro: i tirocini")
        giulia_floor = seat.new_page()
        _ask_for_the_floor(giulia_floor, base, "Sulla casa")
        queue = facilitator.locator("ol.list-group")
        # The facilitator's page follows the room by itself.
        expect(queue.locator("li")).to_have_count(2, timeout=15_000)
        expect(queue.locator("li").first).to_contain_text("Marco Bianchi · Comune di Codogno")
        expect(queue.locator("li").first).to_contain_text("Sul lavoro: i tirocini")
        expect(queue.locator("li").last).to_contain_text("Giulia Ferrari · ASST di Lodi")
        queue_on_screen = screen.locator(".projector__queue li")
        expect(queue_on_screen).to_have_text(
            ["Marco Bianchi · Comune di Codogno", "Giulia Ferrari · ASST di Lodi"],
            timeout=15_000,
        )
        facilitator.get_by_role("button", name="Dai la parola a Marco Bianchi").click()
        expect(marco_floor.get_by_text("Hai la parola.")).to_be_visible(timeout=15_000)
        expect(screen.locator(".projector__big")).to_have_text("Marco Bianchi", timeout=15_000)
        expect(screen.locator(".projector__note")).to_have_text(
            "Comune di Codogno · Sul lavoro: i tirocini"
        )
        expect(queue_on_screen).to_have_text(["Giulia Ferrari · ASST di Lodi"])
        screenshot(screen, "day-projector-queue")
        screenshot(marco_floor, "day-phone-floor")

        # The facilitator puts the section of the first session on the screen.
        facilitator.goto(f"{base}/workshops/1/console")
        facilitator.get_by_role("button", name="Proietta «Abitare»").click()
        expect(facilitator.locator("[data-projected]")).to_have_text("la sezione «Abitare»")
        expect(screen.locator(".projector__title")).to_have_text("2 Abitare", timeout=15_000)
        expect(screen.locator(".projector__text")).to_contain_text("Che cosa proponiamo")

        # ---- Session 1: «Abitare» opens by itself at its start -------------------------
        expect(giulia_abitare).to_have_attribute("contenteditable", "true", timeout=120_000)
        assert _now() >= start, "the section opened before its session started"
        clock = giulia.locator(f'[data-agenda-clock="{abitare}"]')
        expect(clock).to_contain_text("Sessione 1 · Abitare — termina tra 0:")
        giulia_abitare.click()
        giulia.keyboard.press("Control+End")
        giulia.keyboard.press("Enter")  # a new item of «Che cosa proponiamo»
        giulia.keyboard.type(IN_TIME)
        # The projector shows the text as it is written, without a reload.
        expect(screen.locator(".projector__text")).to_contain_text(IN_TIME, timeout=20_000)
        assert screen.evaluate("window.neverReloaded === true")
        screenshot(screen, "day-projector-live-text")
        check_accessibility(screen, "the projector with a section")

        # The console: who writes where, what is open and what waits for its session.
        facilitator.goto(f"{base}/workshops/1/console")
        expect(facilitator.locator(f"#riga-{abitare}")).to_contain_text("Aperta")
        expect(facilitator.locator(f"#riga-{abitare}")).to_contain_text(
            "Giulia Ferrari", timeout=15_000
        )
        expect(facilitator.locator(f"#riga-{lavoro}")).to_contain_text("Bloccata")
        expect(facilitator.locator(".console-figures")).to_contain_text("2 presenti")
        screenshot(facilitator, "day-console-session")

        # The last words leave the keyboard before the end but reach the server after it
        # (held for less than the editor's 10 s wait for an acknowledgement).
        left = (end - _now()).total_seconds()
        assert left > 4, f"the morning took too long: {left:.1f} s left in the session"
        _wait_until(giulia, end - dt.timedelta(seconds=2))
        network.hold()
        giulia.keyboard.type(IN_FLIGHT)
        _wait_until(giulia, end + dt.timedelta(seconds=1))
        _eventually(
            giulia,
            lambda: _stamp(server, "locked_at", "Abitare"),
            "«Abitare» did not lock at the end of its session",
            seconds=15,
        )
        network.release()
        _on_time(server, "opened_at", "Abitare", start)
        _on_time(server, "locked_at", "Abitare", end)

        # ---- Session 2: «Lavoro» opens as «Abitare» locks ------------------------------
        expect(giulia_abitare).to_have_attribute("contenteditable", "false", timeout=15_000)
        expect(marco_lavoro).to_have_attribute("contenteditable", "true", timeout=30_000)
        assert _now() >= end, "«Lavoro» opened before its session started"
        expect(marco_doc.locator(f'[data-agenda-clock="{lavoro}"]')).to_contain_text(
            "Sessione 2 · Lavoro — termina tra 0:"
        )
        marco_lavoro.click()
        marco_doc.keyboard.press("Control+End")
        marco_doc.keyboard.press("Enter")
        marco_doc.keyboard.type(ON_THE_PHONE)

        # Nothing of «Abitare» is lost: in the text what came in time, kept aside the rest.
        body = server.settled_body(abitare)
        assert IN_TIME in body
        assert IN_FLIGHT.strip() not in body
        _eventually(
            giulia,
            lambda: server.sql(
                "SELECT proposed_text FROM rejected_edit WHERE section_id = ?", abitare
            ),
            "the words in flight at the end were lost",
        )
        [(proposed,)] = server.sql(
            "SELECT proposed_text FROM rejected_edit WHERE section_id = ?", abitare
        )
        assert IN_TIME + IN_FLIGHT in proposed
        # Nor does the projector show what came too late.
        expect(screen.locator(".projector__text")).not_to_contain_text(IN_FLIGHT.strip())

        # Marco's words on the phone are stored, in the second session's section.
        _eventually(
            marco_doc,
            lambda: ON_THE_PHONE in server.settled_body(lavoro),
            "the text typed on the phone was not stored",
        )
        assert _now() < second_end, "the second session ended before its text was stored"
        _on_time(server, "opened_at", "Lavoro", end)

        # The facilitator finds the late words beside «Abitare», to make an amendment of.
        facilitator.goto(f"{document_url}#sezione-{abitare}")
        late = facilitator.locator(f"#deliberazione-{abitare} [data-late-edits]")
        expect(late).to_contain_text("1 testo arrivato a sezione bloccata", timeout=15_000)
        expect(late).to_contain_text("Giulia Ferrari")
        expect(late).to_contain_text(IN_FLIGHT.strip())
        _part(
            facilitator.locator(f'section.document-section[data-section-id="{abitare}"]'),
            "day-late-words-facilitator",
        )

        # ---- A line to the whole room, on the open editors, without a reload ----------
        facilitator.goto(f"{base}/workshops/1/parola")
        facilitator.get_by_label("Messaggio per tutti").fill(BROADCAST)
        facilitator.get_by_role("button", name="Mostra a tutti").click()
        for page in (giulia, marco_doc):
            banner = page.locator("[data-room-announcement]")
            expect(banner).to_contain_text(BROADCAST, timeout=15_000)
            expect(banner).to_be_visible()
        marco_doc.evaluate("window.scrollTo(0, 0)")
        _part(marco_doc, "day-phone-broadcast")
        # The projector shows it too, at its next look at the room.
        expect(screen.locator("[data-room-announcement]")).to_contain_text(
            BROADCAST, timeout=15_000
        )

        # ---- A vote on «Abitare», on the projector ---------------------------------------
        facilitator.goto(f"{base}/sections/{abitare}/votes/new")
        facilitator.get_by_label("Domanda").fill(QUESTION)
        facilitator.get_by_role("button", name="Apri la votazione").click()
        facilitator.goto(f"{base}/workshops/1/console")
        open_votes = facilitator.get_by_role("region", name="Votazioni aperte")
        expect(open_votes).to_contain_text(QUESTION)
        open_votes.get_by_role("button", name="Proietta").click()
        expect(facilitator.locator("[data-projected]")).to_have_text(f"la votazione «{QUESTION}»")
        expect(screen.locator(".projector__title")).to_have_text(QUESTION, timeout=15_000)

        _vote(giulia, abitare, "Favorevole")
        _vote(marco_doc, abitare, "Favorevole con riserve")
        expect(screen.locator(".projector__big")).to_have_text(
            "Votazione in corso: 2 persone hanno votato.", timeout=15_000
        )
        # No result on the screen while the vote is open.
        expect(screen.locator(".projector__chart")).to_have_count(0)

        facilitator.goto(f"{base}/workshops/1/console")
        facilitator.get_by_role("region", name="Votazioni aperte").get_by_role(
            "link", name=QUESTION
        ).click()
        facilitator.get_by_role("button", name="Chiudi la votazione").click()
        chart = screen.locator(".projector__chart li")
        expect(chart).to_have_count(4, timeout=15_000)
        expect(chart).to_have_text(
            [
                re.compile(r"^\s*Favorevole\s+1\s*$"),
                re.compile(r"^\s*Favorevole con riserve\s+1\s*$"),
                re.compile(r"^\s*Contrario\s+0\s*$"),
                re.compile(r"^\s*Astenuto\s+0\s*$"),
            ]
        )
        expect(screen.locator(".projector__note")).to_contain_text(
            re.compile(r"Votanti: 2 su \d+ aventi diritto")
        )
        # The chart has the screen's width, whatever its content: bars long enough to
        # compare from the back of the room.
        track = screen.locator(".projector__bar").first.bounding_box()
        assert track and track["width"] > SCREEN["width"] / 2
        assert screen.evaluate("window.neverReloaded === true")
        screenshot(screen, "day-projector-vote")
        check_accessibility(screen, "the projector with a vote's result")

        # ---- A commitment, from the text of «Abitare» ----------------------------------
        facilitator.goto(f"{base}/workshops/1/impegni")
        facilitator.get_by_label("Ente che si impegna").fill("Comune di Lodi")
        facilitator.get_by_label("Persona responsabile").fill(
            "Elena Conti, assessora alle politiche abitative"
        )
        facilitator.get_by_label("Azione").fill(ACTION)
        due = dt.date.today() + dt.timedelta(days=150)
        facilitator.get_by_label("Scadenza").fill(due.isoformat())
        facilitator.get_by_label("Indicatore").fill("Delibera di apertura e primo mese di accessi")
        facilitator.get_by_label("Dalla sezione (facoltativa)").select_option(value=str(abitare))
        facilitator.get_by_label("Passaggio del testo (facoltativo)").fill(IN_TIME)
        facilitator.get_by_role("button", name="Registra l'impegno").click()
        card = facilitator.locator(".commitment").first
        expect(card.locator(".commitment-status")).to_have_text("Proposta")
        expect(card.locator(".commitment-passage")).to_have_text(IN_TIME)
        card.get_by_label("Nuovo stato").select_option(label="Concordata")
        card.get_by_label("Nota (facoltativa)").fill("Approvato in plenaria, nessun contrario")
        card.get_by_role("button", name="Cambia stato").click()
        card = facilitator.locator(".commitment").first
        expect(card.locator(".commitment-status")).to_have_text("Concordata")

        # The second session locks its section on time too, before the document is frozen.
        _wait_until(facilitator, second_end)
        _eventually(
            facilitator,
            lambda: _stamp(server, "locked_at", "Lavoro"),
            "«Lavoro» did not lock at the end of its session",
            seconds=15,
        )
        _on_time(server, "locked_at", "Lavoro", second_end)
        expect(marco_lavoro).to_have_attribute("contenteditable", "false", timeout=15_000)
        assert ON_THE_PHONE in server.settled_body(lavoro)

        # The document is frozen and published; its public page hands the commitment over.
        facilitator.goto(document_url)
        facilitator.get_by_role("button", name="Congela il documento").click()
        facilitator.get_by_role("button", name="Congela comunque").click()
        facilitator.get_by_role("button", name="Pubblica", exact=True).click()
        facilitator.get_by_role("button", name="Pubblica comunque").click()
        expect(facilitator.locator("[data-document-status]")).to_have_text("Pubblicato")
        facilitator.goto(f"{base}/p/{day['document']}")
        public = facilitator.locator("#impegni")
        expect(public.locator(".commitment-status")).to_have_text("Concordata")
        expect(public).to_contain_text(ACTION)
        expect(facilitator.locator("main")).to_contain_text(IN_TIME)
        expect(facilitator.locator("main")).not_to_contain_text(IN_FLIGHT.strip())

        # The institution's link, opened months later in an office with no login.
        facilitator.goto(f"{base}/workshops/1/impegni")
        facilitator.locator(".commitment").first.get_by_role(
            "button", name="Crea il link dell'ente"
        ).click()
        link = facilitator.get_by_label("Link per l'ente").input_value()
        assert "/impegno/" in link
        office = browser.new_context(**DESKTOP)
        institution = office.new_page()
        institution.goto(link)
        expect(institution.get_by_role("heading", level=1)).to_have_text(
            "L'impegno di Comune di Lodi"
        )
        expect(institution.locator(".commitment-status")).to_have_text("Concordata")
        # Published: the passage of the text it answers to is shown.
        expect(institution.locator(".commitment-passage")).to_have_text(IN_TIME)
        institution.locator("label", has_text="In corso").click()
        institution.get_by_label("Nota", exact=True).fill(UPDATE)
        institution.get_by_role("button", name="Registra l'aggiornamento").click()
        expect(institution.get_by_text("Grazie: l'aggiornamento è registrato")).to_be_visible()
        expect(institution.locator(".commitment-status")).to_have_text("In corso")
        institution.locator(".commitment-history summary").click()
        expect(institution.locator(".commitment-history li")).to_have_count(3)
        expect(institution.locator(".commitment-history")).to_contain_text(
            f"In corso (l'ente, con il suo link): {UPDATE}"
        )
        screenshot(institution, "day-institution")

        # The register and the public page show the update, with its history.
        facilitator.goto(f"{base}/workshops/1/impegni")
        card = facilitator.locator(".commitment").first
        expect(card.locator(".commitment-status")).to_have_text("In corso")
        card.locator(".commitment-history summary").click()
        history = card.locator(".commitment-history li")
        expect(history).to_have_count(3)
        expect(history.nth(0)).to_contain_text("Registrato come proposta (Facilitatore demo)")
        expect(history.nth(1)).to_contain_text(
            "Concordata (Facilitatore demo): Approvato in plenaria, nessun contrario"
        )
        expect(history.nth(2)).to_contain_text(f"In corso (l'ente, con il suo link): {UPDATE}")
        screenshot(facilitator, "day-register")
        facilitator.goto(f"{base}/p/{day['document']}")
        public = facilitator.locator("#impegni")
        expect(public.locator(".commitment-status")).to_have_text("In corso")
        expect(public).to_contain_text("Aggiornato il")
        public.scroll_into_view_if_needed()
        screenshot(facilitator, "day-public-commitments")
    finally:
        for context in (laptop, seat, phone, beamer, office):
            if context is not None:
                context.close()
