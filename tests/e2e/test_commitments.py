"""The commitments register in real browsers: a facilitator selects a passage of the
document, takes it to the register from the selection bar and records a commitment
from it (after a refused attempt without the institution), agrees it, makes the
institution's
link; the institution opens it in a browser of its own, with no login, and says the
work has started; the register and the published page show it. Screenshots go to
tests/e2e/screenshots/commitments-*.png, and those the README shows to
docs/screenshots/commitments-*.png with `make screenshots`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    DESKTOP,
    DOCS_SCREENSHOTS,
    PHONE,
    check_accessibility,
    enter,
    screenshot,
)
from tests.realtime.server import LiveServer

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ACTION = "Apre un tavolo tecnico con gli Ambiti per le soluzioni abitative temporanee."
PASSAGE = "Il Comune apre un tavolo tecnico sulla casa entro giugno."


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    assert (ROOT / "static" / "build" / "tavolo.css").exists(), "node static/build.mjs"
    server = LiveServer(tmp_path_factory.mktemp("commitments"))
    server.prepare_database()
    outputs = server.tavolo(["tavolo", "demo"], ["tavolo", "list-documents", "1"])
    server.start()
    try:
        yield {
            "base": server.base_url,
            "facilitator": outputs[0],
            "document": int(outputs[1].split("\t")[0]),
        }
    finally:
        server.stop()


def _from_the_text(page: Page, world: dict) -> None:
    """Adds a proposal at the end of «Abitare», selects it and takes it to the register."""
    page.goto(f"{world['base']}/documents/{world['document']}")
    abitare = page.locator(
        "section.document-section", has=page.get_by_role("heading", name=re.compile("Abitare"))
    ).first
    # The editor takes keystrokes once it has the live text.
    content = abitare.locator('.tv-editor .cm-content[contenteditable="true"]')
    expect(content).to_be_visible(timeout=15_000)
    content.click()
    page.keyboard.press("Control+End")
    # A new item of «Che cosa proponiamo»: the list goes on by itself.
    page.keyboard.press("Enter")
    page.keyboard.type(PASSAGE)
    expect(abitare.locator(".tv-editor")).to_contain_text(PASSAGE)
    expect(abitare.locator(".tv-editor__save")).to_have_text("Salvato", timeout=15_000)
    for _ in PASSAGE:
        page.keyboard.press("Shift+ArrowLeft")
    bar = page.locator("[data-selection-bar]")
    bar.get_by_role("button", name="Impegno").click()
    expect(page).to_have_url(re.compile(r"/impegni\?sezione=\d+&passaggio=.*#nuovo$"))


def _fill(page: Page) -> None:
    page.get_by_label("Persona responsabile").fill("Elena Conti, assessora ai servizi sociali")
    page.get_by_label("Azione").fill(ACTION)
    due = dt.date.today() + dt.timedelta(days=120)
    page.get_by_label("Scadenza").fill(due.isoformat())
    page.get_by_label("Indicatore").fill("Delibera di avvio e primo verbale del tavolo tecnico")


def _shot(page: Page, name: str) -> None:
    """What the window shows, as the README's pictures are."""
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.screenshot(path=str(DOCS_SCREENSHOTS / f"commitments-{name}.png"), full_page=False)


def _publish(page: Page, world: dict) -> None:
    page.goto(f"{world['base']}/documents/{world['document']}")
    page.get_by_role("button", name="Congela il documento").click()
    page.get_by_role("button", name="Congela comunque").click()
    page.get_by_role("button", name="Pubblica", exact=True).click()
    page.get_by_role("button", name="Pubblica comunque").click()


