"""The authorization matrix of the live channel: every event the server registers × every
kind of person, on a draft document with an open section. The event list is read from
the Socket.IO server's own handler table, so an event added without an entry here fails
the suite (as a route without a rule fails tests/web/test_authorization_matrix.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from app import create_app
from app.config import TestConfig
from app.core.sync import to_wire
from app.realtime.client import LiveError, Replica, TavoloClient
from app.web.channel import socketio
from tests.realtime.conftest import Doc, World
from tests.web.authz import LEVELS, PERSONAS

Probe = Callable[[TavoloClient, Doc, str], bool]

# Who gets through, per event. "anonymous" is a public reader (no login); "revoked" was a
# facilitator who logged in before losing access; "uninvited" belongs to another workshop;
# "other_link" is this workshop's facilitator, entered through their other workshop's link.
EXPECTED: dict[str, frozenset[str]] = {
    "connect": LEVELS["public"],
    "disconnect": LEVELS["public"],
    "join": LEVELS["observer"],
    "leave": LEVELS["observer"],
    "sync": LEVELS["observer"],
    "update": LEVELS["participant"],
    "awareness": LEVELS["observer"],
}
# Refusal codes that say "not for you"; anything else (server_error…) is a bug.
REFUSALS = {"not_found", "revoked", "forbidden", "not_joined", "disconnected", "logged_out"}


def test_every_registered_event_has_an_entry(tmp_path) -> None:  # type: ignore[no-untyped-def]
    create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'e.db'}")
    assert set(socketio.server.handlers["/"]) == set(EXPECTED)


def _answer(reply: dict) -> bool:
    if not reply["ok"]:
        assert reply["error"]["code"] in REFUSALS, reply
    return bool(reply["ok"])


def _try_join(client: TavoloClient, doc: Doc) -> None:
    """Joins if allowed, so that the event under test is refused for what it is."""
    try:
        client.join(doc.id)
    except LiveError as refused:
        assert refused.code in REFUSALS, refused


def _connect(client: TavoloClient, doc: Doc, persona: str) -> bool:
    return client.connected


def _disconnect(client: TavoloClient, doc: Doc, persona: str) -> bool:
    client.close()
    client.connect()
    return client.connected


def _join(client: TavoloClient, doc: Doc, persona: str) -> bool:
    try:
        client.join(doc.id)
    except LiveError as refused:
        assert refused.code in REFUSALS, refused
        return False
    return True


def _after_join(event: str, payload: Callable[[Doc, str], dict]) -> Probe:
    def probe(client: TavoloClient, doc: Doc, persona: str) -> bool:
        _try_join(client, doc)
        try:
            return _answer(client.request(event, payload(doc, persona)))
        except LiveError as refused:
            assert refused.code in REFUSALS, refused
            return False

    return probe


def _update(doc: Doc, persona: str) -> dict:
    # An insertion into an empty replica depends on nothing: valid against any text.
    update = Replica().insert(0, f"[{persona}]")
    return {"section_id": doc.section_id, "update": to_wire(update), "client_id": persona, "seq": 1}


PROBES: dict[str, Probe] = {
    "connect": _connect,
    "disconnect": _disconnect,
    "join": _join,
    "leave": _after_join("leave", lambda doc, _: {"document_id": doc.id}),
    "sync": _after_join(
        "sync", lambda doc, _: {"section_id": doc.section_id, "state_vector": to_wire(b"\x00")}
    ),
    "update": _after_join("update", _update),
    "awareness": _after_join(
        "awareness", lambda doc, _: {"section_id": doc.section_id, "state": {"idle": False}}
    ),
}


@pytest.fixture(scope="module")
def people(world: World) -> Iterator[tuple[dict[str, TavoloClient], Doc]]:
    doc = world.document("Matrice.")
    # Leading a lab changes no live event: a lead writes as the participant they are.
    world.lead("lead", doc)
    world.lead("lead_elsewhere", world.document())
    clients = {
        persona: TavoloClient.reader(world.base_url)
        if persona == "anonymous"
        else TavoloClient(world.links[persona])
        for persona in PERSONAS
    }
    # Revoked after logging in: the session cookie still names the person.
    world.revoke("revoked")
    for client in clients.values():
        client.close()
    yield clients, doc


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("event", sorted(EXPECTED))
def test_matrix(people, world: World, event: str, persona: str) -> None:  # type: ignore[no-untyped-def]
    clients, doc = people
    client = clients[persona]
    client.connect()
    try:
        allowed = PROBES[event](client, doc, persona)
    finally:
        client.close()
    verdict = "let in" if allowed else "refused"
    assert allowed == (persona in EXPECTED[event]), f"{persona} {verdict}"
    if event == "update":
        assert (f"[{persona}]" in world.body(doc)) == allowed
