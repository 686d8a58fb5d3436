"""A hard word limit: a typed change that takes the section past it is refused before
it is acknowledged; cutting always goes through, also below a limit lowered later."""

from __future__ import annotations

from app.realtime.client import TavoloClient
from tests.realtime.conftest import Doc, World
from tests.realtime.helpers import wait_until


def _limited(world: World, body: str, limit: int) -> Doc:
    doc = world.document(body)
    world.server.sql(
        "UPDATE section SET word_limit = ?, word_limit_hard = 1 WHERE id = ?",
        limit,
        doc.section_id,
    )
    return doc


def _refusals(client: TavoloClient) -> list[dict]:
    return [e for e in client.errors if e["code"] == "words_over_limit"]


def test_typing_past_a_hard_limit_is_refused_and_the_text_stays(world: World) -> None:
    doc = _limited(world, "Uno due tre.", 5)
    client = TavoloClient(world.links["participant"])
    try:
        client.join(doc.id)
        client.insert(doc.section_id, 12, " Quattro cinque.")
        client.wait_synced()
        assert world.body(doc) == "Uno due tre. Quattro cinque."
        client.insert(doc.section_id, 28, " Sei.")
        wait_until(lambda: _refusals(client))
        client.wait_synced()
        assert "limite rigido di 5 parole" in _refusals(client)[0]["message"]
        assert client.text(doc.section_id) == world.body(doc) == "Uno due tre. Quattro cinque."
        # Rewording within the limit and cutting still go through.
        client.delete(doc.section_id, 0, 3)
        client.insert(doc.section_id, 0, "Dieci")
        client.wait_synced()
        assert world.body(doc) == "Dieci due tre. Quattro cinque."
        assert client.connected
    finally:
        client.close()


def test_a_text_over_a_limit_set_later_can_still_be_cut(world: World) -> None:
    doc = _limited(world, "Uno due tre quattro cinque sei sette.", 3)
    client = TavoloClient(world.links["participant"])
    try:
        client.join(doc.id)
        client.delete(doc.section_id, 0, 4)
        client.wait_synced()
        assert world.body(doc) == "due tre quattro cinque sei sette."
        assert _refusals(client) == []
    finally:
        client.close()
