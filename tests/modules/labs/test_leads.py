"""A lab's lead: a participant who moderates one document as its facilitator would, and
nothing else of the workshop."""

from __future__ import annotations

from html import unescape

import pytest

from app.core.permissions import Role, SectionState
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.comments.models import Comment
from app.modules.labs import services as labs
from app.modules.labs.models import LabAssignment
from tests import factories
from tests.modules.amendments.conftest import Table


@pytest.fixture
def lab(table: Table):  # type: ignore[no-untyped-def]
    """Anna leads the table's document; a second lab of the same workshop has no lead."""
    other = factories.document(table.document.workshop, "Laboratorio 2", sections=1)
    labs.assign(table.people["facilitator"], table.memberships["anna"], table.document, True)
    db.session.commit()
    return other


def test_the_lead_opens_and_locks_the_sections_of_their_lab_only(table: Table, lab) -> None:  # type: ignore[no-untyped-def]
    anna = table.clients["anna"]
    section = table.section
    assert anna.post(f"/sections/{section.id}/state", data={"state": "locked"}).status_code == 302
    db.session.expire_all()
    assert section.state is SectionState.LOCKED
    other = lab.sections[0]
    assert anna.post(f"/sections/{other.id}/state", data={"state": "locked"}).status_code == 403
    db.session.expire_all()
    assert other.state is SectionState.OPEN
    # Bruno, assigned to the lab without leading it, moderates nothing.
    labs.assign(None, table.memberships["bruno"], table.document, False)
    db.session.commit()
    bruno = table.clients["bruno"]
    assert bruno.post(f"/sections/{section.id}/state", data={"state": "open"}).status_code == 403


def test_the_lead_runs_the_votes_and_moderates_the_comments_of_their_lab(
    table: Table,
    lab,  # type: ignore[no-untyped-def]
) -> None:
    anna, section = table.clients["anna"], table.section
    opened = anna.post(
        f"/sections/{section.id}/votes",
        data={"question": "Approviamo?", "scale": "consent", "results_visible": "live"},
    )
    assert opened.status_code == 302
    other = lab.sections[0]
    refused = anna.post(
        f"/sections/{other.id}/votes",
        data={"question": "Approviamo?", "scale": "consent", "results_visible": "live"},
    )
    assert refused.status_code == 403

    table.clients["bruno"].post(f"/sections/{section.id}/comments", data={"body": "Fuori tema."})
    comment = db.session.scalars(db.select(Comment)).one()
    hidden = anna.post(f"/comments/{comment.id}/hide", data={"reason": "Fuori tema"})
    assert hidden.status_code in (200, 302)
    db.session.expire_all()
    assert comment.is_hidden
    page = unescape(anna.get(f"/documents/{table.document.id}").text)
    assert "Apri o blocca la sezione" in page and "Gestisci la sezione" not in page


def test_leading_a_lab_opens_nothing_of_the_workshop(table: Table, lab) -> None:  # type: ignore[no-untyped-def]
    anna = table.clients["anna"]
    workshop_id = table.document.workshop_id
    for url in (f"/workshops/{workshop_id}/members", f"/workshops/{workshop_id}/console"):
        assert anna.get(url).status_code == 403, url
    frozen = anna.post(f"/documents/{table.document.id}/status", data={"status": "frozen"})
    assert frozen.status_code == 403
    renamed = anna.post(f"/sections/{table.section.id}", data={"edit-title": "Altro"})
    assert renamed.status_code == 403


def test_one_lab_per_person_and_every_change_in_the_log(table: Table, lab) -> None:  # type: ignore[no-untyped-def]
    anna = table.memberships["anna"]
    facilitator = table.people["facilitator"]
    labs.assign(facilitator, anna, lab, False)
    labs.assign(facilitator, anna, lab, False)  # the same again changes nothing
    db.session.commit()
    [assignment] = db.session.scalars(db.select(LabAssignment))
    assert (assignment.document_id, assignment.leads) == (lab.id, False)
    assert not labs.leads(anna, table.document.id)
    labs.assign(facilitator, anna, None, False)
    db.session.commit()
    assert db.session.scalars(db.select(LabAssignment)).all() == []
    logged = db.session.scalars(
        db.select(AuditEvent.details).where(AuditEvent.action == "lab.assigned")
    ).all()
    assert len(logged) == 3  # leads the first lab, joins the second, leaves


@pytest.mark.parametrize(
    ("who", "where", "lead", "message"),
    [
        ("oscar", "own", True, "non conduce un laboratorio"),
        ("anna", "elsewhere", False, "Scegli un documento di questo tavolo."),
        ("anna", "none", True, "Per condurre un laboratorio, scegli quale."),
    ],
)
def test_an_assignment_that_cannot_be_is_refused_with_a_sentence(
    table: Table, who: str, where: str, lead: bool, message: str
) -> None:
    elsewhere = factories.document(factories.workshop("Un altro tavolo"), sections=1)
    document = {"own": table.document, "elsewhere": elsewhere, "none": None}[where]
    with pytest.raises(labs.LabError, match=message):
        labs.assign(None, table.memberships[who], document, lead)
    assert table.memberships[who].role in (Role.OBSERVER, Role.PARTICIPANT)
