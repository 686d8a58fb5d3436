"""A synthesis of three labs in real browsers. Three participants each type their lab's
text in the live editor; the facilitator creates the synthesis with its default
headings, pulls one lab's whole section and, by selecting it with the mouse in the pane
beside the sections, a passage of another; the participant then rewrites that passage
in her lab, the synthesis shows the change with its diff without a reload, and one
click brings the new words in. In the synthesis's editor the pulled words name their
lab on hover; a selection being made in the pane survives a lab's typing. The coverage
page shows what of each lab is used and what is not, and the PDF exported with the
sources in notes names each passage's lab at the foot of its page. Screenshots go to
tests/e2e/screenshots/synthesis-*.png."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.e2e.conftest import DESKTOP, SCREENSHOTS, check_accessibility, enter, screenshot
from tests.realtime.server import ROOT, LiveServer

LIVE_MS = 20_000
LABS = {
    "anna": (
        "Laboratorio 1 · Abitare",
        [
            "Le cooperative gestiscono alloggi per i giovani.",
            "Serve un fondo di garanzia per gli affitti.",
        ],
    ),
    "bruno": (
        "Laboratorio 2 · Lavoro",
        [
            "I tirocini durano almeno sei mesi.",
            "Le imprese sociali assumono chi esce dal percorso.",
        ],
    ),
    "carla": (
        "Laboratorio 3 · Socialità",
        ["Le biblioteche restano aperte la sera.", "Le associazioni usano gli spazi delle scuole."],
    ),
}
PEOPLE = {
    "facilitator": ("Francesca Ferri", "facilitatore"),
    "anna": ("Anna Bianchi", "partecipante"),
    "bruno": ("Bruno Verdi", "partecipante"),
    "carla": ("Carla Neri", "partecipante"),
}
CHOSEN = "Serve un fondo di garanzia per gli affitti."
REFINED = "Serve un fondo di garanzia regionale per gli affitti."
LATE = " Anche la domenica."


@dataclass(frozen=True)
class World:
    server: LiveServer
    workshop: int
    labs: dict[str, int]
    links: dict[str, str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    assert (ROOT / "static" / "build" / "synthesis.js").exists(), "node static/build.mjs"
    server = LiveServer(tmp_path_factory.mktemp("synthesis"))
    server.prepare_database()
    commands = [["tavolo", "create-workshop", "Case della Comunità"]]
    commands += [["tavolo", "create-document", "{0}", title] for title, _ in LABS.values()]
    for name, role in PEOPLE.values():
        email = name.split()[0].lower() + "@sintesi.example.org"
        commands.append(
            ["tavolo", "invite", "{0}", "--name", name, "--email", email, "--role", role]
        )
    outputs = server.tavolo(*commands)
    labs = dict(zip(LABS, (int(o) for o in outputs[1:4]), strict=True))
    server.sql("UPDATE section SET title = 'Cosa proponiamo'")
    server.start()
    try:
        yield World(server, int(outputs[0]), labs, dict(zip(PEOPLE, outputs[4:], strict=True)))
    finally:
        server.stop()


def _open(browser: Browser, world: World, persona: str, path: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    enter(page, world.links[persona])
    page.goto(world.server.base_url + path)
    return context, page


def _as_seen(page: Page, name: str) -> None:
    """What the laptop's screen shows, the sticky pane where it stays: a full-page
    picture draws sticky columns where the page happened to be scrolled."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _type_lab(page: Page, paragraphs: list[str]) -> None:
    # The editor takes keystrokes once it has the live text.
    content = page.locator('.tv-editor .cm-content[contenteditable="true"]').first
    expect(content).to_be_visible(timeout=LIVE_MS)
    content.click()
    for i, paragraph in enumerate(paragraphs):
        if i:
            page.keyboard.press("Enter")
            page.keyboard.press("Enter")
        page.keyboard.type(paragraph)
    expect(page.locator(".tv-editor").first).to_contain_text(paragraphs[-1])
    expect(page.locator(".tv-editor__save").first).to_have_text("Salvato", timeout=LIVE_MS)


