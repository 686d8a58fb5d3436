"""Text typed into a section after it was locked (the agenda's lock, a facilitator's):
kept, shown to the facilitators and its author, turned into an amendment in its
author's name or set aside, never lost and never applied by itself."""

from __future__ import annotations

from app.core.permissions import SectionState
from app.extensions import db
from app.modules.amendments.models import Amendment, AmendmentStatus
from app.modules.documents import services as documents
from app.modules.port import write_text
from app.modules.revisions.models import RejectedEdit
from tests.modules.amendments.conftest import BODY, Table

LATE = BODY.replace("la casa e il lavoro", "la casa, il lavoro e la scuola")


def _late_edit_of_anna(table: Table) -> RejectedEdit:
    """What the live layer keeps when Anna's keystrokes arrive after the lock."""
    documents.set_section_state(table.people["facilitator"], table.section, SectionState.LOCKED)
    edit = RejectedEdit(
        section_id=table.section.id,
        person_id=table.people["anna"].id,
        base_text=BODY,
        proposed_text=LATE,
        reason="section_locked",
        update=b"",
    )
    db.session.add(edit)
    db.session.commit()
    return edit


def _panel(table: Table, who: str) -> str:
    return table.clients[who].get(f"/sections/{table.section.id}/deliberation").text


def test_late_text_is_shown_to_the_facilitators_and_its_author_only(table: Table) -> None:
    _late_edit_of_anna(table)
    for who in ("facilitator", "anna"):
        panel = _panel(table, who)
        assert "1 testo arrivato a sezione bloccata" in panel
        assert "scuola</ins>" in panel
    assert "Fanne un emendamento" in _panel(table, "facilitator")
    assert "Fanne un emendamento" not in _panel(table, "anna")
    for who in ("bruno", "oscar"):
        assert "arrivato a sezione bloccata" not in _panel(table, who)


def test_a_facilitator_makes_it_an_amendment_in_its_authors_name(table: Table) -> None:
    edit = _late_edit_of_anna(table)
    # Meanwhile someone else's change reached the section before the lock.
    write_text(table.people["bruno"], table.section, BODY + "\n\nUna riga di Bruno.", "typed")
    promoted = table.clients["facilitator"].post(f"/testi-tardivi/{edit.id}/emendamento")
    assert promoted.status_code == 302
    db.session.expire_all()
    [amendment] = db.session.scalars(db.select(Amendment)).all()
    assert amendment.author_id == table.people["anna"].id and amendment.is_pending
    assert db.session.get(RejectedEdit, edit.id).amendment_id == amendment.id
    assert "arrivato a sezione bloccata" not in _panel(table, "facilitator")
    # Accepted on the locked section, merged with what changed since.
    accepted = table.clients["facilitator"].post(f"/amendments/{amendment.id}/accept")
    assert accepted.status_code == 302
    db.session.expire_all()
    assert table.section.body == LATE + "\n\nUna riga di Bruno."
    assert db.session.get(Amendment, amendment.id).status is AmendmentStatus.ACCEPTED


def test_only_its_author_or_a_facilitator_sets_it_aside(table: Table) -> None:
    edit = _late_edit_of_anna(table)
    aside = f"/testi-tardivi/{edit.id}/metti-da-parte"
    assert table.clients["bruno"].post(aside).status_code == 404
    assert table.clients["anna"].post(f"/testi-tardivi/{edit.id}/emendamento").status_code == 403
    assert db.session.get(RejectedEdit, edit.id).settled_at is None
    assert table.clients["anna"].post(aside).status_code == 302
    db.session.expire_all()
    assert db.session.get(RejectedEdit, edit.id).settled_at is not None
    assert "arrivato a sezione bloccata" not in _panel(table, "facilitator")
    again = table.clients["facilitator"].post(f"/testi-tardivi/{edit.id}/emendamento")
    assert "già stato esaminato" in table.clients["facilitator"].get(again.headers["Location"]).text
    assert db.session.scalars(db.select(Amendment)).all() == []
