"""Yjs updates no editor writes, made byte by byte for the tests of what the server
accepts."""

from __future__ import annotations

from app.core.sync import var_uint as uint


def deletion(ranges: dict[int, list[tuple[int, int]]]) -> bytes:
    """An update holding only a delete set, as Yjs encodes one (format v1): no struct
    groups, then for each client id its (clock, length) ranges. Nothing says the items
    exist: a replica keeps a deletion of items it lacks until they arrive."""
    out = bytearray(uint(0) + uint(len(ranges)))
    for client, pairs in ranges.items():
        out += uint(client) + uint(len(pairs))
        for clock, length in pairs:
            out += uint(clock) + uint(length)
    return bytes(out)


def text_group(client: int, origin: tuple[int, int], text: str) -> bytes:
    """A struct group (without the update's count of groups): one string item at clock 0
    of `client`, written to the right of the item `origin` (client, clock)."""
    data = text.encode()
    struct = bytes([0x84]) + uint(origin[0]) + uint(origin[1]) + uint(len(data)) + data
    return uint(1) + uint(client) + uint(0) + struct
