"""The organiser's first hour, in a real browser: a fresh instance set up as `make run`
sets it up (`tavolo init` with the organiser's variables, then the server), the printed
link opened, a first workshop created; a restart that prints the same link, which still
works; the profile page fixing the organiser's name and giving a new link."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import DESKTOP, ROOT, screenshot
from tests.e2e.test_journey import visit, watched_page
from tests.realtime.server import LiveServer

pytestmark = pytest.mark.e2e

TAVOLO = str(ROOT / ".venv" / "bin" / "tavolo")
ORGANISER = {
    "TAVOLO_ORGANISER_NAME": "Maria Bianchi",
    "TAVOLO_ORGANISER_EMAIL": "maria.bianchi@comune.lodi.example",
    "TAVOLO_ORGANISER_ORG": "Comune di Lodi",
}
TITLE = "Tavolo sull'abitare sociale"


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("primo-avvio"), **ORGANISER)
    server.prepare_database()
    try:
        yield server
    finally:
        server.stop()


def _init(server: LiveServer) -> str:
    """What `make run` runs before the server, here without a terminal."""
    done = subprocess.run(
        [TAVOLO, "init"],
        cwd=ROOT,
        env=server.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "Organizzatore: Maria Bianchi" in done.stderr, done.stderr
    return done.stdout.strip()


def _header(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("header.it-header-wrapper")


def test_first_run_as_a_named_organiser_and_a_restart_that_keeps_the_link(
    instance: LiveServer, browser: Browser
) -> None:
    link = _init(instance)
    assert link.startswith(f"{instance.base_url}/i/")
    instance.start()
    laptop = browser.new_context(**DESKTOP)
    try:
        # Without scripts the page that enters waits for the button: this is what it says.
        still = browser.new_context(**DESKTOP, java_script_enabled=False)
        waiting = still.new_page()
        waiting.goto(link)
        expect(waiting.get_by_role("heading", level=1)).to_have_text(
            "Entra come organizzatore di Tavolo"
        )
        expect(waiting.get_by_role("button", name="Entra come organizzatore")).to_be_visible()
        screenshot(waiting, "first-run-enter")
        still.close()

        page, errors = watched_page(laptop)
        page.goto(link)
        page.wait_for_url(re.compile(r"/workshops$"))
        expect(_header(page)).to_contain_text("Maria Bianchi")
        expect(page.get_by_role("heading", name="Benvenuto in Tavolo")).to_be_visible()
        visit(page, "first-run-workshops")

        page.get_by_role("link", name="Nuovo tavolo").click()
        page.get_by_label("Titolo").fill(TITLE)
        page.get_by_label("Luogo").fill("Sala consiliare, Lodi")
        page.get_by_role("button", name="Crea il tavolo").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
        people = page.locator("ul.members")
        expect(people).to_contain_text("Maria Bianchi · Comune di Lodi (Facilitatore)")
        expect(page.get_by_role("link", name="Gestisci e invita")).to_be_visible()
        visit(page, "first-run-workshop")
        assert not errors, errors
    finally:
        instance.stop()

    # The next `make run`: the same link, and it still opens the organiser's workshop.
    assert _init(instance) == link
    instance.start()
    phone = browser.new_context(**DESKTOP)
    try:
        page, errors = watched_page(laptop)
        page.goto(f"{instance.base_url}/workshops")
        expect(page.get_by_role("link", name=TITLE)).to_be_visible()  # still logged in

        again, again_errors = watched_page(phone)
        again.goto(link)
        again.wait_for_url(re.compile(r"/workshops$"))
        expect(_header(again)).to_contain_text("Maria Bianchi")
        expect(again.get_by_role("link", name=TITLE)).to_be_visible()
        visit(again, "restart-same-link")

        # The profile: the organiser fixes their name, and the room sees it everywhere.
        again.get_by_role("link", name=re.compile("Maria Bianchi")).click()
        expect(again.get_by_role("heading", level=1)).to_have_text("Il tuo profilo")
        visit(again, "profile")
        again.get_by_label("Nome e cognome").fill("")
        again.get_by_role("button", name="Salva").click()
        expect(again.get_by_text("Manca il nome.")).to_be_visible()
        visit(again, "profile-error")
        again.get_by_label("Nome e cognome").fill("Maria Bianchi Ferri")
        again.get_by_label(f"Organizzazione al tavolo «{TITLE}»").fill("Ufficio di Piano di Lodi")
        again.get_by_role("button", name="Salva").click()
        expect(again.get_by_role("status")).to_have_text("Il profilo è stato aggiornato.")
        expect(_header(again)).to_contain_text("Maria Bianchi Ferri")
        again.get_by_role("link", name="I tuoi tavoli", exact=True).click()
        again.get_by_role("link", name=TITLE).click()
        expect(again.locator("ul.members")).to_contain_text(
            "Maria Bianchi Ferri · Ufficio di Piano di Lodi"
        )
        visit(again, "profile-renamed-workshop")

        # A new personal link: the old one stops working, whoever entered with it is out,
        # this browser stays in, and the next start prints the new one.
        again.get_by_role("link", name=re.compile("Maria Bianchi Ferri")).click()
        again.get_by_role("button", name="Nuovo link personale da organizzatore").click()
        expect(again.get_by_role("heading", level=1)).to_have_text("Il tuo nuovo link personale")
        expect(again.get_by_role("status")).to_contain_text("«make run» stamperà questo")
        new_link = again.locator(".card-url").inner_text().strip()
        assert new_link != link and new_link.startswith(f"{instance.base_url}/i/")
        visit(again, "profile-new-link")
        gone = laptop.new_page()
        gone.goto(link)
        expect(gone.get_by_role("heading", level=1)).to_have_text("Link non valido")
        screenshot(gone, "profile-old-link")
        # The laptop had entered with the old link: it is out too.
        gone.goto(f"{instance.base_url}/workshops")
        expect(gone.get_by_role("heading", level=1)).to_have_text("Entra in Tavolo")
        screenshot(gone, "profile-old-link-logged-out")
        again.goto(f"{instance.base_url}/workshops")
        expect(again.get_by_role("link", name=TITLE)).to_be_visible()
        assert not errors, errors
        assert not again_errors, again_errors
    finally:
        phone.close()
        laptop.close()
        instance.stop()
    assert _init(instance) == new_link
