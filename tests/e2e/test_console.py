"""The facilitator's console in a browser: it shows who is writing in which section as
they write, and locking a section from it reaches the writer's editor at once."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import DESKTOP, Site, check_accessibility, enter, screenshot

pytestmark = pytest.mark.e2e
DEMO_DOCUMENT = "Documento di policy sul budget di salute"
ZONE = ZoneInfo(os.environ.get("TZ_NAME", "Europe/Rome"))


def test_the_console_follows_the_writers_and_locks_a_section(site: Site, browser: Browser) -> None:
    laptop = browser.new_context(**DESKTOP)
    writer = browser.new_context(**DESKTOP)
    try:
        page = laptop.new_page()
        enter(page, site.facilitator_link)
        workshop = page.url

        text = writer.new_page()
        enter(text, site.facilitator_link)
        text.get_by_role("link", name=DEMO_DOCUMENT).click()
        heading = text.locator("h2", has_text="Lavoro")
        lavoro = text.locator("section.document-section", has=heading)
        section_id = lavoro.get_attribute("data-section-id")
        content = lavoro.locator(".tv-editor .cm-content")
        expect(content).to_have_attribute("contenteditable", "true", timeout=20_000)
        content.click()
        text.keyboard.type(" Dalla console si vede.")

        page.goto(workshop)
        page.get_by_role("link", name="Console").click()
        row = page.locator(f"#riga-{section_id}")
        expect(row).to_contain_text("Facilitatore demo", timeout=15_000)
        expect(row).to_contain_text("Aperta")
        screenshot(page, "console")
        check_accessibility(page, "console")

        row.get_by_role("button", name="Blocca «Lavoro»").click()
        expect(page.locator(f"#riga-{section_id}")).to_contain_text("Bloccata")
        expect(content).to_have_attribute("contenteditable", "false", timeout=15_000)
    finally:
        laptop.close()
        writer.close()


def test_from_the_console_the_programme_goes_on_screen_a_session_runs_longer_and_a_version_is_saved(
    site: Site, browser: Browser
) -> None:
    laptop = browser.new_context(**DESKTOP)
    beamer = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="it-IT")
    try:
        page = laptop.new_page()
        enter(page, site.facilitator_link)
        workshop = page.url.split("#")[0]
        # A session running now, on the room's clock, added as a facilitator does.
        page.goto(f"{workshop}/agenda")
        clock = page.locator("[data-agenda-now]").get_attribute("data-agenda-now") or ""
        now = dt.datetime.fromisoformat(clock).astimezone(ZONE).replace(tzinfo=None)
        start = now.replace(second=0, microsecond=0) - dt.timedelta(minutes=1)
        end = start + dt.timedelta(minutes=30)
        if end.date() != start.date():
            pytest.skip("too close to midnight for a session within one day")
        page.get_by_label("Titolo della sessione").fill("Socialità in plenaria")
        page.get_by_label("Giorno", exact=True).fill(start.date().isoformat())
        page.get_by_label("Inizio", exact=True).fill(start.strftime("%H:%M"))
        page.get_by_label("Fine", exact=True).fill(end.strftime("%H:%M"))
        page.get_by_label("Sala", exact=True).fill("Sala del consiglio")
        page.get_by_role("button", name="Aggiungi al programma").click()
        expect(page.get_by_text("Sessione aggiunta al programma.")).to_be_visible()

        page.goto(workshop)
        page.get_by_role("link", name=DEMO_DOCUMENT).click()
        document = page.url.split("#")[0]
        page.goto(f"{workshop}/console")
        screen = beamer.new_page()
        enter(screen, site.facilitator_link)
        screen.goto(f"{document}/proiettore")
        page.get_by_role("button", name="Proietta il programma").click()
        expect(page).to_have_url(f"{workshop}/console")
        expect(screen.get_by_role("heading", level=1)).to_have_text(
            "Il programma di oggi", timeout=15_000
        )
        running = screen.locator(".projector__session--running")
        expect(running).to_contain_text("Socialità in plenaria")
        expect(running).to_contain_text(f"–{end.strftime('%H:%M')}")
        screenshot(screen, "projector-programme")

        # Ten minutes more, from the console: the projector follows by itself.
        page.get_by_role("button", name="+10 minuti «Socialità in plenaria»").click()
        expect(page.get_by_text("prolungata di 10 minuti")).to_be_visible()
        later = (end + dt.timedelta(minutes=10)).strftime("%H:%M")
        expect(running).to_contain_text(f"–{later}", timeout=15_000)

        page.get_by_label("Documento", exact=True).select_option(label=DEMO_DOCUMENT)
        page.get_by_label("Nome della versione").fill("dopo la plenaria")
        page.get_by_role("button", name="Salva la versione").click()
        expect(page.get_by_text("Versione «dopo la plenaria» di «")).to_be_visible()
        expect(page).to_have_url(f"{workshop}/console")
        screenshot(page, "console-programme")
        check_accessibility(page, "console with the programme")
        # The shared site's screen goes back to the queue for the tests that follow.
        page.get_by_role("button", name="Proietta la coda").click()
        expect(screen.get_by_role("heading", level=1)).to_have_text("La parola", timeout=15_000)
    finally:
        laptop.close()
        beamer.close()
