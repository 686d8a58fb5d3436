"""Labs in the browser's pages: the members page puts people in labs and names their
leads, refusing in Italian what cannot be; the workshop's page shows the labs side by
side and tells its script when they changed."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import pytest
from flask import current_app
from sqlalchemy import event

from app.core.permissions import SectionState
from app.extensions import db
from app.modules.documents.models import Document
from app.modules.labs import services as labs
from app.modules.labs.models import LabAssignment
from app.modules.people import services as people
from app.modules.port import write_text
from app.realtime.presence import Spot
from app.realtime.services import live
from tests import factories
from tests.modules.amendments.conftest import Table


def _base(table: Table) -> str:
    return f"/workshops/{table.document.workshop_id}"


def _assign(table: Table, persona: str, document: Document | None, leads: bool = False):  # type: ignore[no-untyped-def]
    data = {"document": str(document.id) if document else ""}
    if leads:
        data["leads"] = "y"
    membership = table.memberships[persona]
    return table.clients["facilitator"].post(
        f"{_base(table)}/members/{membership.id}/laboratorio", data=data
    )


def _assignments() -> dict[int, tuple[int, bool]]:
    db.session.expire_all()
    rows = db.session.scalars(db.select(LabAssignment))
    return {a.membership_id: (a.document_id, a.leads) for a in rows}


@pytest.fixture
def second(table: Table) -> Document:
    """A second lab of the workshop, with three sections."""
    return factories.document(table.document.workshop, "Laboratorio Casa di Codogno", sections=3)


def test_the_facilitator_names_a_lead_from_the_members_page(table: Table, second) -> None:  # type: ignore[no-untyped-def]
    anna = table.memberships["anna"]
    page = unescape(table.clients["facilitator"].get(f"{_base(table)}/members").text)
    assert '<th scope="col">Laboratorio</th>' in page
    assert f'for="laboratorio-{anna.id}">Laboratorio di Anna</label>' in page

    response = _assign(table, "anna", second, leads=True)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/members#membro-{anna.id}")
    assert _assignments() == {anna.id: (second.id, True)}
    page = unescape(table.clients["facilitator"].get(f"{_base(table)}/members").text)
    assert "Anna conduce il laboratorio «Laboratorio Casa di Codogno»." in page
    row = page[page.index(f'id="membro-{anna.id}"') :]
    row = row[: row.index("</tr>")]
    assert f'<option value="{second.id}" selected>' in row
    assert f'id="conduce-{anna.id}" checked' in row
    # Saving again without the box: Anna stays in the lab and no longer leads it.
    _assign(table, "anna", second)
    assert _assignments() == {anna.id: (second.id, False)}
    _assign(table, "anna", None)
    assert _assignments() == {}


@pytest.mark.parametrize(
    ("persona", "document", "leads", "message"),
    [
        (
            "oscar",
            "own",
            True,
            "Chi segue il tavolo come osservatore non conduce un laboratorio: cambia prima il "
            "suo ruolo in partecipante.",
        ),
        ("anna", "none", True, "Per condurre un laboratorio, scegli quale."),
        ("anna", "elsewhere", False, "Scegli un documento di questo tavolo."),
        ("anna", "missing", False, "Scegli un documento di questo tavolo."),
        ("anna", "garbage", False, "Scegli un documento di questo tavolo."),
    ],
)
def test_what_cannot_be_is_refused_on_the_members_page_in_italian(
    table: Table, persona: str, document: str, leads: bool, message: str
) -> None:
    elsewhere = factories.document(factories.workshop("Un altro tavolo"), sections=1)
    value = {
        "own": str(table.document.id),
        "none": "",
        "elsewhere": str(elsewhere.id),
        "missing": str(elsewhere.id + 1000),
        "garbage": "1 OR 1=1",
    }[document]
    data = {"document": value, **({"leads": "y"} if leads else {})}
    membership = table.memberships[persona]
    response = table.clients["facilitator"].post(
        f"{_base(table)}/members/{membership.id}/laboratorio", data=data
    )
    assert response.status_code == 422
    page = unescape(response.text)
    assert f'<div class="alert alert-danger" role="alert">{message}</div>' in page
    assert '<h1 class="h2">Persone del tavolo</h1>' in page
    assert _assignments() == {}


def test_a_revoked_member_joins_no_lab(table: Table) -> None:
    people.revoke(None, table.memberships["carla"])
    db.session.commit()
    response = _assign(table, "carla", table.document)
    assert response.status_code == 422
    assert "L'accesso di Carla è revocato" in unescape(response.text)
    assert _assignments() == {}


def test_only_facilitators_assign_and_only_members_of_this_workshop(table: Table) -> None:
    anna = table.memberships["anna"]
    url = f"{_base(table)}/members/{anna.id}/laboratorio"
    data = {"document": str(table.document.id), "leads": "y"}
    # A lead of a lab manages no one, not even in their own lab.
    labs.assign(None, anna, table.document, True)
    db.session.commit()
    assert table.clients["anna"].post(url, data=data).status_code == 403
    stranger, _ = factories.member(factories.workshop("Un altro tavolo"))
    foreign = f"{_base(table)}/members/{stranger.id}/laboratorio"
    assert table.clients["facilitator"].post(foreign, data=data).status_code == 404
    assert _assignments() == {anna.id: (table.document.id, True)}


def test_a_workshop_without_documents_has_no_lab_column(app, make) -> None:  # type: ignore[no-untyped-def]
    from tests.modules.people.helpers import facilitator_desk

    desk = facilitator_desk(app)
    page = desk.client.get(f"{desk.base}/members").text
    assert "Laboratorio" not in page and "/laboratorio" not in page


def _cards(html: str) -> dict[str, str]:
    """Each lab card's text by the lab's title, tags and spacing left out."""
    html = unescape(html)
    found = {}
    for card in re.findall(
        r'<article class="card card-bg border lab-card.*?</article>', html, re.S
    ):
        title = re.search(r"<h3[^>]*><a [^>]*>(.*?)</a>", card).group(1)  # type: ignore[union-attr]
        found[title] = " ".join(re.sub(r"<[^>]+>", " ", card).split())
    return found


def test_the_workshop_page_shows_the_labs_side_by_side(table: Table, second) -> None:  # type: ignore[no-untyped-def]
    base = _base(table)
    reader = table.clients["oscar"]
    page = reader.get(base).text
    assert "data-room-live" not in page and _cards(page) == {}

    third = factories.document(table.document.workshop, "Documento della plenaria", sections=1)
    _assign(table, "anna", table.document, leads=True)
    _assign(table, "bruno", table.document)
    _assign(table, "carla", second, leads=True)
    locked = second.sections[0]
    table.clients["carla"].post(f"/sections/{locked.id}/state", data={"state": "locked"})
    write_text(table.people["carla"], second.sections[1], "Casa e lavoro insieme.", "typed")
    registry = live().registry
    registry.open("sid-bruno", None, table.people["bruno"].id, "Bruno", ())
    registry.enter("sid-bruno", table.document.id)
    registry.move("sid-bruno", table.document.id, Spot(table.section.id))

    page = reader.get(base).text
    assert page.count("data-room-live") == 1
    cards = _cards(page)
    # Only the documents people work in: the plenary's document is no lab.
    assert list(cards) == [table.document.title, "Laboratorio Casa di Codogno"]
    assert third.title not in cards
    first = cards[table.document.title]
    assert "Bozza Conduce Anna Persone 2 assegnate Sezioni 2 aperte" in first
    assert "Modifiche nessuna negli ultimi 5 minuti Presenti ora Bruno" in first
    words = sum(s.word_count for s in table.document.sections)
    assert f"Parole {words} " in first
    codogno = cards["Laboratorio Casa di Codogno"]
    assert "Conduce Carla Persone 1 assegnata Sezioni 2 aperte · 1 bloccata" in codogno
    assert "Modifiche 1 negli ultimi 5 minuti Presenti ora nessuno" in codogno
    db.session.expire_all()
    assert second.sections[0].state is SectionState.LOCKED
    registry.close("sid-bruno")


def _later(ask: Callable[[], str]) -> str:
    """The answer once the lifetime of the grid the screens share has passed."""
    lifetime = current_app.config["LABS_GRID_SECONDS"]
    current_app.config["LABS_GRID_SECONDS"] = 0
    try:
        return ask()
    finally:
        current_app.config["LABS_GRID_SECONDS"] = lifetime


def test_the_grid_says_when_to_redraw(table: Table, second) -> None:  # type: ignore[no-untyped-def]
    current_app.config["LABS_GRID_SECONDS"] = 600  # the lifetime passes only when told
    url = f"{_base(table)}/laboratori.json"
    reader = table.clients["oscar"]
    _assign(table, "bruno", second)

    def version() -> str:
        answer = reader.get(url)
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "no-cache"
        return answer.json["version"]

    first = version()
    page = reader.get(_base(table)).text
    assert f'data-version="{first}"' in page
    assert f'data-version-url="{url}"' in page
    etag = reader.get(url).headers["ETag"]
    assert reader.get(url, headers={"If-None-Match": etag}).status_code == 304

    # What people decide shows at once, in whichever process it was decided.
    _assign(table, "carla", second, leads=True)  # a lead is named
    named = version()
    assert named != first
    locked = second.sections[2]
    table.clients["carla"].post(f"/sections/{locked.id}/state", data={"state": "locked"})
    assert version() != named
    table.clients["carla"].post(f"/sections/{locked.id}/state", data={"state": "open"})
    assert version() == named
    # What people type and who is in a lab follow within the grid's lifetime.
    write_text(table.people["carla"], second.sections[0], "Una riga nuova.", "typed")
    assert version() == named
    written = _later(version)
    assert written != named
    registry = live().registry
    registry.open("sid-anna", None, table.people["anna"].id, "Anna", ())
    registry.enter("sid-anna", second.id)
    assert version() == written
    assert _later(version) != written  # someone came in
    registry.close("sid-anna")
    assert _later(version) == written
    table.clients["facilitator"].post(
        f"{_base(table)}/annuncio", data={"message": "Pausa caffè", "minutes": "10"}
    )
    assert version() != written  # the line to the room comes with the redraw


def test_the_screens_of_a_room_share_one_grid(table: Table, second) -> None:  # type: ignore[no-untyped-def]
    """A hundred screens asking cost one reading of the labs' figures, and one more
    after each decision."""
    current_app.config["LABS_GRID_SECONDS"] = 600  # however slow the machine
    _assign(table, "bruno", second)
    url = f"{_base(table)}/laboratori.json"
    screens = [table.clients[p] for p in ("oscar", "anna", "bruno", "carla")]
    readings: list[str] = []

    def counted(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        if "section_update" in statement:  # the console's activity of the last minutes
            readings.append(statement)

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        versions = {screens[n % 4].get(url).json["version"] for n in range(100)}
        assert len(readings) == 1 and len(versions) == 1
        assert "Persone 1 assegnata" in _cards(screens[0].get(_base(table)).text)[second.title]
        assert len(readings) == 1
        _assign(table, "carla", second, leads=True)
        versions |= {screens[n % 4].get(url).json["version"] for n in range(100)}
        assert len(readings) == 2 and len(versions) == 2
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