def _wait_for_labs(page: Page) -> None:
    """Until the pane shows every lab's whole text: a lab's last keystrokes may still be
    on their way to the server when the page was drawn."""
    pane = page.locator("[data-synthesis-sources]")
    expected = [p for _title, paragraphs in LABS.values() for p in paragraphs]
    for _ in range(20):
        shown = pane.inner_text()
        if all(p in shown for p in expected):
            return
        page.wait_for_timeout(1000)
        page.reload()
    raise AssertionError(f"the labs' texts never reached the pane:\n{pane.inner_text()}")


def _section(page: Page, title: str) -> Locator:
    """A section of the synthesis, by its heading."""
    return page.locator("section.document-section").filter(has=page.locator("h2", has_text=title))


def _source(page: Page, lab: str) -> Locator:
    """The lab's section in the pane beside the synthesis."""
    return (
        page.locator(".synthesis-lab").filter(has_text=lab).locator("[data-source-section]").first
    )


def _drag_select(page: Page, text: Locator, words: str) -> None:
    """Selects `words` in the lab's text with the mouse, from the first letter to the
    last, as a person does."""
    text.scroll_into_view_if_needed()
    box = text.evaluate(
        """(element, words) => {
            const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT)
            let all = '', nodes = []
            while (walker.nextNode()) {
              nodes.push([walker.currentNode, all.length])
              all += walker.currentNode.data
            }
            const at = index => {
              for (let i = nodes.length - 1; i >= 0; i--) {
                if (nodes[i][1] <= index) return [nodes[i][0], index - nodes[i][1]]
              }
            }
            const rect = index => {
              const range = document.createRange()
              const [node, offset] = at(index)
              range.setStart(node, offset)
              range.setEnd(node, offset + 1)
              return range.getBoundingClientRect()
            }
            const start = all.indexOf(words)
            const first = rect(start), last = rect(start + words.length - 1)
            return {x1: first.left + 1, y1: first.top + first.height / 2,
                    x2: last.right - 1, y2: last.top + last.height / 2}
        }""",
        words,
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=4)
    page.mouse.move(box["x2"], box["y2"], steps=4)
    page.mouse.up()


def _hover_pulled(page: Page, title: str) -> Locator:
    """Hovers the words of the section's editor that came from a lab; their tooltip."""
    page.mouse.move(0, 0)
    marked = _section(page, title).locator(".cm-content .tv-pulled").first
    expect(marked).to_be_visible(timeout=LIVE_MS)
    marked.scroll_into_view_if_needed()
    marked.hover()
    tip = page.locator(".cm-tooltip-hover .tv-pulled-tip")
    expect(tip).to_be_visible()
    return tip


