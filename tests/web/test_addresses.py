"""The address the room's links carry, and the warning when they open only here."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.config import Config
from app.core.permissions import Role
from app.modules.people import services as people
from app.web.addresses import base_url, lan_address, only_this_computer
from tests.conftest import login


def test_listening_everywhere_the_links_carry_the_network_address() -> None:
    address = lan_address()
    if address is None:
        pytest.skip("this machine has no address on a network")
    assert not ipaddress.ip_address(address).is_loopback
    url, origins = base_url("0.0.0.0", 5000)
    assert url == f"http://{address}:5000"
    # The laptop's own browser may open localhost and still go live.
    assert origins == (url, "http://127.0.0.1:5000", "http://localhost:5000")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:5000"),
        ("192.168.1.20", "http://192.168.1.20:5000"),
        ("::1", "http://[::1]:5000"),
        ("tavolo.local", "http://tavolo.local:5000"),
    ],
)
def test_listening_on_one_address_the_links_carry_it(host: str, expected: str) -> None:
    assert base_url(host, 5000) == (expected, (expected,))


def test_a_base_url_that_is_set_wins(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = {"HOST": "0.0.0.0", "PORT": 5000, "BASE_URL": "https://tavolo.example.org"}
    Config.finalise(settings, tmp_path)
    assert settings["ORIGINS"] == ("https://tavolo.example.org",)


@given(st.ip_addresses())
def test_only_loopback_addresses_open_only_here(ip) -> None:  # type: ignore[no-untyped-def]
    host = f"[{ip}]" if ip.version == 6 else str(ip)
    assert only_this_computer(f"http://{host}:5000") == ip.is_loopback


@pytest.mark.parametrize(
    ("url", "here"),
    [
        ("http://localhost:5000", True),
        ("http://app.localhost", True),
        ("https://tavolo.example.org", False),
        ("http://192.168.1.20:5000", False),
    ],
)
def test_names_that_open_only_here(url: str, here: bool) -> None:
    assert only_this_computer(url) is here


@pytest.mark.parametrize(
    ("base", "warned"), [("http://127.0.0.1:5000", True), ("http://192.168.1.20:5000", False)]
)
def test_the_people_page_and_the_links_say_where_they_open(  # type: ignore[no-untyped-def]
    app, make, base: str, warned: bool
) -> None:
    app.config["BASE_URL"] = base
    workshop = make.workshop()
    _, token = make.member(workshop, Role.FACILITATOR)
    guest, _ = make.member(workshop, name="Anna Rossi")
    client = app.test_client()
    login(client, token)
    members = client.get(f"/workshops/{workshop.id}/members").get_data(as_text=True)
    renewed = client.post(f"/workshops/{workshop.id}/members/{guest.id}/link").get_data(
        as_text=True
    )
    for page in (members, renewed):
        assert ("si aprono solo da questo computer" in page) is warned
    assert f"{base}{people.ENTER_PATH}" in renewed
