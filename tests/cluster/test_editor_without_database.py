"""What a person typing sees when the database goes away under two processes behind the
proxy: «Non salvato» with the server's reason, the text kept, then «Salvato» once the
database is back, with nothing typed lost."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.cluster.conftest import Shared
from tests.e2e.conftest import DESKTOP, browser, enter, screenshot, section_editor
from tests.realtime.helpers import wait_until

__all__ = ["browser"]

pytestmark = pytest.mark.e2e


def _indicator(page: Page) -> Locator:
    return section_editor(page).locator(".tv-editor__save")


def _type_at_end(page: Page, text: str) -> None:
    section_editor(page).locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def test_the_editor_says_not_saved_while_the_database_is_away(
    running: Shared, browser: Browser
) -> None:
    doc = running.world.document("Testo comune.")
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    try:
        enter(page, running.world.links["writer5"])
        page.goto(f"{running.proxy}/documents/{doc.id}")
        # Synchronised with the server: what is typed now goes to it.
        expect(_indicator(page)).to_have_text("Salvato", timeout=30_000)
        _type_at_end(page, " Prima.")
        wait_until(lambda: "Prima." in running.world.body(doc), timeout=30)
        expect(_indicator(page)).to_have_text("Salvato", timeout=30_000)
        alert = section_editor(page).locator(".tv-editor__alert")
        running.relay.cut()
        try:
            _type_at_end(page, " Durante.")
            expect(_indicator(page)).to_have_text("Non salvato", timeout=30_000)
            expect(alert).to_contain_text("non riesce a salvare")
            screenshot(page, "cluster-editor-database-away")
        finally:
            running.relay.restore()
        expect(_indicator(page)).to_have_text("Salvato", timeout=30_000)
        expect(alert).to_have_count(0)
        assert running.world.body(doc) == "Testo comune. Prima. Durante."
    finally:
        context.close()
