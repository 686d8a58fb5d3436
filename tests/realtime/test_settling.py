"""A keystroke commits its row of the log; the section's text and its authors' revisions
are stored a moment later, by whichever process settles the section first, and nothing
the log holds is ever left out of them."""

from __future__ import annotations

import time

from app.core.permissions import Role
from app.extensions import db
from app.modules.documents.models import Section
from app.modules.revisions.models import Revision
from app.realtime.client import Replica
from app.realtime.services import live, settle, write_text
from app.realtime.store import Store
from tests import factories


def _section_and_writers():  # type: ignore[no-untyped-def]
    workshop = factories.workshop()
    anna = factories.member(workshop, Role.PARTICIPANT)[0].person
    bruno = factories.member(workshop, Role.PARTICIPANT)[0].person
    section = factories.document(workshop, sections=1).sections[0]
    return section, anna, bruno


def _joined(section_id: int, client_id: int) -> Replica:
    replica = Replica(client_id=client_id)
    update, _ = live().store.sync(section_id, replica.state_vector())
    replica.apply(update)
    return replica


def _stored(section_id: int) -> tuple[str, int]:
    row = db.session.execute(
        db.select(Section.body, Section.body_seq).where(Section.id == section_id)
    ).one()
    return row.body, row.body_seq


def _revisions(section_id: int) -> list[tuple[int | None, str, int, int]]:
    return [
        (r.author_id, r.text, r.first_seq, r.last_seq)
        for r in db.session.scalars(
            db.select(Revision).where(Revision.section_id == section_id).order_by(Revision.id)
        )
    ]


def test_each_revision_holds_the_text_as_its_author_left_it(app) -> None:  # type: ignore[no-untyped-def]
    section, anna, bruno = _section_and_writers()
    store = live().store
    replica = _joined(section.id, 1)
    store.apply(section.id, anna.id, replica.insert(0, "Anna. "))
    replica = _joined(section.id, 2)
    store.apply(section.id, bruno.id, replica.insert(len(replica.text()), " Bruno."))
    assert _stored(section.id) == ("Testo della sezione 1.", 0)
    assert _revisions(section.id) == []

    store.settle(section.id)
    assert _stored(section.id) == ("Anna. Testo della sezione 1. Bruno.", 3)
    assert _revisions(section.id) == [
        (anna.id, "Anna. Testo della sezione 1.", 2, 2),
        (bruno.id, "Anna. Testo della sezione 1. Bruno.", 3, 3),
    ]


def test_a_process_that_never_saw_the_typing_stores_it(app) -> None:  # type: ignore[no-untyped-def]
    """As after a crash: the log holds keystrokes the stored text lacks, and a process
    that starts from the database alone brings the text and the revisions up to date."""
    section, anna, _ = _section_and_writers()
    replica = _joined(section.id, 2)
    live().store.apply(section.id, anna.id, replica.insert(0, "Scritto prima del guasto. "))
    restarted = Store(snapshot_every=500, burst_window=live().store._burst_window, capacity=8)
    restarted.settle(section.id)
    text = "Scritto prima del guasto. Testo della sezione 1."
    assert _stored(section.id) == (text, 2)
    assert _revisions(section.id) == [(anna.id, text, 2, 2)]
    live().store.settle(section.id)
    assert _revisions(section.id) == [(anna.id, text, 2, 2)]


def test_a_server_edit_does_not_count_as_the_typists_work(app) -> None:  # type: ignore[no-untyped-def]
    section, anna, bruno = _section_and_writers()
    replica = _joined(section.id, 3)
    live().store.apply(section.id, anna.id, replica.insert(0, "Anna. "))
    assert write_text(bruno, section, lambda text: text + " Emendamento.", "amendment", 7)
    assert _revisions(section.id) == [
        (anna.id, "Anna. Testo della sezione 1.", 2, 2),
        (bruno.id, "Anna. Testo della sezione 1. Emendamento.", 3, 3),
    ]
    assert _stored(section.id) == ("Anna. Testo della sezione 1. Emendamento.", 3)


def test_readers_settle_only_the_sections_behind(app) -> None:  # type: ignore[no-untyped-def]
    section, anna, _ = _section_and_writers()
    other = factories.document(section.document.workshop, sections=1).sections[0]
    replica = _joined(section.id, 4)
    live().store.apply(section.id, anna.id, replica.insert(0, "Nuovo. "))
    cached = set(live().store._live)
    settle([section.id, other.id])
    assert _stored(section.id) == ("Nuovo. Testo della sezione 1.", 2)
    assert set(live().store._live) == cached
    assert _stored(other.id) == ("Testo della sezione 1.", 0)


def test_typing_is_stored_within_moments_without_anyone_asking(app) -> None:  # type: ignore[no-untyped-def]
    section, anna, _ = _section_and_writers()
    replica = _joined(section.id, 5)
    live().store.apply(section.id, anna.id, replica.insert(0, "Da solo. "))
    live().settler.mark(section.id)
    deadline = time.monotonic() + 10 * app.config["LIVE_SETTLE_SECONDS"]
    while _stored(section.id)[1] < 2 and time.monotonic() < deadline:
        db.session.rollback()
        time.sleep(0.05)
    assert _stored(section.id) == ("Da solo. Testo della sezione 1.", 2)
