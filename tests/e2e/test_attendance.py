"""Attendance in the room: the facilitator projects the room's code, a participant who
entered with their link reads it with the phone and confirms, and the register shows
them present at once."""

from __future__ import annotations

import re
import subprocess

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS, Site, enter, new_link, screenshot

pytestmark = pytest.mark.e2e


def test_a_phone_marks_itself_present_with_the_rooms_code(site: Site, browser: Browser) -> None:
    laptop = browser.new_context(**DESKTOP)
    phone = browser.new_context(**PHONE)
    try:
        page = laptop.new_page()
        enter(page, site.facilitator_link)
        workshop = page.url
        anna_link = new_link(page, "Anna Rossi")

        page.goto(workshop)
        page.get_by_role("link", name="Presenze").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Presenze di oggi")
        SCREENSHOTS.mkdir(exist_ok=True)
        picture = SCREENSHOTS / "attendance-room-code.png"
        page.locator(".room-code svg.qr").screenshot(path=str(picture))
        read = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(picture)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert re.search(r"/workshops/\d+/arrivo/[a-z0-9]{8}$", read), read
        screenshot(page, "attendance-register")

        reader = phone.new_page()
        enter(reader, anna_link)
        reader.goto(read)
        expect(reader.get_by_role("heading", level=1)).to_have_text("Sei in sala?")
        reader.get_by_role("button", name="Sono presente").click()
        expect(reader.get_by_role("heading", level=1)).to_have_text("Sei presente")
        screenshot(reader, "attendance-phone")

        page.reload()
        anna = page.locator("li", has_text="Anna Rossi")
        expect(anna).to_contain_text("con il codice della sala")
        expect(anna.get_by_role("button", name=re.compile("togli la presenza"))).to_be_visible()
        expect(page.locator("#presenti")).to_contain_text("1 persona presente")
    finally:
        laptop.close()
        phone.close()
