"""The address that links and QR codes carry. In the room the server is a laptop and
the readers are phones on the same Wi-Fi: a link to 127.0.0.1 opens nothing on a phone.
So when the server listens on every interface and nobody set BASE_URL, links carry the
laptop's address on the local network."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

EVERY_INTERFACE = frozenset({"0.0.0.0", "::", ""})
# A documentation address (RFC 5737): connecting a UDP socket towards it sends nothing
# and needs no internet, but makes the kernel pick the interface of the default route.
_PROBE = ("192.0.2.1", 9)


def lan_address() -> str | None:
    """The laptop's IPv4 address on the local network, or None when it has none."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_PROBE)
            address = probe.getsockname()[0]
        if _reachable(address):
            return address
    except OSError:
        pass  # no default route: a laptop that is itself the room's hotspot, say
    try:
        found = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return None
    return next((str(info[4][0]) for info in found if _reachable(str(info[4][0]))), None)


def _reachable(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not (ip.is_loopback or ip.is_unspecified or ip.is_link_local)


def base_url(host: str, port: int) -> tuple[str, tuple[str, ...]]:
    """The address of the links, and every origin of this server's own pages: when the
    server chose a network address, the laptop's own browser may still open it as
    localhost, and its live connection must not be refused."""
    if host in EVERY_INTERFACE and (address := lan_address()):
        here = tuple(f"http://{name}:{port}" for name in ("127.0.0.1", "localhost"))
        return f"http://{address}:{port}", (f"http://{address}:{port}", *here)
    shown = "127.0.0.1" if host in EVERY_INTERFACE else host
    url = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
    return url, (url,)


def only_this_computer(url: str) -> bool:
    """Links that a phone in the room cannot open: they point at the laptop itself."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
