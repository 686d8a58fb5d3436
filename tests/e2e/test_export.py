"""A facilitator exports the demo document as a PDF from the document page, in a real
browser, and downloads it. The PDF's cover, table of contents and a page of text are
rendered to PNG (pdftoppm), to be looked at; `make screenshots` puts them into
docs/screenshots/, shown in the README."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    DESKTOP,
    DOCS_SCREENSHOTS,
    ROOT,
    Site,
    check_accessibility,
    demo_link,
    enter,
    screenshot,
)
from tests.realtime.server import LiveServer

pytestmark = pytest.mark.e2e

DEMO_DOCUMENT = "Documento di policy sul budget di salute"


# What the room would have written by the end of the day, saved as the live store saves
# it: into Section.body.
WRITE_TEXT = """
from wsgi import app
from app.extensions import db
from app.modules.documents.models import Section
from tests.e2e.test_export import TEXTS
with app.app_context():
    for section in db.session.execute(db.select(Section)).scalars():
        section.body = TEXTS.get(section.title, TEXTS["*"])
    db.session.commit()
"""

TEXTS = {
    "Premessa": (
        'Il "budget di salute" è lo strumento con cui ASST, Comuni e terzo settore '
        "costruiscono insieme alla persona un progetto di vita, e non soltanto di cura[^1].\n\n"
        "Questo documento raccoglie ciò che il tavolo ha condiviso nella giornata di lavoro: "
        "le priorità, gli strumenti e gli impegni che ciascun ente si assume.\n\n"
        "[^1]: Legge regionale n. 23 del 2015 e successive linee guida sull'integrazione "
        "sociosanitaria."
    ),
    "Abitare": (
        "## Dalla residenzialità all'abitare\n\n"
        "Il tavolo propone di spostare risorse dalle strutture residenziali verso forme di "
        "abitare supportato:\n\n"
        "1. appartamenti condivisi con un educatore di riferimento;\n"
        "2. coabitazioni tra generazioni, con un patto scritto;\n"
        "   - per i giovani in uscita dalle comunità;\n"
        "   - per gli anziani soli;\n"
        "3. un fondo di garanzia per gli affitti[^2].\n\n"
        "| Ente | Ruolo | Risorse 2026 |\n|---|---|---:|\n"
        "| ASST di Lodi | capofila sanitario | 240.000 € |\n"
        "| Ufficio di Piano | coordinamento | 120.000 € |\n"
        "| Terzo settore | gestione degli alloggi | 80.000 € |\n\n"
        "> «La casa è il primo luogo della cura» (dal confronto della mattina).\n\n"
        "[^2]: Sul modello del fondo già attivo nell'Ambito di Lodi dal 2024."
    ),
    "*": (
        "Il gruppo ha lavorato per circa settantacinque minuti, partendo dalle esperienze "
        "già attive nel territorio e dalle difficoltà incontrate dalle famiglie. Le proposte "
        "che seguono sono state condivise da tutti gli enti presenti, salvo dove indicato.\n\n"
        "- rafforzare il lavoro di rete tra servizi;\n"
        "- rendere stabili i progetti sperimentali che funzionano;\n"
        "- misurare i risultati con indicatori semplici e pubblici.\n"
    ),
}


@pytest.fixture(scope="module")
def export_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Its own server, so that the exported files land in a temporary folder and not in
    the repository's exports/."""
    instance = tmp_path_factory.mktemp("e2e-export")
    server = LiveServer(instance, EXPORTS_DIR=str(instance / "exports"))
    server.prepare_database()
    link = demo_link(server)
    subprocess.run(
        [sys.executable, "-c", WRITE_TEXT], cwd=ROOT, env=server.env, check=True, timeout=120
    )
    server.start()
    try:
        yield Site(server.base_url, link)
    finally:
        server.stop()


