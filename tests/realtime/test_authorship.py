"""An update is bound to its author: nobody can write under another connection's Yjs
client id, which would replace that person's next keystroke on the server while their
own editor kept it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pycrdt import merge_updates

from app.core.sync import MAX_NEW_CLIENT_IDS, decode_state_vector, from_wire, to_wire
from app.realtime.client import Replica, TavoloClient
from tests.forged_updates import deletion
from tests.realtime.conftest import World


@contextmanager
def _writers(world: World, doc_id: int, *personas: str) -> Iterator[list[TavoloClient]]:
    """The personas, each joined to the document, closed whatever the test does."""
    clients: list[TavoloClient] = []
    try:
        for persona in personas:
            clients.append(TavoloClient(world.links[persona]))
            clients[-1].join(doc_id)
        yield clients
    finally:
        for client in clients:
            client.close()


def _forged(attacker: TavoloClient, section_id: int, client_id: int, text: str) -> bytes:
    """An insertion at the start of the server's text under someone else's client id,
    at that id's next clock."""
    reply = attacker.request("sync", {"section_id": section_id, "state_vector": to_wire(b"\x00")})
    forger = Replica(client_id=client_id)
    forger.apply(from_wire(reply["update"]))
    forged = forger.insert(0, text)
    assert forged is not None
    return forged


def test_an_update_under_anothers_client_id_is_refused_and_theirs_survives(
    world: World,
) -> None:
    doc = world.document("Testo comune.")
    section = doc.section_id
    with _writers(world, doc.id, "writer1", "writer2") as (victim, attacker):
        victim.insert(section, 0, "Prima. ")
        victim.wait_synced()
        # The victim's next keystroke is made but not sent yet; the attacker, who saw
        # the victim's client id in the relayed update, writes under it first.
        replica = victim._replica(section)
        with victim.paused():
            pending = replica.insert(len(replica.text()), " Vittima.")
        assert pending is not None
        forged = _forged(attacker, section, replica.doc.client_id, "FALSO ")
        reply = attacker.request(
            "update", {"section_id": section, "update": to_wire(forged), "client_id": "x", "seq": 1}
        )
        with victim.paused():
            victim._send(section, pending)
        victim.wait_synced()
        attacker.wait_synced()

        assert world.body(doc) == "Prima. Testo comune. Vittima."
        assert victim.text(section) == attacker.text(section) == world.body(doc)
        assert reply["ok"] is False
        assert reply["error"]["code"] == "foreign_client"
        assert "altra persona" in reply["error"]["message"]
        assert victim.connected and attacker.connected


def test_a_replay_of_anothers_stored_update_changes_nothing(world: World) -> None:
    """Items the server has already are not new writing: a client that sends what the
    server lacked, computed against a state vector already a little old, repeats them."""
    doc = world.document("Base.")
    section = doc.section_id
    with _writers(world, doc.id, "writer3", "writer4") as (author, other):
        author.insert(section, 0, "Mio. ")
        author.wait_synced()
        stored = author._replica(section).doc.get_update()
        reply = other.request(
            "update", {"section_id": section, "update": to_wire(stored), "client_id": "y", "seq": 1}
        )
        other.wait_synced()
        assert reply == {"ok": True, "seq": 1}
        assert world.body(doc) == "Mio. Base."
        assert author.text(section) == other.text(section) == world.body(doc)


def _send(client: TavoloClient, section_id: int, update: bytes) -> dict:
    return client.request(
        "update", {"section_id": section_id, "update": to_wire(update), "client_id": "z", "seq": 1}
    )


def _server_clock(client: TavoloClient, section_id: int, client_id: int) -> int:
    reply = client.request("sync", {"section_id": section_id, "state_vector": to_wire(b"\x00")})
    return decode_state_vector(from_wire(reply["state_vector"])).get(client_id, 0)


def test_deleting_anothers_text_before_they_write_it_is_refused_and_theirs_survives(
    world: World,
) -> None:
    """A replica keeps a deletion of items it does not hold yet and applies it when they
    arrive: a deletion under the victim's id, at clocks beyond what they wrote, would
    delete their next keystroke once it was acknowledged."""
    doc = world.document("Testo comune.")
    section = doc.section_id
    with _writers(world, doc.id, "writer5", "writer6") as (victim, attacker):
        victim.insert(section, 0, "Prima. ")
        victim.wait_synced()
        client_id = victim._replica(section).doc.client_id
        clock = _server_clock(attacker, section, client_id)
        reply = _send(attacker, section, deletion({client_id: [(clock, 1000)]}))
        attacker.wait_synced()
        victim.insert(section, len(victim.text(section)), " Vittima.")
        victim.wait_synced()
        attacker.wait_synced()

        assert world.body(doc) == "Prima. Testo comune. Vittima."
        assert victim.text(section) == attacker.text(section) == world.body(doc)
        assert reply["ok"] is False
        assert reply["error"]["code"] == "foreign_client"
        assert victim.connected and attacker.connected


