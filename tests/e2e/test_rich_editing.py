"""Writing without Markdown, in real browsers: text pasted from Word arrives as a clean
table, a table is edited in its grid while someone else types in the same section, the
writing view hides Markdown's marks away from the cursor and shows them on it, and the
grid can be used with the keyboard alone. The stored text stays Markdown throughout.

Screenshots go to tests/e2e/screenshots/ (rich-*.png)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, check_accessibility
from tests.e2e.test_live_editing import LINES_AS_READ, demo_server, open_document

pytestmark = pytest.mark.e2e

CLIPBOARD = Path(__file__).parent / "clipboard"
IMAGE_REFUSED = "L'immagine copiata non è stata incollata"

PASTE = """(content, [html, text]) => {
    const data = new DataTransfer()
    if (html !== null) data.setData('text/html', html)
    data.setData('text/plain', text)
    content.dispatchEvent(new ClipboardEvent('paste', {
        clipboardData: data, bubbles: true, cancelable: true
    }))
}"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    server, world = demo_server(tmp_path_factory.mktemp("rich"))
    try:
        yield world
    finally:
        server.stop()


def editor_of(page: Page, title: str) -> Locator:
    """The editor of the section with this title (editors open in any order)."""
    heading = page.get_by_role("heading", name=re.compile(rf"{re.escape(title)}$"))
    return page.locator("section", has=heading).locator(".tv-editor")


def ready(page: Page, editor: Locator) -> None:
    expect(editor.locator(".tv-editor__save")).to_have_text("Salvato")


def stored(live: dict, editor: Locator) -> str:
    section_id = int(editor.locator("xpath=ancestor::section").get_attribute("data-section-id"))
    return live["server"].settled_body(section_id)


def source_of(editor: Locator) -> str:
    """The Markdown as the «Markdown» switch shows it, the switch put back after."""
    switch = editor.get_by_role("button", name="Markdown")
    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "true")
    expect(editor.locator(".tv-grid")).to_have_count(0)
    text = editor.locator(".cm-content").evaluate(LINES_AS_READ)
    switch.click()
    expect(switch).to_have_attribute("aria-pressed", "false")
    return text


def paste(editor: Locator, text: str, html: str | None = None) -> None:
    editor.locator(".cm-content").evaluate(PASTE, [html, text])


