"""The day the document is presented: from the published page, the codes for the slides,
one to the page and one to its PDF, read back as a phone reads them off the screen."""

from __future__ import annotations

import re
import subprocess

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import DESKTOP, SCREENSHOTS, Site, enter, new_document, screenshot

pytestmark = pytest.mark.e2e


def _read(page, selector: str, name: str) -> str:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(exist_ok=True)
    picture = SCREENSHOTS / f"{name}.png"
    page.locator(selector).screenshot(path=str(picture))
    done = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(picture)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_the_published_page_offers_codes_for_the_slides(site: Site, browser: Browser) -> None:
    context = browser.new_context(**DESKTOP)
    try:
        page = context.new_page()
        enter(page, site.facilitator_link)
        document = new_document(page, "Patto presentato")
        for step, confirm in (("Congela il documento", "Congela"), ("Pubblica", "Pubblica")):
            page.get_by_role("button", name=step, exact=True).click()
            page.get_by_role("button", name=re.compile(f"^{confirm}")).click()
        expect(page.locator(".badge", has_text="Stato:")).to_contain_text("Pubblicato")

        page.goto(document + "/exports")
        page.get_by_text("PDF, da consegnare e stampare").click()
        page.get_by_role("button", name="Esporta").click()
        expect(page.locator(".alert").first).to_contain_text("Esportazione pronta")

        page.goto(document)
        page.locator("header a[href*='/p/']").click()
        page.get_by_role("link", name="Codici QR per presentare il documento").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Patto presentato")
        figures = page.locator(".presentation figure")
        expect(figures).to_have_count(2)
        to_page = _read(page, ".presentation figure:nth-of-type(1) svg.qr", "presentation-page-qr")
        to_pdf = _read(page, ".presentation figure:nth-of-type(2) svg.qr", "presentation-pdf-qr")
        assert re.fullmatch(rf"{re.escape(site.base_url)}/p/[\w-]+", to_page), to_page
        assert to_pdf == to_page + "/download/pdf"
        screenshot(page, "presentation")

        pdf = context.request.get(to_pdf)
        assert pdf.ok and pdf.body().startswith(b"%PDF")
    finally:
        context.close()
