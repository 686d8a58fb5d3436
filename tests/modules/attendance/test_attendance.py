"""Who is in the room: a facilitator's marks, the room's code opened by each person's
phone, the day as the room's clock tells it, and what the register changes: the
participants annex and the votes counted on the people present."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

from flask import Flask

from app.core.tally import Scale
from app.extensions import db
from app.modules.attendance import services
from app.modules.attendance.models import Presence
from app.modules.audit.models import AuditEvent
from app.modules.exports.annexes import PROVIDERS
from app.modules.timeutil import utcnow
from app.modules.votes import services as votes
from tests import factories
from tests.conftest import login
from tests.modules.amendments.conftest import Table


def _presences() -> list[Presence]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Presence)))


def _code_url(client, table: Table) -> str:  # type: ignore[no-untyped-def]
    page = client.get(f"/workshops/{table.document.workshop_id}/presenze").text
    found = re.search(r'href="http://localhost(/workshops/\d+/arrivo/[a-z0-9]+)"', page)
    assert found is not None
    return found[1]


def _mark(table: Table, who: str, when: dt.datetime | None = None) -> None:
    facilitator = table.memberships["facilitator"]
    services.set_present(facilitator, table.memberships[who], True, when or utcnow())


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    return found[1] if found else ""


def test_a_facilitator_marks_and_unmarks_people_present(table: Table) -> None:
    facilitator = table.clients["facilitator"]
    workshop_id = table.document.workshop_id
    anna = table.memberships["anna"]
    page = facilitator.get(f"/workshops/{workshop_id}/presenze")
    assert page.status_code == 200 and "0 persone presenti" in page.text
    marked = facilitator.post(
        f"/workshops/{workshop_id}/presenze/{anna.id}", data={"present": "si"}
    )
    assert marked.status_code == 302 and marked.headers["Location"].endswith(f"#persona-{anna.id}")
    [presence] = _presences()
    assert presence.membership_id == anna.id
    assert presence.marked_by_id == table.memberships["facilitator"].id
    assert "1 persona presente" in facilitator.get(f"/workshops/{workshop_id}/presenze").text
    facilitator.post(f"/workshops/{workshop_id}/presenze/{anna.id}", data={"present": "no"})
    assert _presences() == []
    actions = db.session.scalars(db.select(AuditEvent.action)).all()
    assert "member.presence_marked" in actions and "member.presence_removed" in actions


def test_opening_the_room_code_asks_and_the_confirmation_marks(table: Table) -> None:
    url = _code_url(table.clients["facilitator"], table)
    bruno = table.clients["bruno"]
    asked = bruno.get(url)
    assert asked.status_code == 200 and "Sono presente" in asked.text
    assert _presences() == []  # opening the code changes nothing
    for _ in range(2):  # a second tap finds the first arrival
        assert bruno.post(url, data={"csrf_token": _csrf(asked.text)}).status_code == 302
    [presence] = _presences()
    assert presence.membership_id == table.memberships["bruno"].id
    assert presence.marked_by_id is None
    assert "Sei presente" in bruno.get(url).text
    register = (
        table.clients["facilitator"].get(f"/workshops/{table.document.workshop_id}/presenze").text
    )
    assert "con il codice della sala" in register


def test_a_replaced_or_wrong_code_marks_nobody(table: Table) -> None:
    facilitator = table.clients["facilitator"]
    old = _code_url(facilitator, table)
    facilitator.post(f"/workshops/{table.document.workshop_id}/presenze/codice")
    new = _code_url(facilitator, table)
    assert new != old
    carla = table.clients["carla"]
    for wrong in (old, old[:-1], old + "x", old.rsplit("/", 1)[0] + "/%F0%9F%98%80"):
        refused = carla.get(wrong)
        assert refused.status_code == 404, wrong
        assert "Codice non valido" in refused.text
        assert carla.post(wrong).status_code in (400, 404)
    assert _presences() == []


def test_the_code_of_one_workshop_marks_nobody_in_another(app: Flask, table: Table) -> None:
    url = _code_url(table.clients["facilitator"], table)
    other = factories.workshop("Un altro tavolo")
    _membership, token = factories.member(other)
    stranger = app.test_client()
    login(stranger, token)
    db.session.commit()
    assert stranger.get(url).status_code == 404
    assert stranger.post(url).status_code in (400, 404)
    assert _presences() == []


def test_the_day_is_the_rooms(table: Table) -> None:
    """At 23:30 UTC on 5 December it is already 6 December in Rome."""
    _mark(table, "anna", dt.datetime(2026, 12, 5, 23, 30))
    db.session.commit()
    [presence] = _presences()
    assert presence.day == dt.date(2026, 12, 6)


def test_the_participants_annex_tells_invited_from_present(table: Table) -> None:
    build = PROVIDERS["participants"].build
    assert "non presente" not in (build(table.document) or "")  # no register kept
    services.set_present(
        table.memberships["facilitator"], table.memberships["anna"], True, utcnow()
    )
    services.set_present(
        table.memberships["facilitator"], table.memberships["facilitator"], True, utcnow()
    )
    db.session.commit()
    annex = unescape(build(table.document) or "")
    assert "2 persone presenti su 5 invitate" in annex.replace("\\", "")
    assert "Anna," not in annex or "Anna (invitato" not in annex
    assert "Bruno (invitato, non presente)" in annex.replace("\\", "")
    assert "Anna (invitato" not in annex.replace("\\", "")


def test_a_vote_counted_on_the_people_present(table: Table) -> None:
    settings = votes.RoundSettings(question="Approviamo?", scale=Scale.CONSENT, on_present=True)
    facilitator = table.people["facilitator"]
    try:
        votes.open_round(facilitator, table.document, table.section, None, settings, utcnow())
    except votes.VoteError as error:
        assert "Nessun partecipante risulta presente" in str(error)
    else:
        raise AssertionError("a round on nobody present was opened")
    for who in ("anna", "bruno", "carla"):
        services.set_present(
            table.memberships["facilitator"], table.memberships[who], True, utcnow()
        )
    services.set_present(
        table.memberships["facilitator"], table.memberships["oscar"], True, utcnow()
    )
    vote_round = votes.open_round(
        facilitator, table.document, table.section, None, settings, utcnow()
    )
    db.session.commit()
    # Three voters present (the observer does not vote): the quorum is two of them.
    assert vote_round.quorum == 2
    votes.cast(table.memberships["anna"], vote_round, "favorevole", "", utcnow())
    votes.close(facilitator, vote_round, utcnow())
    db.session.commit()
    result = votes.result(vote_round, utcnow())
    assert result is not None and result.eligible == 3 and not result.quorum_reached
