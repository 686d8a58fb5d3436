"""The index beside the text follows the room without a reload: on a participant's page
the word count changes as the facilitator types, and the badges as a section is locked
and the document frozen."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    DESKTOP,
    Site,
    enter,
    new_document,
    new_link,
    screenshot,
    section_editor,
)

pytestmark = pytest.mark.e2e

TEMPLATE_TITLE = "Il budget di salute come strumento di welfare generativo"


def _index_entry(page: Page, title: str):  # type: ignore[no-untyped-def]
    return page.locator("nav[aria-labelledby=indice] li", has=page.get_by_role("link", name=title))


def test_the_index_follows_counts_locks_and_freezing(site: Site, browser: Browser) -> None:
    laptop = browser.new_context(**DESKTOP)
    other = browser.new_context(**DESKTOP)
    try:
        page = laptop.new_page()
        enter(page, site.facilitator_link)
        participant_link = new_link(page, "Marco Bianchi")
        page.goto(site.url("/workshops"))
        page.get_by_role("link", name=re.compile("Budget di salute")).first.click()
        document_url = new_document(page, "Patto in diretta", TEMPLATE_TITLE)

        reader = other.new_page()
        enter(reader, participant_link)
        reader.goto(document_url)
        premessa = _index_entry(reader, "1 Premessa")
        expect(premessa.locator("[data-section-badge]")).to_have_text("Aperta")
        before = premessa.locator("[data-section-words]").inner_text()

        editor = section_editor(page, 0)
        editor.click()
        page.keyboard.press("Control+End")
        page.keyboard.type(" Il tavolo propone tre azioni concrete per il prossimo anno.")
        expect(premessa.locator("[data-section-words]")).not_to_have_text(before)
        expect(premessa.locator("[data-section-words]")).to_contain_text(re.compile(r"\d+ parole"))

        page.locator("details.section-controls summary").first.click()
        page.locator("select[name=state]").first.select_option("locked")
        page.get_by_role("button", name="Applica").first.click()
        expect(premessa.locator("[data-section-badge]")).to_have_text("Bloccata")
        screenshot(reader, "live-outline-locked")

        page.goto(document_url)
        page.get_by_role("button", name="Congela il documento").click()
        page.get_by_role("button", name=re.compile("Congela")).click()
        expect(reader.locator("[data-document-status]")).to_have_text("Congelato")
        for badge in reader.locator("nav[aria-labelledby=indice] [data-section-badge]").all():
            expect(badge).to_have_text("Congelata")
        screenshot(reader, "live-outline-frozen")
    finally:
        laptop.close()
        other.close()
