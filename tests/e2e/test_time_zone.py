"""Dates right at 00:30 in Rome: the server runs with its clock at 23:30 UTC on
5 December 2026 (libfaketime, the `faketime` command), the browser's clock at the same
moment. The document page, the export's file name and the PDF's cover say 6 December,
the day it is in the room; once the workshop is moved to London, 5 December."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    DESKTOP,
    Site,
    check_accessibility,
    demo_link,
    enter,
    new_document,
    screenshot,
)
from tests.realtime.server import LiveServer

pytestmark = pytest.mark.e2e

# 00:30 on 6 December in Rome (UTC+1 in winter), 23:30 on 5 December in London.
MOMENT = dt.datetime(2026, 12, 5, 23, 30, tzinfo=dt.UTC)
TEMPLATE_TITLE = "Il budget di salute come strumento di welfare generativo"


@pytest.fixture(scope="module")
def midnight_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    instance = tmp_path_factory.mktemp("e2e-mezzanotte")
    server = LiveServer(
        instance,
        launcher=("faketime", MOMENT.strftime("%Y-%m-%d %H:%M:%S")),
        EXPORTS_DIR=str(instance / "exports"),
        TZ="UTC",
    )
    server.prepare_database()
    link = demo_link(server)
    server.start()
    try:
        yield Site(server.base_url, link)
    finally:
        server.stop()


def _export_pdf(page: Page, folder: Path, day: str) -> tuple[str, str]:
    """Exports the PDF from the document page; the file's name and its cover's text."""
    panel = page.locator("#esportazioni")
    panel.get_by_text("Scegli formato e allegati").click()
    panel.get_by_text("PDF, da consegnare e stampare").click()
    panel.get_by_role("button", name="Esporta").click()
    expect(page.locator(".alert").first).to_contain_text("Esportazione pronta")
    link = page.locator(".export-list a").first
    expect(link).to_have_text(re.compile(rf"-{day}-\d{{4}}\.pdf$"))
    with page.expect_download() as downloading:
        link.click()
    pdf = folder / downloading.value.suggested_filename
    downloading.value.save_as(pdf)
    cover = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    picture = folder / f"cover-{day}"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(picture),
        ],
        check=True,
        timeout=60,
    )
    screenshot_path = Path(__file__).parent / "screenshots" / f"midnight-cover-{day}.png"
    screenshot_path.parent.mkdir(exist_ok=True)
    screenshot_path.write_bytes(picture.with_suffix(".png").read_bytes())
    return pdf.name, " ".join(cover.split())


def test_dates_at_half_past_midnight_in_rome(
    midnight_site: Site, browser: Browser, tmp_path: Path
) -> None:
    context = browser.new_context(**DESKTOP, timezone_id="Europe/Rome", accept_downloads=True)
    context.clock.install(time=MOMENT)
    try:
        page = context.new_page()
        enter(page, midnight_site.facilitator_link)
        assert page.evaluate("new Date().toISOString()").startswith("2026-12-05T23:3")
        workshop_url = page.url
        document_url = new_document(page, "Verbale di mezzanotte", TEMPLATE_TITLE)

        page.get_by_role("button", name="Congela il documento").click()
        page.get_by_role("button", name="Congela comunque").click()
        page.get_by_role("button", name="Pubblica").click()
        page.get_by_role("button", name=re.compile("^Pubblica (comunque|il documento)$")).click()
        expect(page.get_by_text("Pubblicato il 6 dicembre 2026.")).to_be_visible()
        page.wait_for_load_state("networkidle")
        screenshot(page, "midnight-rome-document")
        public_url = page.locator('a[href*="/p/"]').first.get_attribute("href")
        assert public_url
        page.goto(public_url)
        expect(page.get_by_text("Pubblicato il 6 dicembre 2026")).to_be_visible()
        page.goto(document_url)

        name, cover = _export_pdf(page, tmp_path, "2026-12-06")
        assert re.search(r"-2026-12-06-003\d\.pdf$", name), name
        # The cover's last line dates the text; the workshop's own days (the demo's are
        # 6 and 7 December) are above it.
        assert cover.endswith("Testo pubblicato · 6 dicembre 2026"), cover
        assert "5 dicembre" not in cover, cover
        expect(page.locator(".export-list")).to_contain_text("06/12/2026 00:3")
        screenshot(page, "midnight-rome-exports")

        # The same moment, the workshop moved to London: still the 5th there.
        page.goto(workshop_url)
        page.get_by_role("link", name="Modifica il tavolo").click()
        expect(page.get_by_label("Fuso orario")).to_have_value("Europe/Rome")
        page.get_by_label("Fuso orario").select_option("Europe/London")
        check_accessibility(page, "workshop edit form")
        screenshot(page, "midnight-edit-workshop")
        page.get_by_role("button", name="Salva").click()
        expect(page.locator(".alert").first).to_contain_text("Dati del tavolo salvati.")

        page.goto(document_url)
        expect(page.get_by_text("Pubblicato il 5 dicembre 2026.")).to_be_visible()
        page.goto(public_url)
        expect(page.get_by_text("Pubblicato il 5 dicembre 2026")).to_be_visible()
        page.goto(document_url)
        name, cover = _export_pdf(page, tmp_path, "2026-12-05")
        assert re.search(r"-2026-12-05-233\d\.pdf$", name), name
        assert cover.endswith("Testo pubblicato · 5 dicembre 2026"), cover
        expect(page.locator(".export-list").first).to_contain_text("05/12/2026 23:3")
        page.wait_for_load_state("networkidle")
        screenshot(page, "midnight-london-exports")

        # Archived, after a question: out of the list, read-only, still exportable.
        page.goto(workshop_url)
        page.get_by_role("button", name="Archivia").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Archiviare il tavolo?")
        check_accessibility(page, "archive confirmation")
        screenshot(page, "workshop-archive-confirm")
        page.get_by_role("button", name="Archivia il tavolo").click()
        expect(page.locator("[data-archived]")).to_contain_text("Tavolo archiviato il 5 dicembre")
        page.get_by_role("link", name="I tuoi tavoli").click()
        archived = page.locator("[data-archived-list]")
        expect(archived.get_by_role("heading", name="Archiviati")).to_be_visible()
        expect(archived).to_contain_text("Budget di salute")
        page.wait_for_load_state("networkidle")
        screenshot(page, "workshop-archived-list")
        page.goto(document_url)
        expect(page.locator("[data-archived]")).to_contain_text("non si modifica")
        expect(page.get_by_role("link", name="Esporta: PDF, DOCX, ODT")).to_be_visible()
    finally:
        context.close()
