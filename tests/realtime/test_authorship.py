"""An update is bound to its author: nobody can write under another connection's Yjs
client id, which would replace that person's next keystroke on the server while their
own editor kept it."""

from __future__ import annotations

from app.core.sync import from_wire, to_wire
from app.realtime.client import Replica, TavoloClient
from tests.realtime.conftest import World


def _joined(world: World, persona: str, doc_id: int) -> TavoloClient:
    client = TavoloClient(world.links[persona])
    client.join(doc_id)
    return client


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
    victim = _joined(world, "writer1", doc.id)
    attacker = _joined(world, "writer2", doc.id)
    try:
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
    finally:
        victim.close()
        attacker.close()


def test_a_replay_of_anothers_stored_update_changes_nothing(world: World) -> None:
    """Items the server has already are not new writing: a client that sends what the
    server lacked, computed against a state vector already a little old, repeats them."""
    doc = world.document("Base.")
    section = doc.section_id
    author = _joined(world, "writer3", doc.id)
    other = _joined(world, "writer4", doc.id)
    try:
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
    finally:
        author.close()
        other.close()