def test_a_synthesis_from_three_labs(browser: Browser, world: World, tmp_path: Path) -> None:
    contexts = []
    try:
        # Three people write their labs, each in their own browser.
        writers = {}
        for persona, (_title, paragraphs) in LABS.items():
            context, page = _open(browser, world, persona, f"/documents/{world.labs[persona]}")
            contexts.append(context)
            _type_lab(page, paragraphs)
            writers[persona] = page

        # The facilitator creates the synthesis from the workshop's page.
        context, facilitator = _open(browser, world, "facilitator", f"/workshops/{world.workshop}")
        contexts.append(context)
        facilitator.get_by_role("link", name="Nuova sintesi").click()
        expect(facilitator.get_by_label("Sezioni della sintesi")).to_have_value(
            "Punti di forza\nCriticità\nProposte\nBuone pratiche"
        )
        for title, _ in LABS.values():
            expect(facilitator.get_by_label(title)).to_be_checked()
        facilitator.get_by_label("Titolo della sintesi").fill("Sintesi dei laboratori")
        check_accessibility(facilitator, "the new synthesis form")
        screenshot(facilitator, "synthesis-new")
        facilitator.get_by_role("button", name="Crea la sintesi").click()
        expect(facilitator.get_by_role("heading", level=1)).to_have_text("Sintesi dei laboratori")
        synthesis_url = facilitator.url.split("#")[0]
        _wait_for_labs(facilitator)

        # Bruno reads the synthesis meanwhile: the labs beside it, nothing to pull with.
        bruno = writers["bruno"]
        bruno.goto(facilitator.url.split("#")[0])
        expect(bruno.locator("[data-synthesis-sources]")).to_contain_text(LABS["anna"][1][0])
        expect(bruno.get_by_role("button", name=re.compile("^Inserisci"))).to_have_count(0)

        # A whole section of the second lab into «Punti di forza».
        work = _source(facilitator, "Laboratorio 2")
        work.get_by_label("Inserisci in").select_option(label="Punti di forza")
        work.get_by_role("button", name=re.compile("^Inserisci la sezione")).click()
        strengths = _section(facilitator, "Punti di forza")
        expect(strengths.locator(".cm-content")).to_contain_text(
            LABS["bruno"][1][1], timeout=LIVE_MS
        )
        expect(strengths.locator(".provenance")).to_contain_text(
            "Da «Laboratorio 2 · Lavoro» · Cosa proponiamo"
        )

        # A passage of the first lab, selected with the mouse, into «Proposte».
        housing = _source(facilitator, "Laboratorio 1")
        _drag_select(facilitator, housing.locator("[data-source-text]"), CHOSEN)
        chosen = housing.locator("[data-pull-selection]")
        expect(chosen).to_be_visible()
        expect(chosen.locator("[data-pull-preview]")).to_have_text(CHOSEN)
        _as_seen(facilitator, "synthesis-selection")
        housing.get_by_label("Inserisci in").select_option(label="Proposte")
        chosen.get_by_role("button", name="Inserisci il passaggio selezionato").click()
        proposals = _section(facilitator, "Proposte")
        expect(proposals.locator(".cm-content")).to_have_text(CHOSEN, timeout=LIVE_MS)
        expect(proposals.locator(".provenance")).to_contain_text("uguale al laboratorio")
        # Bruno's page lists where the new passages come from without a reload.
        watched = _section(bruno, "Proposte").locator(".provenance")
        expect(watched).to_contain_text("Da «Laboratorio 1 · Abitare»", timeout=LIVE_MS)
        expect(_section(bruno, "Proposte").locator(".cm-content")).to_have_text(CHOSEN)
        # The pane marks what the synthesis already uses.
        expect(_source(facilitator, "Laboratorio 1").locator("mark.synthesis-used")).to_have_text(
            CHOSEN
        )
        check_accessibility(facilitator, "the synthesis page")
        _as_seen(facilitator, "synthesis-page")
        # In the editor, the pulled words name their source on hover.
        tip = _hover_pulled(facilitator, "Proposte")
        expect(tip).to_have_text("Da «Laboratorio 1 · Abitare» · Cosa proponiamo")
        tip = _hover_pulled(bruno, "Punti di forza")
        expect(tip).to_have_text("Da «Laboratorio 2 · Lavoro» · Cosa proponiamo")

        # Anna rewrites the passage in her lab.
        anna = writers["anna"]
        anna.locator(".tv-editor .cm-line", has_text=CHOSEN).first.click()
        anna.keyboard.press("End")
        anna.keyboard.press("Shift+Home")
        anna.keyboard.type(REFINED)
        expect(anna.locator(".tv-editor").first).to_contain_text(REFINED)
        expect(anna.locator(".tv-editor__save").first).to_have_text("Salvato", timeout=LIVE_MS)

        # The synthesis tells the facilitator, with the words added, without a reload:
        # the pane shows the lab's new words, the list the change, the hover says so.
        expect(_source(facilitator, "Laboratorio 1").locator("[data-source-text]")).to_contain_text(
            REFINED, timeout=LIVE_MS
        )
        proposals = _section(facilitator, "Proposte")
        tip = _hover_pulled(facilitator, "Proposte")
        expect(tip).to_contain_text("Da «Laboratorio 1 · Abitare» · Cosa proponiamo")
        expect(tip).to_contain_text(
            "Il laboratorio ha modificato questo passaggio dopo l'inserimento."
        )
        _as_seen(facilitator, "synthesis-hover")
        changed = proposals.locator(".provenance__item--changed")
        expect(changed).to_contain_text(
            "Il laboratorio «Laboratorio 1 · Abitare» ha modificato questo passaggio dopo "
            "l'inserimento."
        )
        expect(changed.locator(".diff-text ins")).to_contain_text("regionale")
        changed.scroll_into_view_if_needed()
        check_accessibility(facilitator, "the synthesis page with a changed source")
        _as_seen(facilitator, "synthesis-changed")
        changed.get_by_role("button", name=re.compile("^Aggiorna dalla fonte")).click()

        proposals = _section(facilitator, "Proposte")
        expect(proposals.locator(".cm-content")).to_have_text(REFINED, timeout=LIVE_MS)
        expect(proposals.locator(".provenance__item")).to_contain_text("uguale al laboratorio")
        expect(proposals.locator(".provenance__item--changed")).to_have_count(0)
        tip = _hover_pulled(facilitator, "Proposte")
        expect(tip).to_have_text("Da «Laboratorio 1 · Abitare» · Cosa proponiamo")

        # Words being selected in the pane stay selected while a lab types: the pane
        # waits, and shows the lab's words once the selection is let go.
        social = _source(facilitator, "Laboratorio 3")
        _drag_select(facilitator, social.locator("[data-source-text]"), LABS["carla"][1][0])
        expect(social.locator("[data-pull-preview]")).to_have_text(LABS["carla"][1][0])
        carla = writers["carla"]
        carla.locator(".tv-editor .cm-line", has_text=LABS["carla"][1][1]).first.click()
        carla.keyboard.press("End")
        carla.keyboard.type(LATE)
        expect(carla.locator(".tv-editor__save").first).to_have_text("Salvato", timeout=LIVE_MS)
        facilitator.wait_for_timeout(7000)  # two rounds of the page's question
        assert facilitator.evaluate("document.getSelection().toString()") == LABS["carla"][1][0]
        expect(social.locator("[data-source-text]")).not_to_contain_text(LATE)
        facilitator.get_by_role("heading", level=1).click()
        expect(social.locator("[data-source-text]")).to_contain_text(LATE, timeout=LIVE_MS)

        # Coverage: what of each lab the synthesis uses, and what it does not.
        facilitator.get_by_role("link", name="Copertura dei laboratori").click()
        expect(facilitator.get_by_role("heading", level=1)).to_have_text("Copertura dei laboratori")
        summary = facilitator.locator(".coverage-summary")
        expect(summary.locator("li", has_text="Laboratorio 1")).to_contain_text(
            "1 paragrafo non usato"
        )
        expect(summary.locator("li", has_text="Laboratorio 2")).to_contain_text(
            "tutti i paragrafi usati"
        )
        expect(summary.locator("li", has_text="Laboratorio 3")).to_contain_text(
            "2 paragrafi non usati"
        )
        used = facilitator.locator(".coverage-paragraph--used")
        expect(used).to_have_count(3)
        expect(used.filter(has_text=REFINED)).to_contain_text("usato")
        expect(facilitator.locator(".coverage-paragraph--unused")).to_have_count(3)
        check_accessibility(facilitator, "the coverage page")
        screenshot(facilitator, "synthesis-coverage")

        _export_with_notes(facilitator, synthesis_url, tmp_path)
    finally:
        for context in contexts:
            context.close()