def test_a_commitment_recorded_agreed_and_updated_through_the_institution_link(
    browser: Browser, world: dict
) -> None:
    room = browser.new_context(**DESKTOP)
    page = room.new_page()
    enter(page, world["facilitator"])
    page.get_by_role("link", name="Impegni istituzionali").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Impegni istituzionali")
    expect(page.get_by_text("Nessun impegno ancora.")).to_be_visible()

    _from_the_text(page, world)
    expect(page.get_by_label("Dalla sezione (facoltativa)")).to_have_value(re.compile(r"\d+"))
    section = page.get_by_label("Dalla sezione (facoltativa)").locator("option:checked")
    expect(section).to_have_text("Abitare")
    expect(page.get_by_label("Passaggio del testo (facoltativo)")).to_have_value(PASSAGE)
    # Without the institution: refused, in Italian, with everything typed still there.
    _fill(page)
    page.get_by_role("button", name="Registra l'impegno").click()
    expect(page.get_by_role("alert")).to_contain_text("Indica l'ente che si impegna.")
    expect(page.get_by_label("Azione")).to_have_value(ACTION)
    expect(page.get_by_label("Passaggio del testo (facoltativo)")).to_have_value(PASSAGE)
    screenshot(page, "commitments-refused")

    page.get_by_label("Ente che si impegna").fill("Comune di Lodi")
    page.get_by_role("button", name="Registra l'impegno").click()
    card = page.locator(".commitment").first
    expect(card.locator(".commitment-status")).to_have_text("Proposta")
    expect(card.locator(".commitment-passage")).to_have_text(PASSAGE)

    card.get_by_label("Nuovo stato").select_option(label="Concordata")
    card.get_by_label("Nota (facoltativa)").fill("Approvato in plenaria, nessun contrario")
    card.get_by_role("button", name="Cambia stato").click()
    card = page.locator(".commitment").first
    expect(card.locator(".commitment-status")).to_have_text("Concordata")
    check_accessibility(page, "the commitments register")

    card.get_by_role("button", name="Crea il link dell'ente").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Il link di Comune di Lodi")
    link = page.get_by_label("Link per l'ente").input_value()
    assert "/impegno/" in link
    screenshot(page, "commitments-link")

    # The institution, months later, from its own office: no login, nothing else opens.
    office = browser.new_context(**PHONE)
    institution = office.new_page()
    institution.goto(link)
    expect(institution.get_by_role("heading", level=1)).to_have_text("L'impegno di Comune di Lodi")
    expect(institution.locator(".commitment-status")).to_have_text("Concordata")
    check_accessibility(institution, "the institution's page")
    # Bootstrap Italia draws the radio button on its label, which is what people tap.
    institution.locator("label", has_text="In corso").click()
    institution.get_by_label("Nota", exact=True).fill(
        "Delibera di giunta n. 42 approvata; prima riunione fissata."
    )
    institution.get_by_role("button", name="Registra l'aggiornamento").click()
    expect(institution.get_by_text("Grazie: l'aggiornamento è registrato")).to_be_visible()
    expect(institution.locator(".commitment-status")).to_have_text("In corso")
    institution.locator("summary").click()
    expect(institution.locator(".commitment-history")).to_contain_text("l'ente, con il suo link")
    screenshot(institution, "commitments-institution")
    institution.evaluate("window.scrollTo(0, 0)")
    _shot(institution, "institution")
    institution.goto(f"{world['base']}/workshops/1/impegni")
    expect(institution.get_by_role("heading", level=1)).not_to_have_text("Impegni istituzionali")
    office.close()

    page.goto(f"{world['base']}/workshops/1/impegni")
    card = page.locator(".commitment").first
    expect(card.locator(".commitment-status")).to_have_text("In corso")
    card.locator(".commitment-history summary").click()
    expect(card.locator(".commitment-history")).to_contain_text("Delibera di giunta n. 42")
    screenshot(page, "commitments-register")
    page.locator("h1").scroll_into_view_if_needed()
    _shot(page, "register")

    _publish(page, world)
    page.goto(f"{world['base']}/p/{world['document']}")
    commitments = page.locator("#impegni")
    expect(commitments.locator(".commitment-status")).to_have_text("In corso")
    expect(commitments).to_contain_text(ACTION)
    check_accessibility(page, "the published page with its commitments")
    screenshot(page, "commitments-public")
    room.close()
