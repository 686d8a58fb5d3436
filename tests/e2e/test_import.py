"""A facilitator imports the draft that arrived by e-mail as a DOCX: upload, preview,
a different split level, a title, confirm, and the document page with its sections
and its image. Every page is checked with axe-core; the screenshots are kept in
docs/screenshots/ as import-*.png with `make screenshots`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    DESKTOP,
    DOCS_SCREENSHOTS,
    Site,
    check_accessibility,
    enter,
    screenshot,
)
from tests.modules.imports import samples

pytestmark = pytest.mark.e2e

DOCS = DOCS_SCREENSHOTS


def _look(page: Page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    DOCS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(screenshot(page, name), DOCS / f"{name}.png")
    check_accessibility(page, name)


def test_facilitator_imports_a_docx(site: Site, browser: Browser, tmp_path: Path) -> None:
    draft = tmp_path / "Bozza patto budget di salute.docx"
    # A picture large enough to be seen in the screenshots.
    draft.write_bytes(samples.office(images={"mappa.png": samples.png(360, 120)}))
    context = browser.new_context(**DESKTOP)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        enter(page, site.facilitator_link)

        page.get_by_role("link", name="Importa un documento").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Importa un documento")
        page.get_by_role("button", name="Carica e mostra l'anteprima").click()
        expect(page.get_by_role("alert")).to_contain_text("Scegli il file da importare.")
        _look(page, "import-upload-error")

        page.get_by_label("Documento da importare").set_input_files(str(draft))
        # Bootstrap Italia draws the radio buttons on their labels: a person clicks those.
        page.locator("label", has_text="Titoli di livello 1: capitoli").click()
        page.get_by_role("button", name="Carica e mostra l'anteprima").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Anteprima dell'importazione")
        # The lone heading above the chapters is the document's title, not a chapter.
        expect(page.get_by_label("Titolo del documento")).to_have_value(
            "Patto per il budget di salute"
        )
        sections = page.locator(".import-preview h3")
        expect(sections).to_have_text(["1 Premessa", "2 Abitare", "3 Lavoro", "4 Socialità"])
        _look(page, "import-preview-level-1")

        page.locator("label", has_text="Titoli di livello 1 e 2").click()
        page.get_by_role("button", name="Aggiorna l'anteprima").click()
        expect(sections).to_have_text(
            ["1 Premessa", "2 Abitare", "2.1 Strumenti", "3 Lavoro", "4 Socialità"]
        )
        expect(page.locator(".import-preview")).to_contain_text("(immagine: Mappa dei servizi)")
        _look(page, "import-preview-level-2")

        page.get_by_label("Titolo del documento").fill("Patto per il budget di salute 2026")
        page.get_by_role("button", name="Crea il documento con 5 sezioni").click()
        expect(page).to_have_url(re.compile(r"/documents/\d+$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Patto per il budget di salute 2026"
        )
        expect(page.locator("main")).to_contain_text("Documento importato con 5 sezioni.")
        # The text is in the editors; the preview of "Abitare" shows its image.
        page.get_by_role("button", name="Anteprima").nth(1).click()
        image = page.get_by_role("img", name="Mappa dei servizi")
        expect(image).to_be_visible()
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        _look(page, "import-document")
        assert not errors, errors
    finally:
        context.close()


def test_a_numbered_draft_is_numbered_once(site: Site, browser: Browser, tmp_path: Path) -> None:
    """A plan numbered by hand in Word: the preview asks who numbers, shows the result of
    the choice, and the document page shows each number once."""
    draft = tmp_path / "PGT Codogno.docx"
    draft.write_bytes(samples.office(samples.NUMBERED_PLAN, images={}))
    context = browser.new_context(**DESKTOP)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        enter(page, site.facilitator_link)
        page.get_by_role("link", name="Importa un documento").click()
        page.get_by_label("Documento da importare").set_input_files(str(draft))
        page.locator("label", has_text="Titoli di livello 1 e 2").click()
        page.get_by_role("button", name="Carica e mostra l'anteprima").click()

        expect(page.get_by_label("Titolo del documento")).to_have_value(
            "Piano di governo del territorio"
        )
        choice = page.get_by_role("group", name="Numerazione dei titoli")
        expect(choice).to_contain_text("per esempio «1. Premessa»")
        expect(page.get_by_label("Mantieni la numerazione del file")).to_be_checked()
        sections = page.locator(".import-preview h3")
        # The file's numbers, and none of Tavolo's.
        expect(sections.nth(3)).to_have_text("2.1 I percorsi attuativi del piano")
        expect(page.locator(".import-preview .section-number")).to_have_count(0)

        page.locator("label", has_text="Numera Tavolo").click()
        page.get_by_role("button", name="Aggiorna l'anteprima").click()
        expect(page.get_by_label("Numera Tavolo")).to_be_checked()
        expect(sections.nth(3)).to_have_text("3.1 I percorsi attuativi del piano")
        expect(sections.nth(3).locator(".section-number")).to_have_text("3.1")
        _look(page, "import-preview-numbering")

        page.get_by_role("button", name="Crea il documento con 8 sezioni").click()
        expect(page).to_have_url(re.compile(r"/documents/\d+$"))
        index = page.get_by_role("navigation", name="Indice")
        expect(index).to_contain_text("3.1 I percorsi attuativi del piano")
        expect(index).not_to_contain_text("2.1")
        assert not errors, errors
    finally:
        context.close()