def _export_with_notes(page: Page, synthesis_url: str, folder: Path) -> None:
    """The synthesis's export form offers the sources in notes, unticked; the PDF made
    with them calls each passage and names its lab at the foot of the page."""
    page.goto(f"{synthesis_url}/exports")
    form = page.locator("form.export-form")
    notes = form.get_by_label("Riferimenti alle fonti in nota")
    expect(notes).not_to_be_checked()
    # Bootstrap Italia draws the boxes on the labels: people click the words.
    form.get_by_text("Riferimenti alle fonti in nota").click()
    expect(notes).to_be_checked()
    expect(form.get_by_label("PDF, da consegnare e stampare")).to_be_checked()
    check_accessibility(page, "the synthesis's export form")
    screenshot(page, "synthesis-export")
    form.get_by_role("button", name="Esporta").click()
    expect(page.locator(".alert").first).to_contain_text("Esportazione pronta")
    href = page.locator(".export-list a").first.get_attribute("href")
    download = page.request.get(page.url.split("/documents/")[0] + str(href))
    assert download.ok
    pdf = folder / "sintesi.pdf"
    pdf.write_bytes(download.body())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    assert re.search(r"per gli affitti\.\s?\d", flat), flat
    assert "Fonte: Laboratorio 1 · Abitare – «Cosa proponiamo», revisione" in flat
    assert "Fonte: Laboratorio 2 · Lavoro – «Cosa proponiamo», revisione" in flat
