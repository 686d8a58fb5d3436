"""Per-address limits behind a reverse proxy count people, not the proxy, and nobody
else can choose the address they are counted as."""

from __future__ import annotations

import pytest

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.web.proxies import client_address, parse_networks

PROXY = "10.0.0.5"
NETWORKS = parse_networks(f"{PROXY}, 172.16.0.0/12")


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "203.0.113.7", "203.0.113.7"),
        # What the client wrote itself is left of the hop our proxy added.
        (PROXY, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        (PROXY, "203.0.113.7, 172.16.3.4", "203.0.113.7"),
        (PROXY, "", PROXY),
        (PROXY, "not-an-address", PROXY),
        # From anyone but our proxies the header is ignored.
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),
    ],
)
def test_the_client_is_the_nearest_hop_that_is_not_ours(
    remote: str, forwarded: str, expected: str
) -> None:
    assert client_address(remote, forwarded, NETWORKS) == expected


def test_a_malformed_proxy_setting_stops_the_start() -> None:
    with pytest.raises(ValueError):
        parse_networks("10.0.0.5, dieci")


def _wrong_links(client, remote: str, forwarded: str, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    return [
        client.get(
            f"/i/sbagliato{n}",
            environ_base={"REMOTE_ADDR": remote},
            headers={"X-Forwarded-For": forwarded},
        ).status_code
        for n in range(count)
    ]


def test_one_persons_wrong_links_behind_the_proxy_lock_out_only_them(tmp_path) -> None:
    app = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'p.db'}",
        TRUSTED_PROXIES=PROXY,
    )
    with app.app_context():
        db.create_all()
        client = app.test_client()
        assert _wrong_links(client, PROXY, "203.0.113.7", 21)[-1] == 429
        assert _wrong_links(client, PROXY, "203.0.113.8", 1) == [404]
        # Forging the header from outside the proxy buys no fresh budget.
        assert _wrong_links(client, "198.51.100.1", "192.0.2.1", 21)[-1] == 429
        assert _wrong_links(client, "198.51.100.1", "192.0.2.2", 1) == [429]
        db.engine.dispose()
