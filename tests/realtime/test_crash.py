"""The server dies in the middle of a session: what people typed before, during and after
the outage ends up everywhere, once. Acknowledged updates are on disk (SQLite with
synchronous=FULL); the rest waits in the clients and is sent again on reconnection."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from app.realtime.client import TavoloClient
from tests.fuzzing import LONG
from tests.realtime.conftest import Doc, World, started
from tests.realtime.helpers import TOKEN, settle, typing_tokens


def _joined(world: World, doc: Doc, writers: tuple[int, ...]) -> list[TavoloClient]:
    clients = [TavoloClient(world.links[f"writer{n}"]) for n in writers]
    for client in clients:
        client.join(doc.id)
    return clients


@pytest.fixture
def world(tmp_path) -> Iterator[World]:  # type: ignore[no-untyped-def]
    # Frequent snapshots, so that the restarted server loads from snapshot plus log.
    yield from started(tmp_path, LIVE_SNAPSHOT_EVERY="5")


def test_nothing_typed_around_a_crash_is_lost_or_doubled(world: World) -> None:
    doc = world.document("Prima del guasto.\n")
    clients = _joined(world, doc, (1, 2))
    with typing_tokens(clients, doc.section_id) as typed:
        time.sleep(1)
        world.server.kill()
        time.sleep(0.5)
        world.server.start()
        time.sleep(1)
    settle(clients, 60)

    text = world.body(doc)
    assert [c.text(doc.section_id) for c in clients] == [text, text]
    assert sorted(TOKEN.findall(text)) == sorted(typed[0] + typed[1])
    assert text.startswith("Prima del guasto.\n")
    for client in clients:
        client.close()


# The thirty kills the promise names (docs/security.md) take about two and a half minutes
# here, so `make test` kills five times and `make fuzz` thirty.
KILLS = 30 if LONG else 5


def test_many_kills_lose_and_double_nothing(world: World) -> None:
    """Killed again and again while two people type: each restart loads from snapshot
    plus log, the clients reconnect and send what was not acknowledged, and in the end
    every token is there once and the database file is sound."""
    doc = world.document("Prima dei guasti.\n")
    clients = _joined(world, doc, (3, 4))
    with typing_tokens(clients, doc.section_id) as typed:
        for _ in range(KILLS):
            time.sleep(0.4)
            world.server.kill()
            world.server.start()
    settle(clients, 60)

    text = world.body(doc)
    tokens = TOKEN.findall(text)
    assert sorted(tokens) == sorted(typed[0] + typed[1])
    assert len(tokens) == len(set(tokens))
    assert [c.text(doc.section_id) for c in clients] == [text, text]
    assert world.server.sql("PRAGMA integrity_check") == [("ok",)]
    print(f"\n{KILLS} kills, {len(tokens)} edits acknowledged, lost 0, duplicated 0")
    for client in clients:
        client.close()