def shot(locator: Locator | Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    locator.screenshot(path=SCREENSHOTS / f"rich-{name}.png")


def test_pasting_from_word_gives_a_clean_table(live: dict, browser: Browser) -> None:
    context = browser.new_context(**DESKTOP)
    try:
        page = open_document(context, live["writers"][0], live)
        editor = editor_of(page, "Lavoro")
        ready(page, editor)
        before = stored(live, editor)
        editor.locator(".cm-content").click()
        page.keyboard.press("Control+End")

        paste(editor, "testo semplice", (CLIPBOARD / "word365.html").read_text())
        expect(editor.get_by_role("status").filter(has_text=IMAGE_REFUSED)).to_be_visible()
        ready(page, editor)
        word = (CLIPBOARD / "word365.md").read_text().strip()
        body = stored(live, editor)
        assert body == before.rstrip("\n") + f"\n\n{word}"
        for junk in ("mso", "Mso", "style", "<", "file:", "o:p"):
            assert junk not in body.replace("<ufficio.piano@comune.lodi.it>", "")

        # The table is a grid in the writing view, and Markdown in the source view.
        grid = editor.locator(".tv-grid")
        expect(grid).to_have_count(1)
        expect(grid.get_by_label("Riga 2, Impegno")).to_have_value(
            "Nominare un referente | uno per distretto"
        )
        expect(grid.get_by_label("Intestazione della colonna 3")).to_have_value("Entro")
        shot(editor, "paste-word")
        assert source_of(editor) == body

        # Plain text goes in as it is, Markdown marks and all.
        page.keyboard.press("Control+End")
        paste(editor, "\n\nTesto semplice: 2 * 3 e _non_ convertito")
        ready(page, editor)
        assert stored(live, editor) == f"{body}\n\nTesto semplice: 2 * 3 e _non_ convertito"

        editor.get_by_role("button", name="Anteprima").click()
        preview = editor.locator(".tv-editor__preview")
        expect(preview.locator("table th")).to_have_text(["Istituzione", "Impegno", "Entro"])
        expect(preview.locator("table tbody tr")).to_have_count(2)
        expect(preview.locator("table tbody tr").nth(1).locator("td")).to_have_text(
            ["ASST di Lodi", "Nominare un referente | uno per distretto", ""]
        )
        expect(preview.locator("ul ul li")).to_have_text(["a Lodi e a Codogno"])
        shot(editor, "paste-word-preview")
    finally:
        context.close()


def test_a_table_edited_in_the_grid_while_someone_types_in_the_section(
    live: dict, browser: Browser
) -> None:
    first_ctx = browser.new_context(**DESKTOP)
    second_ctx = browser.new_context(**PHONE)
    try:
        anna = open_document(first_ctx, live["writers"][0], live)
        bruno = open_document(second_ctx, live["writers"][1], live)
        grid_editor = editor_of(anna, "Impegni")
        text_editor = editor_of(bruno, "Impegni")
        ready(anna, grid_editor)
        ready(bruno, text_editor)

        # Bruno, on his phone, starts a paragraph above the table (the section holds
        # nothing else, so his cursor is at its very start).
        text_editor.locator(".cm-content").click(position={"x": 4, "y": 4})
        bruno.keyboard.type("Introduzione dal telefono.")

        first = grid_editor.get_by_label("Riga 1, Istituzione")
        first.click()
        anna.keyboard.press("Control+A")
        anna.keyboard.type("Regione")
        bruno.keyboard.type(" Seconda frase.")
        anna.keyboard.type(" Lombardia")
        anna.keyboard.press("Tab")
        expect(grid_editor.get_by_label("Riga 1, Impegno")).to_be_focused()
        anna.keyboard.press("Control+A")
        anna.keyboard.type("Aprire un tavolo")

        # Then a closing paragraph below the table, while Anna goes on in her cell.
        bruno.keyboard.press("Control+End")
        bruno.keyboard.type("Chiusura dal telefono.")
        anna.keyboard.type(" tecnico")
        # Enter in the last row adds one, and Anna fills it from the second column.
        anna.keyboard.press("Enter")
        expect(grid_editor.get_by_label("Riga 2, Impegno")).to_be_focused()
        anna.keyboard.type("Nominare un referente")
        bruno.keyboard.type(" Fine.")
        anna.keyboard.press("Shift+Tab")
        anna.keyboard.type("Comune di Lodi")

        ready(anna, grid_editor)
        ready(bruno, text_editor)
        expected = (
            "Introduzione dal telefono. Seconda frase.\n\n"
            "| Istituzione | Impegno | Persona di riferimento | Entro |\n"
            "| --- | --- | --- | --- |\n"
            "| Regione Lombardia | Aprire un tavolo tecnico | _[Nome e ruolo]_ | _[Data]_ |\n"
            "| Comune di Lodi | Nominare un referente |  |  |\n\n"
            "Chiusura dal telefono. Fine."
        )
        expect(text_editor.get_by_label("Riga 2, Istituzione")).to_have_value("Comune di Lodi")
        expect(grid_editor.locator(".cm-line").first).to_have_text(
            "Introduzione dal telefono. Seconda frase."
        )
        assert stored(live, grid_editor) == expected
        assert source_of(text_editor) == expected
        shot(grid_editor, "grid-desktop")
        shot(bruno, "grid-phone")

        # An observer reads the same table, as a table: no fields, no buttons.
        invite = "tavolo invite 1 --email ornella@e2e.example.org --role osservatore --name"
        observer_link = live["server"].tavolo([*invite.split(), "Ornella Osservatrice"])[0]
        observer_ctx = browser.new_context(**DESKTOP)
        errors: list[str] = []
        try:
            reader = open_document(observer_ctx, observer_link, live)
            reader.on("pageerror", lambda error: errors.append(str(error)))
            read_only = editor_of(reader, "Impegni")
            ready(reader, read_only)
            expect(read_only.locator(".tv-grid td")).to_have_text(
                [
                    "Regione Lombardia",
                    "Aprire un tavolo tecnico",
                    "_[Nome e ruolo]_",
                    "_[Data]_",
                    "Comune di Lodi",
                    "Nominare un referente",
                    "",
                    "",
                ]
            )
            expect(read_only.locator(".tv-grid textarea, .tv-grid button")).to_have_count(0)
            shot(read_only, "grid-observer")
            assert not errors
        finally:
            observer_ctx.close()

        # Ctrl+Z in a cell takes back Anna's last change only, never Bruno's.
        anna.wait_for_timeout(600)
        grid_editor.get_by_label("Riga 2, Impegno").click()
        anna.keyboard.press("End")
        anna.keyboard.type(" per distretto")
        expect(text_editor.get_by_label("Riga 2, Impegno")).to_have_value(
            "Nominare un referente per distretto"
        )
        anna.keyboard.press("Control+Z")
        expect(text_editor.get_by_label("Riga 2, Impegno")).to_have_value("Nominare un referente")
        ready(anna, grid_editor)
        assert stored(live, grid_editor) == expected
    finally:
        first_ctx.close()
        second_ctx.close()


def visible_line(editor: Locator, text: str) -> Locator:
    return editor.locator(".cm-line", has_text=text)


def test_the_writing_view_hides_the_marks_away_from_the_cursor(
    live: dict, browser: Browser
) -> None:
    context = browser.new_context(**DESKTOP)
    try:
        page = open_document(context, live["writers"][0], live)
        editor = editor_of(page, "Abitare")
        ready(page, editor)
        content = editor.locator(".cm-content")
        content.click()
        # A new first paragraph, above the section's first heading.
        page.keyboard.press("Control+Home")
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")
        page.keyboard.press("ArrowUp")
        page.keyboard.press("ArrowUp")
        page.keyboard.type("Un **punto forte** e un [collegamento](https://example.org/abitare).")
        # The cursor is at the end of the line, outside the bold text and the link.
        line = visible_line(editor, "punto forte")
        expect(line).to_have_text("Un punto forte e un collegamento.", use_inner_text=True)
        page.keyboard.press("ArrowLeft")
        expect(line).to_have_text(
            "Un punto forte e un [collegamento](https://example.org/abitare).",
            use_inner_text=True,
        )

        # The cursor on a heading: its marks show there, and nowhere else.
        visible_line(editor, "Che cosa funziona").click()
        expect(visible_line(editor, "Che cosa funziona")).to_have_text(
            "## Che cosa funziona", use_inner_text=True
        )
        expect(visible_line(editor, "Che cosa si inceppa")).to_have_text(
            "Che cosa si inceppa", use_inner_text=True
        )
        expect(line).to_have_text("Un punto forte e un collegamento.", use_inner_text=True)
        expect(line.locator(".tv-md-link")).to_have_text("collegamento")
        expect(editor.locator(".tv-md-bullet")).to_have_count(2)
        shot(editor, "preview-heading")

        # Inside the bold text, its marks; the link keeps its address hidden.
        line.get_by_text("punto forte").click()
        expect(line).to_have_text("Un **punto forte** e un collegamento.", use_inner_text=True)
        shot(editor, "preview-bold")
        line.get_by_text("collegamento").click()
        expect(line).to_have_text(
            "Un punto forte e un [collegamento](https://example.org/abitare).",
            use_inner_text=True,
        )

        # Away from the editor nothing shows; the Markdown is unchanged underneath.
        page.get_by_role("heading", level=1).click()
        expect(visible_line(editor, "Che cosa funziona")).to_have_text(
            "Che cosa funziona", use_inner_text=True
        )
        shot(editor, "preview-away")
        ready(page, editor)
        assert stored(live, editor).startswith(
            "Un **punto forte** e un [collegamento](https://example.org/abitare).\n\n"
            "## Che cosa funziona\n"
        )

        # The «Markdown» switch shows every mark, in every section, and is remembered.
        editor.get_by_role("button", name="Markdown").click()
        expect(visible_line(editor, "Che cosa funziona")).to_have_text(
            "## Che cosa funziona", use_inner_text=True
        )
        expect(editor.locator(".tv-md-hidden")).to_have_count(0)
        impegni = editor_of(page, "Impegni")
        expect(impegni.get_by_role("button", name="Markdown")).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(impegni.locator(".tv-grid")).to_have_count(0)
        shot(editor, "preview-source")
        page.reload()
        editor = editor_of(page, "Abitare")
        ready(page, editor)
        expect(editor.get_by_role("button", name="Markdown")).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(visible_line(editor, "Che cosa funziona")).to_have_text(
            "## Che cosa funziona", use_inner_text=True
        )
        editor.get_by_role("button", name="Markdown").click()
        expect(visible_line(editor, "Che cosa funziona")).to_have_text(
            "Che cosa funziona", use_inner_text=True
        )
    finally:
        context.close()


def test_a_new_table_with_the_keyboard_alone(live: dict, browser: Browser) -> None:
    context = browser.new_context(**DESKTOP)
    try:
        page = open_document(context, live["writers"][0], live)
        editor = editor_of(page, "Governance e connettore giuridico")
        ready(page, editor)
        before = stored(live, editor)
        editor.locator(".cm-content").click()
        page.keyboard.press("Control+End")

        # «Tabella» opens a new table's grid on its first heading, selected.
        editor.get_by_role("button", name="Tabella").click()
        first = editor.get_by_label("Intestazione della colonna 1")
        expect(first).to_be_focused()
        page.keyboard.type("Ente")
        page.keyboard.press("Tab")
        expect(editor.get_by_label("Intestazione della colonna 2")).to_be_focused()
        page.keyboard.press("Control+A")
        page.keyboard.type("Scadenza")
        page.keyboard.press("Tab")
        expect(editor.get_by_label("Riga 1, Ente")).to_be_focused()
        page.keyboard.type("Regione | Lombardia")
        page.keyboard.press("Tab")
        page.keyboard.type("2027")
        # After the last cell, the grid's buttons, named for the cell they act on.
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_accessible_name("Aggiungi riga dopo la riga 1")
        # «Elimina riga» is disabled while the table has a single row: Tab passes it.
        expect(editor.get_by_role("button", name="Elimina riga 1")).to_be_disabled()
        page.keyboard.press("Tab")
        expect(page.locator(":focus")).to_have_accessible_name("Aggiungi colonna dopo «Scadenza»")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")
        expect(editor.get_by_label("Riga 2, Scadenza")).to_be_focused()
        check_accessibility(page, "document page with a table grid")
        shot(editor, "grid-keyboard")

        # Esc goes back to the text after the table; the arrow up goes into it again.
        page.keyboard.press("Escape")
        expect(editor.locator(".cm-content")).to_be_focused()
        page.keyboard.press("ArrowUp")
        expect(editor.get_by_label("Riga 2, Ente")).to_be_focused()

        ready(page, editor)
        assert stored(live, editor) == (
            f"{before}\n\n| Ente | Scadenza |\n| --- | --- |\n"
            "| Regione \\| Lombardia | 2027 |\n|  |  |\n"
        )
    finally:
        context.close()