def test_items_left_waiting_under_ones_own_id_never_reach_others_sync(world: World) -> None:
    """Yjs in the browser puts the updates it holds that still wait for missing changes
    into what its sync step sends (`Y.encodeStateAsUpdate`). Items an attacker leaves
    waiting under their own id for good, past a hole they never fill, would travel in
    every browser's sync as items under someone else's id, and be refused: the browser
    then reloads and loses the changes it kept offline. They are refused instead."""
    doc = world.document("Base.")
    section = doc.section_id
    with _writers(world, doc.id, "writer7", "writer8") as (victim, attacker):
        own = attacker._replica(section)
        with attacker.paused():
            own.insert(0, "[prima] ")
            after_hole = own.insert(0, "[dopo il buco] ")
        assert after_hole is not None
        reply = _send(attacker, section, after_hole)
        victim.wait_synced()

        # Offline, the victim writes; back online, its browser sends what the server's
        # state vector lacks, with whatever it holds still waiting.
        replica = victim._replica(section)
        with victim.paused():
            replica.insert(len(replica.text()), " Scritto offline.")
            state_vector = replica.state_vector()
        vector = victim.request(
            "sync", {"section_id": section, "state_vector": to_wire(state_vector)}
        )["state_vector"]
        with victim.paused():
            waiting = [update for update, _ in replica._waiting]
            diff = merge_updates(replica.doc.get_update(from_wire(vector)), *waiting)
        synced = _send(victim, section, diff)

        assert synced == {"ok": True, "seq": 1}
        assert reply["ok"] is False
        assert reply["error"]["code"] == "out_of_order"
        assert world.body(doc) == "Base. Scritto offline."


def test_an_update_sent_before_an_earlier_one_waits_for_it(world: World) -> None:
    """An earlier update refused for a passing reason (rate limit, server error) is sent
    again after a later one went through: the later one is refused for a moment, and
    both are stored once sent again in order."""
    doc = world.document("Base.")
    section = doc.section_id
    with _writers(world, doc.id, "writer1") as (writer,):
        replica = Replica()
        reply = writer.request("sync", {"section_id": section, "state_vector": to_wire(b"\x00")})
        replica.apply(from_wire(reply["update"]))
        first = replica.insert(len(replica.text()), " Uno")
        second = replica.delete(len(replica.text()) - 3, 3)
        assert first is not None and second is not None
        early = _send(writer, section, second)
        assert early["ok"] is False
        assert early["error"]["code"] == "out_of_order"
        assert _send(writer, section, first)["ok"] is True
        assert _send(writer, section, second)["ok"] is True
        assert world.body(doc) == "Base. "


def _from_new_writers(count: int) -> bytes:
    """Insertions at the start of the text, each under a client id never seen before."""
    return merge_updates(*(Replica().insert(0, "x") for _ in range(count)))


def test_an_update_bringing_dozens_of_new_client_ids_is_refused(world: World) -> None:
    """Each new id is bound with a commit of its own: one update naming thousands would
    hold the disk for seconds. A few new ids (offline work of several browser sessions)
    still go through."""
    doc = world.document("Testo.")
    with _writers(world, doc.id, "writer3") as (writer,):
        too_many = _from_new_writers(MAX_NEW_CLIENT_IDS + 1)
        flood = writer.request("update", {
            "section_id": doc.section_id, "update": to_wire(too_many), "client_id": "x", "seq": 1,
        })
        assert flood["error"]["code"] == "bad_request"
        assert world.body(doc) == "Testo."
        few = writer.request("update", {
            "section_id": doc.section_id, "update": to_wire(_from_new_writers(3)),
            "client_id": "x", "seq": 2,
        })
        assert few["ok"] is True
        body = world.body(doc)  # where unanchored insertions land is Yjs's to decide
        assert body.count("x") == 3 and body.replace("x", "") == "Testo."
