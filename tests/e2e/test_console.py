"""The facilitator's console in a browser: it shows who is writing in which section as
they write, and locking a section from it reaches the writer's editor at once."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import DESKTOP, Site, check_accessibility, enter, screenshot

pytestmark = pytest.mark.e2e
DEMO_DOCUMENT = "Documento di policy sul budget di salute"


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
