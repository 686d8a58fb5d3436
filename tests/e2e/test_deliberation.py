"""Amendments and votes in real browsers, with two participants and a facilitator each in
their own browser context: an amendment proposed on a selected passage, supported,
accepted and seen merged in the other participant's live editor; a consent vote opened,
cast by both, closed, its results shown. Screenshots go to docs/screenshots/ with
`make screenshots`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import DESKTOP, DOCS_SCREENSHOTS, check_accessibility, enter
from tests.realtime.server import ROOT, LiveServer

SHOTS = DOCS_SCREENSHOTS
FIRST = "Il budget di salute sostiene progetti di vita personalizzati."
BODY = f"{FIRST}\n\nLe aziende sanitarie e i comuni finanziano insieme la casa e il lavoro."
PROPOSED = "Il budget di salute sostiene progetti di vita scelti dalla persona."
PEOPLE = {
    "facilitator": ("Francesca Ferri", "facilitatore", "Regione", "Regione Lombardia"),
    "anna": ("Anna Bianchi", "partecipante", "Comuni", "Comune di Iseo"),
    "bruno": ("Bruno Verdi", "partecipante", "Aziende sanitarie", "ASST Franciacorta"),
}


@dataclass(frozen=True)
class World:
    server: LiveServer
    document: int
    section: int
    links: dict[str, str]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    assert (ROOT / "static" / "build" / "deliberation.js").exists(), "node static/build.mjs"
    server = LiveServer(tmp_path_factory.mktemp("deliberation"))
    server.prepare_database()
    commands = [
        ["tavolo", "create-workshop", "Tavolo budget di salute"],
        ["tavolo", "create-document", "{0}", "Patto per l'abitare"],
    ]
    for name, role, category, organisation in PEOPLE.values():
        email = name.split()[0].lower() + "@e2e.example.org"
        commands.append(
            ["tavolo", "invite", "{0}", "--name", name, "--email", email, "--role", role,
             "--category", category, "--org", organisation]
        )  # fmt: skip
    outputs = server.tavolo(*commands)
    document = int(outputs[1])
    [(section,)] = server.sql("SELECT id FROM section WHERE document_id = ?", document)
    server.sql("UPDATE section SET body = ? WHERE id = ?", BODY, section)
    server.start()
    try:
        yield World(server, document, section, dict(zip(PEOPLE, outputs[2:], strict=True)))
    finally:
        server.stop()


def _open(browser: Browser, world: World, persona: str) -> tuple[BrowserContext, Page]:
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    enter(page, world.links[persona])
    page.goto(f"{world.server.base_url}/documents/{world.document}")
    expect(page.locator(".tv-editor .cm-content")).to_contain_text("Le aziende", timeout=20_000)
    return context, page


def _panel(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("[data-deliberation-section]").first


def _shot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"deliberation-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_an_amendment_and_a_vote_from_proposal_to_result(browser: Browser, world: World) -> None:
    anna_context, anna = _open(browser, world, "anna")
    bruno_context, bruno = _open(browser, world, "bruno")
    facilitator_context, facilitator = _open(browser, world, "facilitator")
    try:
        # Anna selects the first line of the section in her editor...
        line = anna.locator(".tv-editor .cm-line").first
        line.click()
        anna.keyboard.press("End")
        anna.keyboard.press("Shift+Home")
        propose = _panel(anna).get_by_role(
            "link", name="Proponi un emendamento su questo passaggio"
        )
        expect(propose).to_be_visible()
        propose.click()
        # ...and proposes new words for it.
        expect(anna.locator("blockquote")).to_have_text(FIRST)
        check_accessibility(anna, "the amendment form")
        anna.get_by_label("Nuovo testo del passaggio").fill(PROPOSED)
        anna.get_by_label("Motivazione").fill("Il progetto lo sceglie la persona.")
        _shot(anna, "propose")
        anna.get_by_role("button", name="Proponi l'emendamento").click()
        expect(_panel(anna)).to_contain_text("Emendamento n.")

        # Bruno sees it arrive without reloading, as insertions and deletions.
        card = _panel(bruno).locator(".amendment").first
        expect(card).to_contain_text("Proposto da Anna Bianchi")
        expect(card.locator(".amendment__diff ins")).to_contain_text("scelti dalla persona")
        expect(card.locator(".amendment__diff del")).to_contain_text("personalizzati")
        card.get_by_role("button", name="Sostengo").click()
        expect(_panel(bruno).locator(".amendment").first).to_contain_text("Tu lo sostieni")

        # The facilitator sees the support live and accepts.
        decision = _panel(facilitator).locator(".amendment").first
        expect(decision).to_contain_text("1 sostegno")
        check_accessibility(facilitator, "the document page with an amendment")
        _shot(facilitator, "amendment")
        decision.get_by_role("button", name="Accogli e inserisci nel testo").click()

        # The merged text reaches Bruno's editor live, like any edit.
        expect(bruno.locator(".tv-editor .cm-content").first).to_contain_text(
            PROPOSED, timeout=15_000
        )
        expect(anna.locator(".tv-editor .cm-content").first).to_contain_text(PROPOSED)

        # A consent vote on the section.
        facilitator.get_by_role("link", name="Apri una votazione sulla sezione").click()
        facilitator.get_by_label("Domanda").fill("Approviamo la sezione «Introduzione»?")
        facilitator.get_by_label("Quorum (persone che devono votare)").fill("2")
        check_accessibility(facilitator, "the new vote form")
        facilitator.get_by_role("button", name="Apri la votazione").click()

        for page, choice in ((anna, "Favorevole"), (bruno, "Favorevole con riserve")):
            vote = _panel(page).locator(".vote--open").first
            expect(vote).to_contain_text("Approviamo la sezione")
            # Bootstrap Italia draws its own radio button over the hidden input.
            vote.get_by_label(choice, exact=True).check(force=True)
            if page is bruno:
                vote.get_by_label("Motivazione (facoltativa)").fill("Servono più fondi.")
            vote.get_by_role("button", name="Vota").click()
            expect(_panel(page).locator(".vote").first).to_contain_text("Cambia il voto")

        vote = _panel(facilitator).locator(".vote--open").first
        # Live, like the merged text above: on a busy machine it takes more than 5 s.
        expect(vote).to_contain_text("2 persone hanno votato", timeout=15_000)
        expect(vote).to_contain_text("I risultati si vedranno alla chiusura")
        vote.get_by_role("button", name="Chiudi la votazione").click()

        results = _panel(facilitator).locator(".vote").first
        expect(results).to_contain_text("Quorum raggiunto")
        expect(results.locator("table").first).to_contain_text("Favorevole con riserve")
        # The others see the result live.
        expect(_panel(anna).locator(".vote").first).to_contain_text("Quorum raggiunto")
        results.locator("summary", has_text="Per categoria").click()
        check_accessibility(facilitator, "the document page with a closed vote")
        _shot(facilitator, "vote")

        anna.goto(f"{world.server.base_url}/documents/{world.document}/dissent")
        expect(anna.locator("main")).to_contain_text("Servono più fondi.")
        check_accessibility(anna, "the dissent register")
        _shot(anna, "register")
    finally:
        for context in (anna_context, bruno_context, facilitator_context):
            context.close()


SECOND = "Le aziende sanitarie e i comuni finanziano insieme la casa e il lavoro."
AMENDED = "Le aziende sanitarie, i comuni e la Regione finanziano la casa e il lavoro."
REWRITTEN = "Le aziende sanitarie pagano la casa."
RESOLVED = "Le aziende sanitarie e la Regione pagano la casa."


def _select_line(page: Page, text: str) -> None:
    page.locator(".tv-editor .cm-line", has_text=text).first.click()
    page.keyboard.press("End")
    page.keyboard.press("Shift+Home")


def test_a_conflicting_amendment_is_resolved_by_hand(browser: Browser, world: World) -> None:
    anna_context, anna = _open(browser, world, "anna")
    bruno_context, bruno = _open(browser, world, "bruno")
    facilitator_context, facilitator = _open(browser, world, "facilitator")
    try:
        _select_line(anna, SECOND)
        _panel(anna).get_by_role("link", name="Proponi un emendamento su questo passaggio").click()
        anna.get_by_label("Nuovo testo del passaggio").fill(AMENDED)
        anna.get_by_role("button", name="Proponi l'emendamento").click()

        # Meanwhile Bruno rewrites the very sentence in the live text.
        _select_line(bruno, SECOND)
        bruno.keyboard.type(REWRITTEN)
        editors = facilitator.locator(".tv-editor .cm-content").first
        expect(editors).to_contain_text(REWRITTEN, timeout=15_000)

        card = _panel(facilitator).locator(".amendment", has_text="Regione").first
        card.get_by_role("button", name="Accogli e inserisci nel testo").click()
        expect(facilitator.get_by_role("heading", level=1)).to_contain_text(
            "non si inserisce da solo"
        )
        conflicts = facilitator.locator(".amendment__conflicts del")
        expect(conflicts.filter(has_text="insieme").first).to_be_visible()
        expect(conflicts.filter(has_text="e i comuni").first).to_be_visible()
        text = facilitator.get_by_label("Testo della sezione dopo l'emendamento")
        expect(text).to_have_value(re.compile(re.escape(REWRITTEN)))
        check_accessibility(facilitator, "the conflict page")
        _shot(facilitator, "conflict")
        text.fill(text.input_value().replace(REWRITTEN, RESOLVED))
        facilitator.get_by_role("button", name="Conferma il testo e accogli l'emendamento").click()

        expect(bruno.locator(".tv-editor .cm-content").first).to_contain_text(
            RESOLVED, timeout=15_000
        )
        expect(bruno.locator(".tv-editor .cm-content").first).not_to_contain_text(REWRITTEN)
    finally:
        for context in (anna_context, bruno_context, facilitator_context):
            context.close()
