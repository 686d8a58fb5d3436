"""The document's header leads to its versions, its exports, its dissent register and
the room's screen, for every role, instead of a form at the bottom of a very long page."""

from __future__ import annotations

import re

import pytest

from app.core.permissions import Role


@pytest.mark.parametrize("role", list(Role))
def test_the_header_menu_leads_where_each_role_may_go(room, make, role: Role) -> None:  # type: ignore[no-untyped-def]
    document = make.document(room.workshop, sections=1)
    client = {
        Role.FACILITATOR: room.facilitator,
        Role.PARTICIPANT: room.participant,
        Role.OBSERVER: room.observer,
    }[role]
    page = client.get(f"/documents/{document.id}").text
    menu = re.search(r'<nav class="document-menu.*?</nav>', page, re.DOTALL)
    assert menu is not None
    links = re.findall(r'href="([^"]+)"', menu.group(0))
    assert links == [
        f"/documents/{document.id}/versions",
        f"/documents/{document.id}/exports",
        f"/documents/{document.id}/dissent",
        f"/documents/{document.id}/proiettore",
    ]
    for link in links:
        assert client.get(link).status_code == 200, link
