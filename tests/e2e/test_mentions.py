"""Typing @ in a comment box offers the workshop's members by name."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import DESKTOP, Site, check_accessibility, enter, screenshot

pytestmark = pytest.mark.e2e


def test_a_mention_is_picked_from_the_members(site: Site, browser: Browser) -> None:
    context = browser.new_context(**DESKTOP)
    try:
        page = context.new_page()
        enter(page, site.facilitator_link)
        page.get_by_role("link", name="Documento di policy sul budget di salute").click()
        section = page.locator("[data-comments]").first
        section.locator("summary").first.click()
        box = section.get_by_label(re.compile("Nuovo commento su"))
        box.click()
        box.press_sequentially("Ne parliamo con @ma")
        options = section.get_by_role("option")
        expect(options).to_have_text(["Marco Bianchi"])
        box.press_sequentially("rc")
        expect(box).to_have_attribute("aria-activedescendant", re.compile("mention-0$"))
        screenshot(page, "mentions")
        check_accessibility(page, "mention suggestions")
        box.press("Enter")
        expect(box).to_have_value("Ne parliamo con @Marco Bianchi ")
        expect(options).to_have_count(0)

        box.press_sequentially("e @")
        # Every member, up to six, whatever other tests added to the demo workshop.
        expect(options.filter(has_text="Giulia Ferrari")).to_have_count(1)
        expect(options.filter(has_text="Luca Conti")).to_have_count(1)
        box.press("ArrowDown")
        box.press("Escape")
        expect(options).to_have_count(0)
        expect(box).to_have_value("Ne parliamo con @Marco Bianchi e @")
    finally:
        context.close()
