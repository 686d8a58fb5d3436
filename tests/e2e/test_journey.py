"""A facilitator and a participant go through Tavolo in real browsers: from the link that
`make run` prints to a document written together. Every page is checked with axe-core
and saved as a screenshot in tests/e2e/screenshots/, to be looked at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import DESKTOP, PHONE, Site, check_accessibility, enter, screenshot

pytestmark = pytest.mark.e2e

DEMO_TITLE = "Budget di salute: un patto per l'abitare, il lavoro e la socialità"
TEMPLATE_TITLE = "Il budget di salute come strumento di welfare generativo"
INVITEE = "Chiara Esposito, chiara.esposito@e2e.example.org, Comune di Lodi, Comune, partecipante"


def watched_page(context: BrowserContext) -> tuple[Page, list[str]]:
    """A page whose script errors, refusals by the Content-Security-Policy and failed
    static files are kept: they fail silently for the person, loudly here. A page that
    answers 404 on purpose is not a failure, so the console's "Failed to load resource"
    is left to the checks on requests."""
    page = context.new_page()
    errors: list[str] = []

    def console(message) -> None:  # type: ignore[no-untyped-def]
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def failed(request) -> None:  # type: ignore[no-untyped-def]
        # The browser cancels what a page was still loading when the next click leaves
        # it (a font of a weight the page used late): nothing the person misses.
        if request.failure != "net::ERR_ABORTED":
            errors.append(f"{request.url}: {request.failure}")

    def response(answer) -> None:  # type: ignore[no-untyped-def]
        if answer.status >= 400 and "/static/" in answer.url:
            errors.append(f"{answer.url}: {answer.status}")

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", failed)
    page.on("response", response)
    return page, errors


def visit(page: Page, name: str) -> None:
    """Every page of the journey: fonts ready, the picture (kept even if a check then
    fails, to see what it found), axe, and no sideways scrolling."""
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    screenshot(page, name)
    check_accessibility(page, name)
    page_width, screen_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert page_width <= screen_width, f"{name} is {page_width}px wide on a {screen_width}px screen"


def test_facilitator_finds_the_way_around(site: Site, browser: Browser) -> None:
    context = browser.new_context(**DESKTOP)
    try:
        page, errors = watched_page(context)

        enter(page, site.facilitator_link)
        expect(page).to_have_url(re.compile(r"/workshops/\d+$"))
        expect(page.locator("html")).to_have_attribute("lang", "it")
        expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_TITLE)
        header = page.locator("header.it-header-wrapper")
        expect(header).to_contain_text("Facilitatore demo")
        expect(header.get_by_role("button", name="Esci")).to_be_visible()
        visit(page, "workshop")
        # The fonts come from the application itself, not from the person's computer.
        loaded = page.evaluate(
            """document.fonts.ready.then(fonts => [...fonts]
                .filter(face => face.status === 'loaded')
                .map(face => face.family.replaceAll('"', '')))"""
        )
        assert "Titillium Web" in loaded, loaded
        # The first Tab shows the skip link, which takes keyboard users past the header.
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Vai al contenuto")
        expect(skip).to_be_focused()
        expect(skip).to_be_visible()
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"#contenuto$"))
        expect(page.get_by_role("main")).to_be_focused()

        page.get_by_role("link", name="I tuoi tavoli").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("I tuoi tavoli")
        expect(page.get_by_role("link", name=DEMO_TITLE)).to_be_visible()
        visit(page, "workshops")

        page.get_by_role("link", name="Nuovo tavolo").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Nuovo tavolo")
        visit(page, "workshop-new")
        page.get_by_role("button", name="Crea il tavolo").click()
        title = page.get_by_label("Titolo")
        expect(page.get_by_role("alert")).to_have_text("Il titolo è obbligatorio.")
        expect(title).to_have_attribute("aria-invalid", "true")
        expect(title).to_be_focused()
        visit(page, "workshop-new-error")
        title.fill("Tavolo di prova sull'abitare")
        page.get_by_label("Luogo").fill("Biblioteca comunale, Codogno")
        page.get_by_label("Dal").fill("2026-03-05")
        page.get_by_label("Al", exact=True).fill("2026-03-06")
        page.get_by_role("button", name="Crea il tavolo").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Tavolo di prova sull'abitare")
        expect(page.locator("main")).to_contain_text("5 marzo 2026 – 6 marzo 2026")

        page.get_by_role("button", name="ENG").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_role("heading", name="Documents")).to_be_visible()
        expect(page.locator("main")).to_contain_text("5 March 2026 – 6 March 2026")
        visit(page, "workshop-en")
        page.get_by_role("button", name="ITA").click()
        expect(page.locator("html")).to_have_attribute("lang", "it")

        page.goto(site.url("/entra"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Entra in Tavolo")
        visit(page, "login-help")

        page.goto(site.url("/i/questo-link-non-esiste"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Link non valido")
        visit(page, "invalid-link")

        page.goto(site.url("/pagina/che/non/esiste"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Pagina non trovata")
        visit(page, "not-found")

        page.get_by_role("button", name="Esci").click()
        expect(page.get_by_role("status")).to_contain_text("Sei uscito")
        visit(page, "logged-out")

        assert not errors, errors
    finally:
        context.close()


def test_from_demo_link_to_a_shared_document(site: Site, browser: Browser) -> None:
    facilitator = browser.new_context(**DESKTOP)
    participant = browser.new_context(**PHONE)
    try:
        page, errors = watched_page(facilitator)
        enter(page, site.facilitator_link)
        expect(page.get_by_role("heading", level=1)).to_have_text(DEMO_TITLE)

        page.get_by_role("link", name="Nuovo documento").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Nuovo documento")
        page.get_by_label("Titolo del documento").fill("Patto per il budget di salute")
        # Bootstrap Italia draws the radio button on its label, which is what people click.
        page.locator("label", has_text=TEMPLATE_TITLE).click()
        expect(page.get_by_label(TEMPLATE_TITLE)).to_be_checked()
        visit(page, "document-new")
        page.get_by_role("button", name="Crea il documento").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Patto per il budget di salute")
        expect(page.get_by_role("status").first).to_contain_text("Documento creato.")
        for section in ("Premessa", "Abitare", "Lavoro", "Socialità"):
            expect(page.locator("main h2", has_text=section).first).to_be_visible()
        expect(page.locator(".tv-editor").first).to_be_visible()
        document_url = page.url
        visit(page, "document")

        page.get_by_role("link", name=DEMO_TITLE).click()
        page.get_by_role("link", name="Gestisci e invita").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Persone del tavolo")
        visit(page, "members")
        page.get_by_label("Elenco delle persone").fill(INVITEE)
        page.get_by_role("button", name="Controlla l'elenco").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Anteprima degli inviti")
        expect(page.get_by_role("row", name=re.compile("Chiara Esposito"))).to_contain_text(
            "nuova persona"
        )
        visit(page, "invitations-preview")
        page.get_by_role("button", name=re.compile("Conferma e importa")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Foglio di invito")
        card = page.locator(".invitation-card", has_text="Chiara Esposito")
        expect(card).to_contain_text("Comune di Lodi · Partecipante")
        invitation = card.locator(".card-url").inner_text().strip()
        assert invitation.startswith(f"{site.base_url}/i/"), invitation
        visit(page, "invitation-sheet")

        phone, phone_errors = watched_page(participant)
        phone.goto(invitation)
        expect(phone.get_by_role("heading", level=1)).to_have_text(DEMO_TITLE)
        expect(phone.locator("header.it-header-wrapper")).to_contain_text("Chiara Esposito")
        visit(phone, "participant-workshop")
        phone.get_by_role("link", name="Patto per il budget di salute", exact=True).click()
        expect(phone).to_have_url(document_url)
        expect(phone.get_by_role("heading", level=1)).to_have_text("Patto per il budget di salute")
        expect(phone.locator(".tv-editor__save").first).to_have_text("Salvato", timeout=20_000)
        visit(phone, "participant-document")

        assert not errors, errors
        assert not phone_errors, phone_errors
    finally:
        participant.close()
        facilitator.close()


def test_page_behaviours_work_under_the_policy(site: Site, browser: Browser) -> None:
    """static/src/app.js, as the Content-Security-Policy lets it run: questions before
    irreversible actions, and the CSRF token for scripts that post."""
    context = browser.new_context(**DESKTOP)
    try:
        page, errors = watched_page(context)
        enter(page, site.facilitator_link)
        page.goto(site.url("/entra"))
        # A form as a template would write it; the page's own script must ask first.
        page.evaluate(
            """() => {
                const form = document.createElement('form')
                form.action = '/workshops'
                form.dataset.confirm = 'Vuoi davvero andare ai tuoi tavoli?'
                form.innerHTML = '<button type="submit">Vai</button>'
                document.querySelector('main').append(form)
            }"""
        )
        questions: list[str] = []

        def answer(dialog, accept: bool) -> None:  # type: ignore[no-untyped-def]
            questions.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        page.once("dialog", lambda dialog: answer(dialog, False))
        page.get_by_role("button", name="Vai").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Entra in Tavolo")
        page.once("dialog", lambda dialog: answer(dialog, True))
        page.get_by_role("button", name="Vai").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("I tuoi tavoli")
        assert questions == ["Vuoi davvero andare ai tuoi tavoli?"] * 2

        post = """async (helper) => {
            const {csrfFetch} = await import('/static/build/app.js')
            const send = helper ? csrfFetch : fetch
            const body = new URLSearchParams({title: 'Tavolo creato da uno script'})
            const response = await send('/workshops/new', {method: 'POST', body})
            await response.text()
            return response.status
        }"""
        assert page.evaluate(post, False) == 400
        assert page.evaluate(post, True) == 200
        page.reload()
        expect(page.get_by_role("link", name="Tavolo creato da uno script")).to_be_visible()
        assert not errors, errors
    finally:
        context.close()
