"""Several real clients editing the same sections through a real server: every replica
and the database end with the same text, and nothing anyone typed is lost or doubled."""

from __future__ import annotations

import os
import random
import re
import threading
import time

import requests

from app.realtime.client import TavoloClient, enter
from tests.realtime.conftest import Doc, World
from tests.realtime.helpers import settle, wait_until

TOKEN = re.compile(r"⟦w\d+\.\d+⟧")
FILLER = ["è ", "perché ", "😀", "città ", "🇮🇹", "a", "\n", "«sì» ", "e\u0301", "👩‍👩‍👧 ", "ß"]
STRESS_SECONDS = float(os.environ.get("TAVOLO_LIVE_STRESS_SECONDS", "60"))


def _joined(world: World, persona: str, doc: Doc) -> TavoloClient:
    client = TavoloClient(world.links[persona])
    client.join(doc.id)
    return client


def test_three_clients_converge_on_accented_and_emoji_text(world: World) -> None:
    doc = world.document("Premessa: la città è 😀 nostra.")
    clients = [_joined(world, persona, doc) for persona in ("facilitator", "writer1", "writer2")]
    try:
        facilitator, first, second = clients
        assert all(c.text(doc.section_id) == "Premessa: la città è 😀 nostra." for c in clients)
        # Code points: index 23 is right after the emoji and its space.
        first.insert(doc.section_id, 23, "«sì» ")
        second.delete(doc.section_id, 0, 10)
        with facilitator.paused():
            facilitator.insert(doc.section_id, len(facilitator.text(doc.section_id)), " 🇮🇹")
        settle(clients)
        texts = {c.text(doc.section_id) for c in clients}
        assert texts == {"la città è 😀 «sì» nostra. 🇮🇹"}
        assert world.body(doc) == "la città è 😀 «sì» nostra. 🇮🇹"
        assert [c.sections() for c in clients] == [[(doc.section_id, "Introduzione")]] * 3
    finally:
        for client in clients:
            client.close()


def test_the_initial_text_is_seeded_once_for_everyone(world: World) -> None:
    """Two people opening a section at the same moment must not get the text twice."""
    doc = world.document("Una sola volta.")
    clients = [TavoloClient(world.links[p]) for p in ("writer3", "writer4", "participant")]
    joins = [threading.Thread(target=c.join, args=(doc.id,)) for c in clients]
    try:
        for thread in joins:
            thread.start()
        for thread in joins:
            thread.join()
        settle(clients)
        assert {c.text(doc.section_id) for c in clients} == {"Una sola volta."}
        seeds = world.server.sql(
            "SELECT COUNT(*) FROM section_update WHERE section_id = ? AND person_id IS NULL",
            doc.section_id,
        )
        assert seeds == [(1,)]
    finally:
        for client in clients:
            client.close()


def _position(text: str, rng: random.Random) -> int:
    """A random place that is not inside a token."""
    position = rng.randint(0, len(text))
    for match in TOKEN.finditer(text):
        if match.start() < position < match.end():
            return match.end()
    return position


def _filler_range(text: str, rng: random.Random) -> tuple[int, int] | None:
    gaps, start = [], 0
    for match in TOKEN.finditer(text):
        gaps.append((start, match.start()))
        start = match.end()
    gaps.append((start, len(text)))
    gaps = [(a, b) for a, b in gaps if b > a]
    if not gaps:
        return None
    a, b = rng.choice(gaps)
    begin = rng.randint(a, b - 1)
    return begin, rng.randint(1, min(6, b - begin))


def _type(client: TavoloClient, section_id: int, number: int, stop_at: float) -> list[str]:
    """Types tokens and filler, and deletes filler only: a token, once sent, must end up
    in the text exactly once whatever the others do meanwhile."""
    rng, tokens = random.Random(number), []
    while time.monotonic() < stop_at:
        with client.paused():
            text = client.text(section_id)
            roll = rng.random()
            if roll < 0.3:
                tokens.append(f"⟦w{number}.{len(tokens)}⟧")
                client.insert(section_id, _position(text, rng), tokens[-1])
            elif roll < 0.75 or (span := _filler_range(text, rng)) is None:
                client.insert(section_id, _position(text, rng), rng.choice(FILLER))
            else:
                client.delete(section_id, *span)
        # Brisk typing: ten changes a second each, several times a person's pace.
        time.sleep(rng.uniform(0.05, 0.15))
    return tokens


def test_eight_clients_typing_at_once_converge_byte_for_byte(world: World) -> None:
    doc = world.document("Testo di partenza.\n")
    clients = [_joined(world, f"writer{i}", doc) for i in range(1, 9)]
    tokens: dict[int, list[str]] = {}
    stop_at = time.monotonic() + STRESS_SECONDS

    def run(number: int) -> None:
        tokens[number] = _type(clients[number - 1], doc.section_id, number, stop_at)

    typists = [threading.Thread(target=run, args=(n,)) for n in range(1, 9)]
    try:
        for thread in typists:
            thread.start()
        for thread in typists:
            thread.join()
        settle(clients)
        final = world.body(doc)
        assert [c.text(doc.section_id) for c in clients] == [final] * 8
        sent = [token for number in tokens for token in tokens[number]]
        assert len(sent) > 8
        assert sorted(TOKEN.findall(final)) == sorted(sent)
        assert all(c.errors == [] for c in clients)
        (first, last, count), = world.server.sql(
            "SELECT MIN(seq), MAX(seq), COUNT(*) FROM section_update WHERE section_id = ?",
            doc.section_id,
        )
        assert (first, last) == (1, count)
        # Continuous typing is one revision per person, not one per keystroke.
        authors = world.server.sql(
            "SELECT author_id FROM revision WHERE section_id = ?", doc.section_id
        )
        assert len(authors) == len(set(authors)) == 8
    finally:
        for client in clients:
            client.close()


