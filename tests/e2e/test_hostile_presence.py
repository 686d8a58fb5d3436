"""Another participant's connection sends cursors built to break the editors that draw
them: the server lets through only the editor's own shape, and what it lets through at
the edge of that shape (ids and clocks at their limits, positions past the end of the
text, nothing at all) leaves every editor working: the person keeps typing, the text is
saved, and other people's cursors are still drawn."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from app.core.sync import MAX_ASSOC, MAX_ID
from app.core.yjs_clients import authored
from app.realtime.client import TavoloClient
from tests.e2e.conftest import no_console_errors, section_editor
from tests.e2e.test_live_editing import (
    demo_server,
    indicator,
    open_document,
    stored_body,
    type_at_end,
)
from tests.realtime.helpers import wait_until


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    server, world = demo_server(tmp_path_factory.mktemp("hostile-presence"))
    try:
        yield world
    finally:
        server.stop()


def _at(client: int, clock: int, assoc: int = 0) -> dict:
    return {"tname": "body", "item": {"client": client, "clock": clock}, "assoc": assoc}


END = {"tname": "body", "assoc": 0}
# Shapes the server accepted before: plain JSON, but no position an editor can resolve.
MALFORMED = [
    {"anchor": 1, "head": 3},
    {"anchor": {}, "head": {}},
    {"anchor": {"tname": "altro"}, "head": {"tname": "altro"}},
    {"anchor": {"item": {"client": "x", "clock": {}}}, "head": {"item": {"client": "x"}}},
    {"anchor": {"type": {"client": 1, "clock": 1}}, "head": END},
    {"anchor": END, "head": [[[[[1]]]]]},
]


def _edge_cases(client: int, clock: int) -> list[dict | None]:
    return [
        {"anchor": _at(MAX_ID, MAX_ID, MAX_ASSOC), "head": _at(0, 0, -MAX_ASSOC)},
        {"anchor": _at(client, clock + 1_000_000), "head": END},
        {"anchor": END, "head": {"tname": "body"}},
        {"anchor": _at(client, 0, -1), "head": _at(client, clock - 1)},
        None,
    ]


def _send(hostile: TavoloClient, document_id: int, section_id: int, cursor: object) -> dict:
    """Sends one cursor and, when the server takes it, waits for the room's batch that
    carries it (the sender receives it too): each one reaches the browser on its own
    rather than only the last of a batch."""
    reply = hostile.request("awareness", {"section_id": section_id, "state": {"cursor": cursor}})
    if reply["ok"] and cursor is not None:
        people = hostile.presence
        wait_until(lambda: any(p["cursor"] == cursor for p in people.get(document_id, [])))
    return reply


def test_hostile_cursors_leave_everyones_editor_working(live: dict, browser: Browser) -> None:
    context = browser.new_context(locale="it-IT")
    errors: list[str] = []
    page = open_document(context, live["writers"][0], live)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    hostile = TavoloClient(live["writers"][1])
    try:
        expect(indicator(page)).to_have_text("Salvato")
        hostile.join(live["document"])
        section_id = int(
            section_editor(page).locator("xpath=..").get_attribute("data-section-id")
        )
        # An id and clock that exist in the section's text, for positions at its edges.
        client, clock = max(authored(hostile._replica(section_id).doc.get_update()).items())
        replies = [
            _send(hostile, live["document"], section_id, cursor)
            for cursor in [*MALFORMED, *_edge_cases(client, clock)]
        ]
        # A real selection last: the remote-cursor plugin still draws it.
        hostile.set_presence(section_id, {"anchor": _at(client, 0), "head": _at(client, 3)})
        expect(section_editor(page).locator(".cm-ySelectionCaret")).to_have_count(1)

        type_at_end(page, " Scritto dopo i cursori ostili.")
        expect(indicator(page)).to_have_text("Salvato")
        assert stored_body(live, page).endswith(" Scritto dopo i cursori ostili.")
        no_console_errors(errors)
        assert [r["ok"] for r in replies] == [False] * len(MALFORMED) + [True] * 5
        assert {r["error"]["code"] for r in replies[: len(MALFORMED)]} == {"bad_request"}
    finally:
        hostile.close()
        context.close()
