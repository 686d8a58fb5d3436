"""The room's speaking queue and its line to everyone, in two browsers: a phone asks for
the floor and the facilitator's page shows it without a reload; the floor given shows on
the phone; a line sent to the room appears in an editor open on a document."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    Site,
    check_accessibility,
    enter,
    new_link,
    screenshot,
)

pytestmark = pytest.mark.e2e
DEMO_DOCUMENT = "Documento di policy sul budget di salute"


def test_a_phone_asks_for_the_floor_and_the_room_hears_the_facilitator(
    site: Site, browser: Browser
) -> None:
    laptop = browser.new_context(**DESKTOP)
    phone = browser.new_context(**PHONE)
    try:
        page = laptop.new_page()
        enter(page, site.facilitator_link)
        workshop = page.url
        marco_link = new_link(page, "Marco Bianchi")
        page.goto(workshop)
        page.get_by_role("link", name="La parola").click()
        page.get_by_role("button", name="Apri la coda").click()
        expect(page.get_by_role("button", name="Chiudi la coda")).to_be_visible()

        reader = phone.new_page()
        enter(reader, marco_link)
        reader.get_by_role("link", name="La parola").click()
        reader.get_by_label(re.compile("Su che cosa vuoi intervenire")).fill("Sul lavoro")
        reader.get_by_role("button", name="Chiedi la parola").click()
        expect(reader.get_by_role("status").last).to_contain_text("Sei il prossimo a parlare")

        # The facilitator's page follows the room by itself.
        give = page.get_by_role("button", name="Dai la parola a Marco Bianchi")
        expect(give).to_be_visible(timeout=15_000)
        expect(page.locator("ol.list-group")).to_contain_text("Sul lavoro")
        screenshot(page, "floor-facilitator")
        check_accessibility(page, "speaking queue")
        give.click()
        expect(reader.get_by_text("Hai la parola.")).to_be_visible(timeout=15_000)
        screenshot(reader, "floor-phone")

        editor_page = phone.new_page()
        editor_page.goto(workshop)
        editor_page.get_by_role("link", name=DEMO_DOCUMENT).click()
        expect(editor_page.locator(".tv-editor__save").first).to_have_text(
            "Salvato", timeout=20_000
        )
        page.get_by_label("Messaggio per tutti").fill("Pausa caffè fino alle 11:30")
        page.get_by_role("button", name="Mostra a tutti").click()
        banner = editor_page.locator("[data-room-announcement]")
        expect(banner).to_contain_text("Pausa caffè fino alle 11:30", timeout=10_000)
        expect(banner).to_be_visible()
        screenshot(editor_page, "floor-announcement-editor")
    finally:
        laptop.close()
        phone.close()
