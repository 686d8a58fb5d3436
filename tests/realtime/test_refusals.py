"""What the server refuses, and that a refusal changes nothing, is relayed to nobody and
(except for a revoked person) keeps the connection open."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
import socketio
from pycrdt import Doc, Map

from app.core.sync import PROTOCOL_VERSION, to_wire
from app.realtime.client import LiveError, SocketClient, TavoloClient, enter
from tests.realtime.conftest import World, started
from tests.realtime.helpers import csrf_token, wait_until


def _joined(world: World, persona: str, doc_id: int) -> TavoloClient:
    client = TavoloClient(world.links[persona])
    client.join(doc_id)
    return client


def _codes(client: TavoloClient) -> list[str]:
    return [error["code"] for error in client.errors]


def test_an_observer_cannot_write_and_nothing_is_relayed(world: World) -> None:
    doc = world.document("Testo.")
    observer = _joined(world, "observer", doc.id)
    participant = _joined(world, "participant", doc.id)
    listener = _joined(world, "facilitator", doc.id)
    try:
        observer.insert(doc.section_id, 0, "Osservo: ")
        wait_until(lambda: "forbidden" in _codes(observer))
        observer.wait_synced()
        assert observer.text(doc.section_id) == "Testo."
        assert observer.errors[0]["event"] == "update"
        assert "ruolo" in observer.errors[0]["message"]
        # The participant's edit goes through after the refusal: once the listener has it,
        # it would also have anything relayed before it.
        with participant.paused():
            participant.insert(doc.section_id, len(participant.text(doc.section_id)), " Fine.")
        wait_until(lambda: listener.text(doc.section_id) == "Testo. Fine.")
        assert listener.relayed == {doc.section_id: 1}
        assert world.body(doc) == "Testo. Fine."
        assert observer.connected
    finally:
        for client in (observer, participant, listener):
            client.close()


def _foreign_root_update() -> bytes:
    doc = Doc()
    doc["altro"] = Map({"chiave": "valore"})
    return doc.get_update()


def test_malformed_payloads_are_refused_and_the_connection_stays(world: World) -> None:
    doc = world.document("Intatto.")
    client = _joined(world, "participant", doc.id)
    section = doc.section_id
    update = {"section_id": section, "client_id": "c", "seq": 1}
    bad = [
        ("join", None),
        ("join", "documento"),
        ("join", {"document_id": str(doc.id), "protocol": 1}),
        ("join", {"document_id": True, "protocol": 1}),
        ("join", {"document_id": doc.id}),
        ("join", {"document_id": doc.id, "protocol": 1, "extra": 1}),
        ("join", {"document_id": doc.id, "protocol": PROTOCOL_VERSION + 1}),
        ("sync", {"section_id": section, "state_vector": "AAE="}),
        ("sync", {"section_id": section, "state_vector": to_wire(b"\x02\x01")}),
        ("sync", {"section_id": section, "state_vector": "non è base64"}),
        ("sync", {"section_id": -section, "state_vector": to_wire(b"\x00")}),
        # Binary fields travel as base64 text only (protocol 2).
        ("sync", {"section_id": section, "state_vector": b"\x00"}),
        ("update", {**update, "update": b"\x00\x00"}),
        ("update", [section, to_wire(b"\x00\x00")]),
        ("update", {**update, "update": to_wire(b"\x00")}),
        ("update", {**update, "update": to_wire(b"\x01\x01\xff\xff\xff\x00\x04garbage")}),
        ("update", {**update, "update": to_wire(_foreign_root_update())}),
        ("update", {**update, "update": to_wire(b"\x00\x00"), "seq": -1}),
        ("update", {**update, "update": to_wire(b"\x00\x00"), "client_id": ""}),
        ("update", {"section_id": section, "update": to_wire(b"\x00\x00")}),
        ("awareness", {"section_id": section, "state": {"idle": "sì"}}),
        ("awareness", {"section_id": section, "state": {"cursor": [[[[[[[[1]]]]]]]]}}),
        # Let through before: plain JSON, but no cursor the editor could resolve.
        ("awareness", {"section_id": section, "state": {"cursor": {"anchor": 1, "head": 3}}}),
        ("awareness", {"section_id": section, "state": {"umore": "buono"}}),
        ("leave", {"document_id": None}),
    ]
    try:
        for event, payload in bad:
            reply = client.request(event, payload)
            assert reply["ok"] is False, (event, payload)
            assert reply["error"]["code"] == "bad_request", (event, payload, reply)
            assert reply["error"]["message"]
        assert _codes(client) == ["bad_request"] * len(bad)
        assert client.connected
        client.insert(section, len("Intatto."), " Sì.")
        client.wait_synced()
        assert world.body(doc) == client.text(section) == "Intatto. Sì."
    finally:
        client.close()


def test_an_oversized_update_is_refused_and_the_connection_stays(world: World) -> None:
    doc = world.document("Breve.")
    client = _joined(world, "participant", doc.id)
    try:
        client.replace(doc.section_id, "x" * (2 * 1024 * 1024 + 1))
        wait_until(lambda: "too_large" in _codes(client))
        client.wait_synced()
        assert client.text(doc.section_id) == world.body(doc) == "Breve."
        assert client.connected
    finally:
        client.close()


def _raw_socket(world: World, origin: str | None, logged_in: bool, auth: object = None) -> bool:
    """Whether a bare Socket.IO client gets through the handshake."""
    http = requests.Session()
    if logged_in:
        enter(http, world.links["participant"])
    sio = SocketClient(http_session=http, websocket_extra_options={"suppress_origin": True})
    headers = {"Origin": origin} if origin else {}
    try:
        sio.connect(world.base_url, headers=headers, auth=auth, transports=["websocket"])
    except socketio.exceptions.ConnectionError:
        return False
    sio.disconnect()
    return True


def test_the_handshake_needs_our_origin_and_a_login_or_a_public_reader(world: World) -> None:
    assert _raw_socket(world, world.base_url, logged_in=True)
    assert not _raw_socket(world, "http://evil.example.org", logged_in=True)
    assert not _raw_socket(world, None, logged_in=True)
    assert not _raw_socket(world, world.base_url, logged_in=False)
    assert _raw_socket(world, world.base_url, logged_in=False, auth={"public": True})


def test_sections_must_belong_to_a_joined_document_of_ones_workshop(world: World) -> None:
    doc, other = world.document("A."), world.document("B.")
    client = TavoloClient(world.links["participant"])
    try:
        sync = {"section_id": doc.section_id, "state_vector": to_wire(b"\x00")}
        assert client.request("sync", sync)["error"]["code"] == "not_joined"
        client.join(doc.id)
        assert client.request("sync", sync)["ok"] is True
        other_sync = {**sync, "section_id": other.section_id}
        assert client.request("sync", other_sync)["error"]["code"] == "not_joined"
        foreign = {**sync, "section_id": world.other_document.section_id}
        assert client.request("sync", foreign)["error"]["code"] == "not_found"
        for document_id in (world.other_document.id, 10**9):
            with pytest.raises(LiveError) as refused:
                client.join(document_id)
            assert refused.value.code == "not_found"
        assert client.connected
    finally:
        client.close()


def test_a_revoked_person_is_refused_on_the_next_event_and_disconnected(world: World) -> None:
    doc = world.document("Prima della revoca.")
    client = _joined(world, "leaving", doc.id)
    try:
        client.insert(doc.section_id, 0, "Ancora io. ")
        client.wait_synced()
        world.revoke("leaving")
        with pytest.raises(LiveError) as refused:
            client.request("sync", {"section_id": doc.section_id, "state_vector": to_wire(b"\x00")})
        assert refused.value.code == "revoked"
        wait_until(lambda: not client.connected)
        client.connect()
        with pytest.raises(LiveError) as again:
            client.join(doc.id)
        assert again.value.code == "revoked"
        assert world.body(doc) == "Ancora io. Prima della revoca."
        # Both attempts fall in at most two minutes: one audit row per minute, not per event.
        refusals = world.server.sql(
            "SELECT json_extract(details, '$.what') FROM audit_event JOIN person"
            " ON person.id = audit_event.actor_id WHERE person.email = ?"
            " AND action = 'access.refused' AND workshop_id = ?",
            world.emails["leaving"],
            world.workshop_id,
        )
        assert 1 <= len(refusals) <= 2
        assert refusals[0][0].startswith("revoked: ")
    finally:
        client.close()


def _rejected(world: World, section_id: int) -> list[tuple]:
    return world.server.sql(
        "SELECT person_id, base_text, proposed_text, reason FROM rejected_edit"
        " WHERE section_id = ?",
        section_id,
    )


def test_text_typed_into_a_locked_section_is_kept_as_a_proposal(world: World) -> None:
    doc = world.document("Testo concordato.")
    writer = _joined(world, "participant", doc.id)
    try:
        world.set_state(doc, "locked")
        writer.insert(doc.section_id, 0, "Aggiunta tardiva. ")
        wait_until(lambda: len(writer.resets) == 1)
        writer.insert(doc.section_id, len("Testo concordato."), " E un'altra.")
        wait_until(lambda: len(writer.resets) == 2)
        writer.wait_synced()
        assert writer.text(doc.section_id) == world.body(doc) == "Testo concordato."
        assert _codes(writer) == ["section_locked", "section_locked"]
        assert "conservato come proposta" in writer.errors[0]["message"]
        assert writer.resets[0]["reason"]["code"] == "section_locked"
        # Both refusals make one proposal: keystrokes sent before the editor learns of
        # the lock belong together.
        ((person_id, base, proposed, reason),) = _rejected(world, doc.section_id)
        assert base == "Testo concordato."
        assert proposed == "Aggiunta tardiva. Testo concordato. E un'altra."
        assert reason == "section_locked"
        assert person_id is not None
    finally:
        writer.close()


def test_text_typed_into_a_frozen_document_is_kept_too(world: World) -> None:
    doc = world.document("Versione finale.")
    writer = _joined(world, "facilitator", doc.id)
    try:
        world.set_status(doc, "frozen")
        writer.insert(doc.section_id, 0, "Ripensamento. ")
        # The reset comes first, the refusal right after it.
        wait_until(lambda: len(writer.resets) == 1 and bool(writer.errors))
        assert "congelato" in writer.errors[0]["message"]
        ((_, base, proposed, reason),) = _rejected(world, doc.section_id)
        assert (base, proposed, reason) == (
            "Versione finale.",
            "Ripensamento. Versione finale.",
            "document_frozen",
        )
        assert world.body(doc) == "Versione finale."
    finally:
        writer.close()


def test_an_archived_workshop_refuses_typing_like_a_frozen_document(world: World) -> None:
    doc = world.document("Testo del tavolo.")
    writer = TavoloClient(world.links["participant"])
    try:
        writer.join(doc.id)
        world.server.sql(
            "UPDATE workshop SET archived_at = '2026-12-05 23:30:00' WHERE id = ?",
            world.workshop_id,
        )
        writer.insert(doc.section_id, 0, "Dopo la chiusura. ")
        wait_until(lambda: len(writer.resets) == 1 and bool(writer.errors))
        writer.wait_synced()
        assert writer.text(doc.section_id) == world.body(doc) == "Testo del tavolo."
        assert _codes(writer) == ["section_locked"]
        assert "archiviato" in writer.errors[0]["message"]
        ((_, base, proposed, reason),) = _rejected(world, doc.section_id)
        assert (base, proposed, reason) == (
            "Testo del tavolo.",
            "Dopo la chiusura. Testo del tavolo.",
            "workshop_archived",
        )
        # Whoever joins now learns that nothing here can be written.
        late = TavoloClient(world.links["facilitator"])
        try:
            assert [s["editable"] for s in late.join(doc.id)["sections"]] == [False]
        finally:
            late.close()
    finally:
        world.server.sql("UPDATE workshop SET archived_at = NULL WHERE id = ?", world.workshop_id)
        writer.close()


def test_a_public_reader_reads_a_published_document_and_nothing_else(world: World) -> None:
    published, draft = world.document("Testo pubblicato."), world.document("Bozza.")
    world.set_status(published, "published")
    reader = TavoloClient.reader(world.base_url)
    member = _joined(world, "facilitator", published.id)
    try:
        reply = reader.join(published.id)
        assert (reply["role"], reply["me"]) == ("public", None)
        assert [s["editable"] for s in reply["sections"]] == [False]
        assert reader.text(published.section_id) == "Testo pubblicato."
        reader.insert(published.section_id, 0, "Graffito. ")
        wait_until(lambda: "forbidden" in _codes(reader))
        with pytest.raises(LiveError) as presence:
            reader.set_presence(published.section_id)
        assert presence.value.code == "forbidden"
        with pytest.raises(LiveError) as other:
            reader.join(draft.id)
        assert other.value.code == "not_found"
        member.set_presence(published.section_id)
        wait_until(lambda: bool(member.presence.get(published.id)))
        reader.wait_synced()
        assert reader.presence == {}
        assert reader.text(published.section_id) == world.body(published) == "Testo pubblicato."
    finally:
        reader.close()
        member.close()


@pytest.fixture
def strict_world(tmp_path) -> Iterator[World]:  # type: ignore[no-untyped-def]
    # Five events per connection and no refill: the limit bites at a known event.
    yield from started(tmp_path, LIVE_RATE_PER_SECOND="0", LIVE_RATE_BURST="5")


def test_too_many_events_are_refused_but_the_connection_stays(strict_world: World) -> None:
    doc = strict_world.document("Piano.")
    client = _joined(strict_world, "participant", doc.id)  # join and one sync: two events
    try:
        replies = [client.request("awareness", {"section_id": None, "state": {}}) for _ in range(5)]
        assert [r["ok"] for r in replies] == [True, True, True, False, False]
        assert replies[-1]["error"]["code"] == "rate_limited"
        assert client.connected
    finally:
        client.close()


def test_a_persons_connections_share_one_budget(strict_world: World) -> None:
    """Ten sockets of one person do not buy ten budgets: both connections draw on it."""
    doc = strict_world.document("Piano.")
    first = _joined(strict_world, "participant", doc.id)  # two events
    second = _joined(strict_world, "participant", doc.id)  # two more, same person
    try:
        assert second.request("awareness", {"section_id": None, "state": {}})["ok"]
        refused = first.request("awareness", {"section_id": None, "state": {}})
        assert refused["error"]["code"] == "rate_limited"
    finally:
        first.close()
        second.close()


def test_logging_out_closes_the_logins_sockets_and_its_cookie_opens_nothing(
    world: World,
) -> None:
    doc = world.document("Prima dell'uscita.")
    client = _joined(world, "writer1", doc.id)
    try:
        client.insert(doc.section_id, 0, "Salvato. ")
        client.wait_synced()
        token = csrf_token(client._http, f"{world.base_url}/workshops/{world.workshop_id}")
        out = client._http.post(
            f"{world.base_url}/esci", data={"csrf_token": token},
            headers={"Referer": world.base_url}, allow_redirects=False,
        )
        assert out.status_code == 302
        wait_until(lambda: not client.connected)
        with pytest.raises(LiveError) as refused:
            client.connect()
        assert refused.value.code == "refused"
        assert world.body(doc) == "Salvato. Prima dell'uscita."
    finally:
        client.close()


def test_a_renewed_link_closes_the_sockets_of_the_logins_entered_with_the_old_one(
    world: World,
) -> None:
    """The old link may have leaked: whoever is writing with it is cut off at once. The
    facilitator who made the new link goes on."""
    doc = world.document("Prima del nuovo link.")
    client = _joined(world, "writer6", doc.id)
    facilitator = _joined(world, "facilitator", doc.id)
    try:
        client.insert(doc.section_id, 0, "Salvato. ")
        client.wait_synced()
        [(membership_id,)] = world.server.sql(
            "SELECT membership.id FROM membership JOIN person ON person.id = person_id"
            " WHERE person.email = ? AND workshop_id = ?",
            world.emails["writer6"],
            world.workshop_id,
        )
        members = f"{world.base_url}/workshops/{world.workshop_id}/members"
        page = facilitator._http.post(
            f"{members}/{membership_id}/link",
            data={"csrf_token": csrf_token(facilitator._http, members)},
            headers={"Referer": world.base_url},
            allow_redirects=False,
        )
        assert page.status_code == 200
        [new] = set(re.findall(re.escape(world.base_url) + r"/i/[\w-]+", page.text))
        world.links["writer6"] = new
        wait_until(lambda: not client.connected)
        with pytest.raises(LiveError) as refused:
            client.connect()
        assert refused.value.code == "refused"
        assert facilitator.connected
        facilitator.insert(doc.section_id, 0, "Continua. ")
        facilitator.wait_synced()
        assert world.body(doc) == "Continua. Salvato. Prima del nuovo link."
    finally:
        client.close()
        facilitator.close()


def test_an_ended_login_is_refused_at_the_next_event_wherever_its_socket_is(
    world: World,
) -> None:
    """A socket held by another process is not closed by the logout itself: its next
    event finds the login ended, is refused and the connection closed."""
    doc = world.document("Testo.")
    client = _joined(world, "writer2", doc.id)
    try:
        world.server.sql(
            "UPDATE login SET ended_at = CURRENT_TIMESTAMP WHERE person_id ="
            " (SELECT id FROM person WHERE email = ?)", world.emails["writer2"],
        )
        with pytest.raises(LiveError) as refused:
            client.request("sync", {"section_id": doc.section_id, "state_vector": to_wire(b"\x00")})
        assert refused.value.code == "logged_out"
        wait_until(lambda: not client.connected)
        assert world.body(doc) == "Testo."
    finally:
        client.close()


def test_a_link_of_another_workshop_reaches_nothing_here(world: World) -> None:
    """This workshop's facilitator, entered only through their membership of another
    workshop, is an outsider here."""
    doc = world.document("Riservato.")
    client = TavoloClient(world.links["other_link"])
    try:
        with pytest.raises(LiveError) as refused:
            client.join(doc.id)
        assert refused.value.code == "not_found"
    finally:
        client.close()


@pytest.fixture
def tight_address_world(tmp_path) -> Iterator[World]:  # type: ignore[no-untyped-def]
    # Five events per connection, five per address, no refill.
    yield from started(
        tmp_path, LIVE_RATE_PER_SECOND="0", LIVE_RATE_BURST="5", LIVE_ADDRESS_SHARE="1"
    )


def test_an_address_has_a_budget_of_its_own(tight_address_world: World) -> None:
    """A thousand sockets from one machine do not buy a thousand budgets: anonymous
    readers, who have no person to share one, share their address's."""
    readers = [TavoloClient.reader(tight_address_world.base_url) for _ in range(2)]
    try:
        ask = {"document_id": tight_address_world.other_document.id}
        first = [readers[0].request("leave", ask) for _ in range(3)]
        second = [readers[1].request("leave", ask) for _ in range(3)]
        assert all(r["error"]["code"] != "rate_limited" for r in first + second[:2])
        assert second[2]["error"]["code"] == "rate_limited"
    finally:
        for reader in readers:
            reader.close()