def test_a_paste_up_to_the_section_limit_goes_through(world: World) -> None:
    """The longest text a section takes (SECTION_MAX_BYTES, 150 KiB of UTF-8, about 70
    pages), pasted at once; one byte more is refused (tests/realtime/test_bounded_work.py)."""
    doc = world.document("Prima.")
    writer, reader = _joined(world, "writer5", doc), _joined(world, "observer", doc)
    room = 150 * 1024 - len(b"Prima.\n")
    pasted = ("Un paragrafo lungo, con accenti: àèìòù, e un 😀. " * 4_000)[:room]
    while len(pasted.encode()) > room:
        pasted = pasted[:-1]
    try:
        writer.replace(doc.section_id, "Prima.\n" + pasted)
        writer.wait_synced(60)
        wait_until(lambda: reader.text(doc.section_id) == "Prima.\n" + pasted, timeout=60)
        assert world.body(doc) == "Prima.\n" + pasted
        assert writer.errors == []
    finally:
        writer.close()
        reader.close()


def test_presence_shows_names_colours_and_places(world: World) -> None:
    doc = world.document("Chi c'è?")
    writer, observer = _joined(world, "writer6", doc), _joined(world, "observer", doc)
    cursor = {
        "anchor": {"tname": "body", "item": {"client": 7, "clock": 1}, "assoc": 0},
        "head": {"tname": "body", "assoc": -1},
    }
    try:
        writer.set_presence(doc.section_id, cursor, idle=False)
        observer.set_presence(None, idle=True)

        def seen() -> dict[str, dict]:
            return {p["name"]: p for p in writer.presence.get(doc.id, [])}

        wait_until(lambda: seen().get("Oscar Orsini", {}).get("idle") is True)
        wait_until(lambda: seen().get("Scrittrice 6 Àèìòù", {}).get("section_id") == doc.section_id)
        people = seen()
        assert people["Scrittrice 6 Àèìòù"]["cursor"] == cursor
        assert people["Oscar Orsini"]["section_id"] is None
        assert people["Oscar Orsini"]["color"] != people["Scrittrice 6 Àèìòù"]["color"]
        observer.close()
        wait_until(lambda: "Oscar Orsini" not in seen())
    finally:
        writer.close()
        observer.close()


class _PresenceLog(TavoloClient):
    """Keeps the presence messages as they arrive on the wire."""

    def _on_presence(self, payload: dict) -> None:
        self.received = [*getattr(self, "received", []), payload]
        super()._on_presence(payload)


def test_presence_sends_the_whole_list_once_then_only_changes(world: World) -> None:
    doc = world.document("Chi arriva?")
    first = _PresenceLog(world.links["writer7"])
    second = _PresenceLog(world.links["writer8"])
    try:
        first.join(doc.id)
        wait_until(lambda: len(first.presence.get(doc.id, [])) == 1)
        second.join(doc.id)
        wait_until(lambda: len(first.presence.get(doc.id, [])) == 2)
        wait_until(lambda: len(second.presence.get(doc.id, [])) == 2)
        [full] = [m for m in second.received if m.get("full")]
        assert {p["name"] for p in full["people"]} == {"Scrittrice 7 Àèìòù", "Scrittrice 8 Àèìòù"}
        # The one already there hears of the newcomer alone, not the whole list again.
        assert [p["name"] for p in first.received[-1]["people"]] == ["Scrittrice 8 Àèìòù"]
        assert not first.received[-1].get("full")
        at_end = {"tname": "body", "assoc": 0}
        second.set_presence(doc.section_id, {"anchor": at_end, "head": at_end})
        wait_until(lambda: any(p.get("section_id") for p in first.presence[doc.id]))
        assert [p["name"] for p in first.received[-1]["people"]] == ["Scrittrice 8 Àèìòù"]
        second.close()
        wait_until(lambda: len(first.presence[doc.id]) == 1)
        assert first.received[-1]["people"] == [] and len(first.received[-1]["gone"]) == 1
    finally:
        first.close()
        second.close()


def test_a_section_locked_from_the_page_is_locked_for_editors_at_once(world: World) -> None:
    """The facilitator's page (POST /sections/<id>/state) tells every editor in the room
    through `section_state`; the next keystroke is kept as a proposal, not applied."""
    doc = world.document("Da chiudere.")
    writer = _joined(world, "participant", doc)
    page = requests.Session()
    try:
        enter(page, world.links["facilitator"])
        html = page.get(f"{world.base_url}/documents/{doc.id}", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert token is not None
        response = page.post(
            f"{world.base_url}/sections/{doc.section_id}/state",
            data={"state": "locked", "csrf_token": token[1]},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code in (302, 303), response.status_code
        wait_until(lambda: doc.section_id in writer.section_states)
        assert writer.section_states[doc.section_id] == {
            "section_id": doc.section_id, "state": "locked", "editable": False,
            "document_status": "draft",
        }
        writer.insert(doc.section_id, 0, "Troppo tardi. ")
        wait_until(lambda: len(writer.resets) == 1)
        assert world.body(doc) == "Da chiudere."
    finally:
        writer.close()
        page.close()
