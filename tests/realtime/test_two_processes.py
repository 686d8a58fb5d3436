"""Two server processes on one database, as in a deployment with several processes: each
catches up with what the other wrote, they never give two updates the same number, and
people connected to different processes end with the same text."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from app.realtime.client import TavoloClient
from tests.realtime.conftest import World
from tests.realtime.helpers import TOKEN, settle, typing_tokens
from tests.realtime.server import LiveServer


@pytest.fixture
def second(world: World) -> Iterator[LiveServer]:
    server = LiveServer(world.server.instance)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _via(server: LiveServer, link: str) -> str:
    """The same invitation, entered through another process."""
    return server.base_url + link[link.index("/i/"):]


def test_people_on_two_processes_share_one_history(world: World, second: LiveServer) -> None:
    doc = world.document("Due processi, un testo.\n")
    clients = [
        TavoloClient(world.links["writer7"]),
        TavoloClient(_via(second, world.links["writer8"])),
    ]
    joins = [threading.Thread(target=c.join, args=(doc.id,)) for c in clients]
    for thread in joins:
        thread.start()
    for thread in joins:
        thread.join()
    try:
        with typing_tokens(clients, doc.section_id) as typed:
            time.sleep(4)
        settle(clients)
        text = world.body(doc)
        assert [c.text(doc.section_id) for c in clients] == [text, text]
        assert text.startswith("Due processi, un testo.\n")
        assert sorted(TOKEN.findall(text)) == sorted(typed[0] + typed[1])
        (first, last, count, seeds), = world.server.sql(
            "SELECT MIN(seq), MAX(seq), COUNT(*), SUM(person_id IS NULL) FROM section_update"
            " WHERE section_id = ?",
            doc.section_id,
        )
        assert (first, last, seeds) == (1, count, 1)
    finally:
        for client in clients:
            client.close()
