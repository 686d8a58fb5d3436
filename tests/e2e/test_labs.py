"""Two labs at once, in a browser: the facilitator names a participant to lead each lab
from the members page; each lead locks a section of their own lab and finds no such
control in the other; the workshop's page shows the two labs side by side, with their
leads and their sections, and follows the lock by itself."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    Site,
    check_accessibility,
    enter,
    new_document,
    no_console_errors,
    screenshot,
)

pytestmark = pytest.mark.e2e

TEMPLATE_TITLE = "Il budget di salute come strumento di welfare generativo"
WORKSHOP = "Case della Comunità: i laboratori"
LABS = ("Laboratorio Casa della Comunità di Lodi", "Laboratorio Casa della Comunità di Codogno")
LEADS = ("Sara Colombo", "Paolo Greco")
PEOPLE = (
    "nome;email;organizzazione\n"
    "Sara Colombo;sara.colombo@example.org;ASST di Lodi\n"
    "Paolo Greco;paolo.greco@example.org;Comune di Codogno\n"
)


def _new_workshop(page: Page) -> str:
    page.get_by_role("link", name="I tuoi tavoli").first.click()
    page.get_by_role("link", name="Nuovo tavolo").click()
    page.get_by_label("Titolo").fill(WORKSHOP)
    page.get_by_label("Luogo").fill("Casa della Comunità, Lodi")
    page.get_by_role("button", name="Crea il tavolo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(WORKSHOP)
    return page.url.split("#")[0]


def _invite(page: Page) -> dict[str, str]:
    """The two participants, imported from a pasted list; their links from the sheet."""
    page.get_by_role("link", name=re.compile("Gestisci e invita")).click()
    page.get_by_label("Elenco delle persone").fill(PEOPLE)
    page.get_by_role("button", name="Controlla l'elenco").click()
    page.get_by_role("button", name=re.compile("Conferma e importa")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Foglio di invito")
    return {
        name: page.locator(".invitation-card", has_text=name).locator(".card-url").inner_text()
        for name in LEADS
    }


def _lead(page: Page, name: str, lab: str) -> None:
    page.get_by_label(f"Laboratorio di {name}").select_option(label=lab)
    # Bootstrap Italia draws the box on the label, over the input.
    page.get_by_label(f"conduce il laboratorio: {name}").check(force=True)
    page.get_by_role("button", name=f"Salva il laboratorio di {name}").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"{name} conduce il laboratorio «{lab}»."
    )


def _lock_first_section(page: Page) -> None:
    section = page.locator("section.document-section").first
    section.locator("summary", has_text="Apri o blocca la sezione").click()
    section.get_by_label("Stato della sezione").select_option(label="Bloccata")
    section.get_by_role("button", name="Applica").click()
    expect(page.locator("section.document-section").first.locator(".section-meta")).to_contain_text(
        "Bloccata"
    )


def test_two_leads_run_their_labs_side_by_side(site: Site, browser: Browser) -> None:
    desk = browser.new_context(**DESKTOP)
    phones = [browser.new_context(**PHONE) for _ in LEADS]
    errors: list[str] = []
    try:
        page = desk.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        enter(page, site.facilitator_link)
        workshop = _new_workshop(page)
        documents = {}
        for title in LABS:
            documents[title] = new_document(page, title, TEMPLATE_TITLE)
            page.goto(workshop)
        links = _invite(page)

        page.goto(workshop)
        page.get_by_role("link", name=re.compile("Gestisci e invita")).click()
        for name, lab in zip(LEADS, LABS, strict=True):
            _lead(page, name, lab)
        row = page.locator("tr", has=page.get_by_role("rowheader", name="Sara Colombo"))
        expect(row.get_by_label("Laboratorio di Sara Colombo")).to_have_value(
            re.compile(r"^\d+$")
        )
        screenshot(page, "labs-members")
        check_accessibility(page, "the members page with labs")

        # The workshop's page, left open: it follows the labs by itself.
        page.goto(workshop)
        grid = page.locator("[data-room-live]")
        expect(grid).to_have_count(1)
        cards = {lab: page.locator(".lab-card", has_text=lab) for lab in LABS}
        for card, name in zip(cards.values(), LEADS, strict=True):
            expect(card.locator("[data-lab-leads]")).to_have_text(name)
            expect(card.locator("[data-lab-states]")).to_have_text(re.compile(r"^\d+ aperte$"))
            expect(card).to_contain_text("1 assegnata")

        for phone, name, own, other in zip(phones, LEADS, LABS, reversed(LABS), strict=True):
            lead = phone.new_page()
            enter(lead, links[name])
            if name == LEADS[0]:
                expect(lead.locator(".lab-card")).to_have_count(2)
                screenshot(lead, "labs-phone")
            lead.get_by_role("link", name=own, exact=True).first.click()
            _lock_first_section(lead)
            if name == LEADS[0]:
                screenshot(lead, "labs-lead-document")
            lead.goto(documents[other])
            expect(lead.get_by_role("heading", level=1)).to_have_text(other)
            expect(lead.locator("section.document-section").first).to_be_visible()
            expect(lead.locator("summary", has_text="Apri o blocca")).to_have_count(0)
            expect(lead.locator("summary", has_text="Gestisci la sezione")).to_have_count(0)

        for card in cards.values():
            expect(card.locator("[data-lab-states]")).to_have_text(
                re.compile(r"^\d+ aperte · 1 bloccata$"), timeout=15_000
            )
        # Each lead, last seen in the other lab, is there now.
        for card, name in zip(cards.values(), reversed(LEADS), strict=True):
            expect(card.locator("[data-lab-present]")).to_have_text(name, timeout=15_000)
        expect(grid).to_have_count(1)
        screenshot(page, "labs-side-by-side")
        check_accessibility(page, "the workshop's page with its labs")
        no_console_errors(errors)
    finally:
        desk.close()
        for phone in phones:
            phone.close()
