"""A relay tick waits for the updates that arrived before it, within a bound."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask_socketio import SocketIO, SocketIOTestClient, join_room

from app.core.sync import from_wire
from app.realtime.batching import Batcher, document_room
from app.realtime.presence import Registry
from tests.realtime.helpers import wait_until

DOCUMENT, SECTION = 1, 10
TICK = 0.05


@pytest.fixture
def room() -> Iterator[tuple[SocketIO, SocketIOTestClient]]:
    """A bare Socket.IO server whose one client reads the document's room."""
    server = Flask(__name__)
    socketio = SocketIO(server, async_mode="threading")
    socketio.on_event("connect", lambda auth=None: join_room(document_room(DOCUMENT)))
    client = socketio.test_client(server)
    yield socketio, client
    client.disconnect()


def _relayed(client: SocketIOTestClient) -> list[bytes]:
    return [
        from_wire(update)
        for message in client.get_received()
        if message["name"] == "updates"
        for update in message["args"][0]["updates"]
    ]


def _arrives(client: SocketIOTestClient, update: bytes) -> None:
    seen: list[bytes] = []

    def arrived() -> bool:
        seen.extend(_relayed(client))
        return update in seen

    wait_until(arrived, timeout=5)


def _ticking(batcher: Batcher, client: SocketIOTestClient) -> None:
    batcher.update(DOCUMENT, SECTION, b"first", None)
    _arrives(client, b"first")


def test_a_tick_waits_for_an_update_that_arrived_before_it(room) -> None:  # type: ignore[no-untyped-def]
    socketio, client = room
    batcher = Batcher(socketio, Registry(), TICK, write_wait=10.0)
    _ticking(batcher, client)
    with batcher.awaited():
        batcher.update(DOCUMENT, SECTION, b"second", None)
        # Six ticks' time: none leaves while the update is still being written.
        socketio.sleep(6 * TICK)
        assert _relayed(client) == []
    _arrives(client, b"second")


def test_a_tick_leaves_without_an_update_that_takes_too_long(room) -> None:  # type: ignore[no-untyped-def]
    socketio, client = room
    batcher = Batcher(socketio, Registry(), TICK, write_wait=TICK)
    _ticking(batcher, client)
    with batcher.awaited():
        batcher.update(DOCUMENT, SECTION, b"second", None)
        _arrives(client, b"second")