def test_facilitator_exports_the_pdf_from_the_document_page(
    export_site: Site, browser: Browser, tmp_path: Path
) -> None:
    context = browser.new_context(**DESKTOP, accept_downloads=True)
    try:
        page = context.new_page()
        enter(page, export_site.facilitator_link)
        page.get_by_role("link", name=DEMO_DOCUMENT).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_DOCUMENT)

        panel = page.locator("#esportazioni")
        expect(panel.get_by_role("heading", name="Esporta il documento")).to_be_visible()
        _upload_logos(page, tmp_path)
        page.get_by_role("link", name=DEMO_DOCUMENT).click()
        panel.get_by_text("Scegli formato e allegati").click()
        # Bootstrap Italia draws the boxes on the labels: people click the words.
        panel.get_by_text("PDF, da consegnare e stampare").click()
        panel.get_by_text("Partecipanti per organizzazione e categoria").click()
        expect(panel.get_by_label("PDF, da consegnare e stampare")).to_be_checked()
        expect(panel.get_by_label("Partecipanti per organizzazione e categoria")).to_be_checked()
        expect(panel.get_by_label("PDF accessibile con marcatura (solo PDF)")).to_be_checked()
        check_accessibility(page, "document page with the export form")
        screenshot(page, "export-panel")
        panel.get_by_role("button", name="Esporta").click()

        expect(page.get_by_role("heading", level=1)).to_contain_text("Esportazioni di")
        expect(page.locator(".alert-success, .alert").first).to_contain_text("Esportazione pronta")
        link = page.locator(".export-list a").first
        expect(link).to_have_text(
            re.compile(r"^\d+-documento-di-policy-sul-budget-di-salute-.*\.pdf$")
        )
        page.wait_for_load_state("networkidle")
        check_accessibility(page, "exports page")
        shot = screenshot(page, "export-list")
        shutil.copyfile(shot, DOCS_SCREENSHOTS / "export-list.png")

        with page.expect_download() as downloading:
            link.click()
        pdf = tmp_path / downloading.value.suggested_filename
        downloading.value.save_as(pdf)
    finally:
        context.close()

    reader = pypdf.PdfReader(pdf)
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Indice" in reader.pages[1].extract_text()
    assert "Partecipanti" in text and "Colophon" in text
    _pictures(pdf, reader)


LOGOS = (
    ("ASST di Lodi", "#1d6f42", "ASST Lodi"),
    ("Ufficio di Piano", "#8a1c2b", "Ufficio di Piano"),
)


def _upload_logos(page: Page, folder: Path) -> None:
    """From the export panel to the cover's logos, one upload after the other, as a
    facilitator would with the promoters' files."""
    page.locator("#esportazioni").get_by_role("link", name="Loghi in copertina").click()
    logos = page.locator("#loghi")
    expect(logos.get_by_role("heading", name="Loghi in copertina")).to_be_visible()
    for name, colour, label in LOGOS:
        path = folder / f"{label}.png"
        _draw_logo(path, colour, label)
        logos.get_by_label("Logo", exact=True).set_input_files(path)
        logos.get_by_label("Organizzazione").fill(name)
        logos.get_by_role("button", name="Aggiungi il logo").click()
        expect(page.locator(".alert").first).to_contain_text("Logo aggiunto alla copertina")
        expect(logos.get_by_role("img", name=name)).to_be_visible()
    page.wait_for_load_state("networkidle")
    check_accessibility(page, "exports page with the cover's logos")
    screenshot(page, "export-logos")


def _draw_logo(path: Path, colour: str, label: str) -> None:
    """A plain mark and a name, like most public bodies' logos."""
    image = Image.new("RGB", (520, 160), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 20, 128, 140), radius=18, fill=colour)
    draw.text((152, 80), label, fill=colour, font=ImageFont.load_default(size=52), anchor="lm")
    image.save(path)


def _pictures(pdf: Path, reader: pypdf.PdfReader) -> None:
    """Cover, table of contents, and the page of text with a list, a table and a quote."""
    content = next(i for i, p in enumerate(reader.pages) if "Risorse 2026" in p.extract_text())
    for name, index in (("export-cover", 0), ("export-toc", 1), ("export-page", content)):
        stem = pdf.parent / name
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                str(index + 1),
                "-l",
                str(index + 1),
                "-singlefile",
                str(pdf),
                str(stem),
            ],
            check=True,
            timeout=60,
        )
        shutil.copyfile(stem.with_suffix(".png"), DOCS_SCREENSHOTS / f"{name}.png")
