"""Links that work in the room: a server started as `make run` starts it (listening on
every interface, no BASE_URL) gives links with the laptop's network address; a phone
reads the QR code of a new link and is in the workshop, live editing included."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, expect

from app.web.addresses import lan_address
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    Site,
    demo_link,
    enter,
    screenshot,
)
from tests.realtime.server import LiveServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    if lan_address() is None:
        pytest.skip("this machine has no address on a network")
    server = LiveServer(tmp_path_factory.mktemp("sala"), HOST="0.0.0.0")
    del server.env["BASE_URL"]
    server.prepare_database()
    link = demo_link(server)
    server.start()
    try:
        yield server, link
    finally:
        server.stop()


def _decoded(picture: Path) -> str:
    """What a phone's camera reads in the picture of a QR code."""
    done = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(picture)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_a_phone_joins_through_the_qr_code(room: tuple[LiveServer, str], browser: Browser) -> None:
    server, facilitator_link = room
    assert urlsplit(facilitator_link).hostname == lan_address()
    assert urlsplit(facilitator_link).port == server.port

    laptop = browser.new_context(**DESKTOP)
    phone = browser.new_context(**PHONE)
    try:
        page = laptop.new_page()
        enter(page, facilitator_link)
        page.get_by_role("link", name=re.compile("Gestisci e invita")).click()
        expect(page.locator(".local-links")).to_have_count(0)
        page.get_by_role("button", name="Nuovo link per Anna Rossi").click()
        card = page.locator(".invitation-card").first
        expect(card).to_contain_text("Anna Rossi")
        SCREENSHOTS.mkdir(exist_ok=True)
        picture = SCREENSHOTS / "room-links-qr.png"
        page.locator("svg.qr").first.screenshot(path=str(picture))
        link = _decoded(picture)
        assert urlsplit(link).hostname == lan_address()

        reader = phone.new_page()
        enter(reader, link)
        expect(reader.locator("header.it-header-wrapper")).to_contain_text("Anna Rossi")
        reader.get_by_role("link", name="Documento di policy sul budget di salute").click()
        editor = reader.locator(".section-editor .tv-editor").first
        editor.click()
        reader.keyboard.type(" Dalla sala.")
        # Saved means the live connection, opened from the network address, was accepted.
        expect(reader.locator(".tv-editor__save").first).to_have_text("Salvato", timeout=20_000)
        screenshot(reader, "room-links-phone")
    finally:
        laptop.close()
        phone.close()


def test_links_that_only_open_here_say_so(site: Site, browser: Browser) -> None:
    """The session's server gives links to 127.0.0.1, as `python wsgi.py` does."""
    context = browser.new_context(**DESKTOP)
    try:
        page = context.new_page()
        enter(page, site.facilitator_link)
        page.get_by_role("link", name=re.compile("Gestisci e invita")).click()
        banner = page.locator(".local-links")
        expect(banner).to_contain_text("si aprono solo da questo computer")
        expect(banner).to_contain_text("BASE_URL")
        screenshot(page, "room-links-banner")
    finally:
        context.close()
