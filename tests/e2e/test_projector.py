"""The room's screen: opened once on the projector's computer, it follows what the
facilitator chooses on their own laptop (the queue, then a section) and shows the text
as the room writes it, without anyone touching it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import DESKTOP, Site, enter, screenshot

pytestmark = pytest.mark.e2e
DEMO_DOCUMENT = "Documento di policy sul budget di salute"


def test_the_projector_follows_the_facilitator_and_the_text(site: Site, browser: Browser) -> None:
    laptop = browser.new_context(**DESKTOP)
    beamer = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="it-IT")
    try:
        page = laptop.new_page()
        enter(page, site.facilitator_link)
        workshop = page.url
        page.get_by_role("link", name=DEMO_DOCUMENT).click()
        document = page.url.split("#")[0]
        abitare = page.locator(
            "section.document-section", has=page.locator("h2", has_text="Abitare")
        )
        section_id = abitare.get_attribute("data-section-id")

        page.goto(workshop)
        page.get_by_role("link", name="La parola").click()
        projector_url = page.get_by_role("link", name=DEMO_DOCUMENT).get_attribute("href")
        assert projector_url and projector_url.endswith("/proiettore")
        # The shared site's screen may show what an earlier test chose: the queue first.
        page.get_by_role("button", name="Mostra la coda").click()
        screen = beamer.new_page()
        enter(screen, site.facilitator_link)
        screen.goto(site.url(projector_url))
        expect(screen.get_by_role("heading", level=1)).to_have_text("La parola")

        page.get_by_label("Sezione").select_option(value=section_id)
        page.get_by_role("button", name="Mostra la sezione").click()
        expect(page.locator("[data-projected]")).to_have_text("una sezione")
        expect(screen.get_by_role("heading", level=1)).to_contain_text("Abitare", timeout=15_000)

        page.goto(document)
        content = abitare.locator(".tv-editor .cm-content")
        expect(content).to_have_attribute("contenteditable", "true", timeout=20_000)
        content.click()
        page.keyboard.press("Control+End")
        page.keyboard.type(" Scritto in sala, visto sul proiettore.")
        expect(content).to_contain_text("Scritto in sala, visto sul proiettore.")
        expect(abitare.locator(".tv-editor__save")).to_have_text("Salvato", timeout=20_000)
        expect(screen.locator(".projector__text")).to_contain_text(
            "Scritto in sala, visto sul proiettore.", timeout=20_000
        )
        screenshot(screen, "projector-section")
    finally:
        laptop.close()
        beamer.close()
