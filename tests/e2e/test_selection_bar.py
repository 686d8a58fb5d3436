"""Selecting a passage offers «Commenta» and «Proponi emendamento» right there."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import (
    DESKTOP,
    Site,
    check_accessibility,
    enter,
    new_document,
    screenshot,
)

pytestmark = pytest.mark.e2e

PASSAGE = "Un budget di salute per ogni progetto di vita."


def test_a_selected_passage_is_commented_and_amended_from_the_bar(
    site: Site, browser: Browser
) -> None:
    context = browser.new_context(**DESKTOP)
    try:
        page = context.new_page()
        enter(page, site.facilitator_link)
        new_document(page, "Patto da commentare")
        page.get_by_label("Titolo della nuova sezione").fill("Abitare")
        page.get_by_role("button", name="Aggiungi in fondo al documento").click()
        abitare = page.locator(
            "section.document-section", has=page.get_by_role("heading", name=re.compile("Abitare"))
        )
        editor = abitare.locator(".tv-editor")
        editor.click()
        page.keyboard.type(PASSAGE)
        expect(abitare.locator(".tv-editor__save")).to_have_text("Salvato", timeout=15_000)

        bar = page.locator("[data-selection-bar]")
        expect(bar).to_be_hidden()
        page.keyboard.press("Shift+Home")
        expect(bar).to_be_visible()
        expect(bar.get_by_role("button", name="Commenta")).to_be_visible()
        screenshot(page, "selection-bar")
        check_accessibility(page, "selection bar")

        bar.get_by_role("button", name="Commenta").click()
        box = page.get_by_label(re.compile("Nuovo commento su «Abitare»"))
        expect(box).to_be_focused()
        expect(abitare.get_by_label(re.compile("Ancora alla selezione"))).to_be_checked()
        box.fill("Chi lo finanzia?")
        abitare.get_by_role("button", name="Commenta", exact=True).click()
        thread = abitare.locator(".comment-thread").first
        expect(thread).to_contain_text("Chi lo finanzia?")
        expect(thread).to_contain_text(PASSAGE)

        editor.click()
        page.keyboard.press("End")
        page.keyboard.press("Shift+Home")
        bar.get_by_role("button", name="Proponi emendamento").click()
        expect(page).to_have_url(re.compile(r"/amendments/new\?.*quote="))
        expect(page.get_by_text(PASSAGE).first).to_be_visible()
    finally:
        context.close()
