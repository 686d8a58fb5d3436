"""Who a request comes from, when Tavolo runs behind reverse proxies.

Per-address limits (wrong invitation links) must count people, not the proxy: behind
one, every request comes from its address, and twenty wrong links would lock everyone
out. But X-Forwarded-For is written by whoever sends the request, so it is believed only
from the proxies the deployment names (TRUSTED_PROXIES); from anyone else it is ignored."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(setting: str) -> list[Network]:
    """"10.0.0.5, 192.168.1.0/24" → networks; a malformed entry stops the start-up, since
    a proxy silently not trusted would lock a room out later."""
    return [ipaddress.ip_network(part.strip(), strict=False)
            for part in setting.split(",") if part.strip()]


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _within(address: str, networks: Iterable[Network]) -> bool:
    ip = _address(address)
    return ip is not None and any(ip in network for network in networks)


def client_address(remote: str, forwarded_for: str, networks: list[Network]) -> str:
    """The nearest address in the chain that is not one of our proxies. Walking from the
    right, every hop up to there was added by a proxy we trust; anything further left
    was written by the client and may be forged."""
    if not _within(remote, networks):
        return remote
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _within(hop, networks):
            return hop if _address(hop) is not None else remote
    return remote


class TrustedProxies:
    """WSGI middleware: REMOTE_ADDR (and the scheme) as the trusted proxies report them."""

    def __init__(self, app: Any, networks: list[Network]) -> None:
        self.app = app
        self.networks = networks

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        remote = environ.get("REMOTE_ADDR", "")
        if _within(remote, self.networks):
            environ["REMOTE_ADDR"] = client_address(
                remote, environ.get("HTTP_X_FORWARDED_FOR", ""), self.networks
            )
            scheme = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if scheme in ("http", "https"):
                environ["wsgi.url_scheme"] = scheme
        return self.app(environ, start_response)
