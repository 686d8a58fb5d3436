"""A facilitator saves a version, the text changes in the live editor, the comparison
shows the change inline and side by side, and the facilitator restores the version: the
open editor follows. Screenshots go to docs/screenshots/history-*.png with
`make screenshots`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    DESKTOP,
    DOCS_SCREENSHOTS,
    Site,
    check_accessibility,
    enter,
    new_document,
    section_editor,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SHOTS = DOCS_SCREENSHOTS
TEMPLATE_TITLE = "Il budget di salute come strumento di welfare generativo"
ADDED = " Lo finanziano insieme l'ASST e la Regione: 1.250.000,00 € all'anno."


def shot(page: Page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"history-{name}.png"), full_page=True)
    check_accessibility(page, f"history {name}")


def history_document(page: Page, site: Site) -> str:
    enter(page, site.facilitator_link)
    return new_document(page, "Patto per l'abitare: storia", TEMPLATE_TITLE)


def test_save_change_compare_and_restore(site: Site, browser: Browser) -> None:
    context = browser.new_context(**DESKTOP)
    try:
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        document_url = history_document(page, site)

        # Someone else has the document open: their link to the versions follows.
        watcher = browser.new_context(**DESKTOP)
        other = watcher.new_page()
        enter(other, site.facilitator_link)
        other.goto(document_url)
        # A first visit in a fresh browser writes only once it has joined the document.
        expect(other.locator(".tv-editor").first).to_have_attribute("data-access", "write")
        versions_link = other.get_by_role("link", name=re.compile("^Versioni e confronti"))
        expect(versions_link).to_contain_text("nessuna salvata")

        page.get_by_role("link", name=re.compile("^Versioni e confronti")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Versioni del documento")
        page.get_by_label("Nome della versione").fill("dopo Abitare")
        page.get_by_role("button", name="Salva la versione").click()
        expect(page.get_by_role("status").first).to_contain_text("Versione «dopo Abitare» salvata.")
        expect(page.get_by_role("cell", name="dopo Abitare", exact=True)).to_be_visible()
        shot(page, "versions")
        expect(versions_link).to_contain_text("1 salvata")
        versions_link.screenshot(path=str(SHOTS / "history-document-links.png"))
        watcher.close()

        # The text changes in the live editor, as in the room.
        page.goto(document_url)
        editor = section_editor(page)
        editor.locator(".cm-content").click()
        page.keyboard.press("Control+End")
        page.keyboard.type(ADDED)
        expect(editor.locator(".tv-editor__save")).to_have_text("Salvato")

        page.goto(document_url + "/versions")
        page.get_by_role("link", name=re.compile("Cosa è cambiato da allora")).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Cosa è cambiato")
        inserted = page.locator(".diff-text ins", has_text="1.250.000,00")
        expect(inserted).to_have_count(1)
        expect(inserted).to_have_attribute("title", "Aggiunto da Facilitatore demo")
        expect(page.locator(".diff-summary")).to_contain_text("parole aggiunte")
        shot(page, "compare-inline")

        page.get_by_role("link", name="Affiancato").click()
        expect(page.locator(".diff-columns")).to_have_count(1)
        columns = page.locator(".diff-columns .diff-text")
        expect(columns.nth(0)).not_to_contain_text("1.250.000,00")
        expect(columns.nth(1).locator("ins", has_text="1.250.000,00")).to_have_count(1)
        shot(page, "compare-side-by-side")

        # Who wrote what: the words typed just now carry the facilitator's colour.
        page.goto(document_url)
        page.get_by_role("link", name=re.compile("^Chi ha scritto cosa")).first.click()
        typed = page.locator(".authorship .author-span", has_text="1.250.000,00")
        expect(typed).to_have_attribute("title", "Facilitatore demo")
        expect(page.get_by_role("heading", name="Legenda")).to_be_visible()
        shot(page, "authorship")

        # The restore reaches an editor already open on the document.
        reader = context.new_page()
        reader.goto(document_url)
        reader_editor = section_editor(reader)
        expect(reader_editor.locator(".cm-content")).to_contain_text("1.250.000,00")
        page.goto(document_url + "/versions")
        page.get_by_role("link", name=re.compile("Cosa è cambiato da allora")).first.click()
        page.get_by_role("button", name="Ripristina il testo della versione «dopo Abitare»").click()
        expect(page.get_by_role("status").first).to_contain_text(
            "Ripristinata la versione «dopo Abitare» in 1 sezione."
        )
        expect(reader_editor.locator(".cm-content")).not_to_contain_text("1.250.000,00")

        # The restore is a revision of its own: the typed text can be brought back.
        page.get_by_role("link", name=re.compile("^Cronologia")).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Cronologia di")
        expect(page.locator(".history-entry").first).to_contain_text("ripristino")
        shot(page, "section")
        page.get_by_role("button", name=re.compile("^Ripristina questo testo")).first.click()
        expect(page.get_by_role("status").first).to_contain_text("Testo ripristinato")
        expect(reader_editor.locator(".cm-content")).to_contain_text("1.250.000,00")
    finally:
        context.close()
