"""Before freezing, the facilitator sees the template's hints still in the text: marked
in the editor, listed on the confirmation page, and nothing happens until confirmed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import (
    DESKTOP,
    Site,
    check_accessibility,
    enter,
    new_document,
    screenshot,
)

pytestmark = pytest.mark.e2e

TEMPLATE_TITLE = "Il budget di salute come strumento di welfare generativo"


def test_the_freeze_checklist_catches_a_template_hint(site: Site, browser: Browser) -> None:
    context = browser.new_context(**DESKTOP)
    try:
        page = context.new_page()
        enter(page, site.facilitator_link)
        new_document(page, "Patto da verificare", TEMPLATE_TITLE)

        hint = page.locator(".tv-editor .tv-placeholder").first
        expect(hint).to_contain_text("[")
        expect(hint).to_have_attribute("title", re.compile("da sostituire"))

        page.get_by_role("button", name="Congela il documento").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Congelare il documento?")
        listed = page.locator('[data-open-item="placeholders"]')
        expect(listed).to_contain_text("indicazioni del modello da sostituire")
        expect(listed).to_contain_text("[Esperienza, territorio, ente che la gestisce]")
        screenshot(page, "freeze-checklist")
        check_accessibility(page, "freeze checklist")

        listed.get_by_role("link").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Patto da verificare")
        expect(page.locator(".badge", has_text="Stato:")).to_contain_text("Bozza")

        page.get_by_role("button", name="Congela il documento").click()
        page.get_by_role("button", name="Congela comunque").click()
        expect(page.locator(".badge", has_text="Stato:")).to_contain_text("Congelato")
    finally:
        context.close()
