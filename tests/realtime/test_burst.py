"""A room arriving at once: the server's listening queue is the one configured, a hundred
people joining together all get the same text, and the answer they share is never older
than what each of them must see (see Store.answer)."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator

import pytest
import requests

from app.realtime.client import TavoloClient
from app.web.serving import kernel_backlog_limit
from tests.realtime.conftest import World
from tests.realtime.helpers import wait_until
from tests.realtime.server import LiveServer

ROOM = 100
PERSONAS = [*(f"writer{n}" for n in range(1, 9)), "participant", "observer"]
DEFAULT_BACKLOG = 1024


def _listening_queue(port: int) -> int:
    """The length of the port's listening queue, as the kernel reports it (`ss`: the
    Send-Q column of a listening socket)."""
    if shutil.which("ss") is None:
        pytest.skip("no ss command (Debian package iproute2, which `make system` installs)")
    listed = subprocess.run(
        ["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=True
    ).stdout.split()
    return int(listed[2])


def _kernel_limit() -> int:
    limit = kernel_backlog_limit()
    if limit is None:
        pytest.skip("the system does not say how long a listening queue may be (not Linux)")
    return limit


def test_the_default_queue_is_long_enough_for_a_room(world: World) -> None:
    assert _listening_queue(world.server.port) == min(DEFAULT_BACKLOG, _kernel_limit())


@pytest.mark.parametrize("over_the_limit", [False, True], ids=["configured", "above-kernel"])
def test_the_server_listens_with_the_configured_queue(world: World, over_the_limit: bool) -> None:
    """Above the kernel's limit the queue is the kernel's, and the start says so."""
    limit = _kernel_limit()
    asked = limit + 1 if over_the_limit else min(300, limit)
    server = LiveServer(world.server.instance, LISTEN_BACKLOG=str(asked))
    server.start()
    try:
        assert requests.get(f"{server.base_url}/healthz", timeout=30).status_code == 200
        assert _listening_queue(server.port) == min(asked, limit)
        assert ("net.core.somaxconn" in server.log_tail()) is over_the_limit
    finally:
        server.stop()


def test_a_bad_queue_length_stops_the_start_with_a_message(world: World) -> None:
    server = LiveServer(world.server.instance, LISTEN_BACKLOG="molte")
    with pytest.raises(RuntimeError, match="LISTEN_BACKLOG dev'essere un numero intero"):
        server.start()


def test_a_room_joining_at_once_gets_one_text(world: World) -> None:
    body = "Premessa della mattina.\n\nOgni persona deve leggere questo stesso testo.\n"
    doc = world.document(body)
    clients = [
        TavoloClient(world.links[PERSONAS[n % len(PERSONAS)]], timeout=120, connect=False)
        for n in range(ROOM)
    ]
    together = threading.Barrier(ROOM)
    failures: list[BaseException] = []

    def arrive(client: TavoloClient) -> None:
        try:
            together.wait()
            client.connect()
            client.join(doc.id)
        except BaseException as error:
            failures.append(error)

    arrivals = [threading.Thread(target=arrive, args=(client,)) for client in clients]
    try:
        for thread in arrivals:
            thread.start()
        for thread in arrivals:
            thread.join()
        assert failures == []
        assert {client.text(doc.section_id) for client in clients} == {body}
        # Everyone sees everyone: those who joined in the same tick got one list together.
        wait_until(lambda: all(len(c.presence.get(doc.id, [])) == ROOM for c in clients), 120)
    finally:
        for client in clients:
            client.close()


def test_who_joins_after_an_edit_gets_it(world: World) -> None:
    doc = world.document("Prima riga.\n")
    first = TavoloClient(world.links["writer1"])
    second = TavoloClient(world.links["writer2"])
    third = TavoloClient(world.links["writer3"])
    try:
        first.join(doc.id)
        second.join(doc.id)
        assert second.text(doc.section_id) == "Prima riga.\n"
        first.insert(doc.section_id, len("Prima riga.\n"), "Seconda riga.\n")
        first.wait_synced()
        third.join(doc.id)
        assert third.text(doc.section_id) == "Prima riga.\nSeconda riga.\n"
    finally:
        for client in (first, second, third):
            client.close()


@pytest.fixture
def elsewhere(world: World) -> Iterator[LiveServer]:
    """A second process on the same database, which relays nothing to the first: what
    the first shows of the other's edits comes from reading the log."""
    server = LiveServer(world.server.instance)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _via(server: LiveServer, link: str) -> str:
    return server.base_url + link[link.index("/i/") :]


def test_a_shared_answer_is_never_older_than_the_joiner(
    world: World, elsewhere: LiveServer
) -> None:
    """A joiner shares an answer only if the log was read after they entered the room;
    a connection that syncs again always has it read anew."""
    doc = world.document("Testo comune.\n")
    early = TavoloClient(world.links["writer4"])
    typist = TavoloClient(_via(elsewhere, world.links["writer5"]))
    late = TavoloClient(world.links["writer6"])
    try:
        early.join(doc.id)
        typist.join(doc.id)
        typist.insert(doc.section_id, 0, "Scritto altrove. ")
        typist.wait_synced()
        late.join(doc.id)
        assert late.text(doc.section_id) == "Scritto altrove. Testo comune.\n"
        typist.insert(doc.section_id, len(typist.text(doc.section_id)), "Ancora.")
        typist.wait_synced()
        assert early.text(doc.section_id) == "Testo comune.\n"
        early.wait_synced()
        assert early.text(doc.section_id) == "Scritto altrove. Testo comune.\nAncora."
    finally:
        for client in (early, typist, late):
            client.close()
