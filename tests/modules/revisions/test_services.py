"""Revisions per author burst, with the live store's memory of the latest one."""

from __future__ import annotations

import datetime as dt

from app.core.permissions import Role
from app.extensions import db
from app.modules.documents.models import Section
from app.modules.revisions.models import Revision
from app.modules.revisions.services import Burst, Typing, record_typing, record_typings
from tests import factories

WINDOW = dt.timedelta(seconds=30)
T0 = dt.datetime(2026, 11, 23, 9, 0, 0)


def _author_and_section():  # type: ignore[no-untyped-def]
    workshop = factories.workshop()
    membership, _ = factories.member(workshop, Role.PARTICIPANT)
    return membership.person_id, factories.document(workshop, sections=1).sections[0].id


def _typing(first: int, last: int, at: dt.datetime, until: dt.datetime | None = None) -> Typing:
    return Typing(first, last, at, until or at)


def _texts() -> list[tuple[str, int, int]]:
    return [
        (r.text, r.first_seq, r.last_seq)
        for r in db.session.scalars(db.select(Revision).order_by(Revision.id))
    ]


def test_typing_within_the_window_extends_one_revision(app) -> None:  # type: ignore[no-untyped-def]
    author, section = _author_and_section()
    burst = record_typing(section, author, "Ciao", _typing(1, 1, T0), WINDOW, None)
    burst = record_typing(section, author, "Ciao a", _typing(2, 3, T0 + WINDOW / 2), WINDOW, burst)
    record_typing(section, author, "Ciao a tutti", _typing(4, 4, T0 + WINDOW), WINDOW, burst)
    assert _texts() == [("Ciao a tutti", 1, 4)]


def test_a_pause_opens_a_new_revision(app) -> None:  # type: ignore[no-untyped-def]
    author, section = _author_and_section()
    burst = record_typing(section, author, "Ciao", _typing(1, 1, T0), WINDOW, None)
    record_typing(section, author, "Ciao!", _typing(2, 2, T0 + 2 * WINDOW), WINDOW, burst)
    assert _texts() == [("Ciao", 1, 1), ("Ciao!", 2, 2)]


def test_a_pause_is_measured_to_where_the_new_typing_began(app) -> None:  # type: ignore[no-untyped-def]
    """The text is stored a moment after the typing: the pause that opens a revision is
    the one between the keystrokes, not between two storings."""
    author, section = _author_and_section()
    burst = record_typing(section, author, "Uno", _typing(1, 1, T0), WINDOW, None)
    resumed = T0 + 2 * WINDOW
    burst = record_typing(
        section, author, "Uno. Due", _typing(2, 5, resumed, resumed + WINDOW / 2), WINDOW, burst
    )
    assert burst.ended_at == resumed + WINDOW / 2
    assert _texts() == [("Uno", 1, 1), ("Uno. Due", 2, 5)]
    started = db.session.scalars(db.select(Revision.started_at).order_by(Revision.id)).all()
    assert started == [T0, resumed]


def test_an_outdated_memory_falls_back_to_the_database(app) -> None:  # type: ignore[no-untyped-def]
    """Another process extended the revision meanwhile: this one's memory no longer
    matches, and the revision is found again rather than duplicated."""
    author, section = _author_and_section()
    first = record_typing(section, author, "Uno", _typing(1, 1, T0), WINDOW, None)
    soon = T0 + dt.timedelta(seconds=5)
    record_typing(section, author, "Uno due", _typing(2, 2, soon), WINDOW, first)
    later = T0 + dt.timedelta(seconds=10)
    burst = record_typing(section, author, "Uno due tre", _typing(3, 3, later), WINDOW, first)
    assert burst == Burst(first.revision_id, later)
    assert _texts() == [("Uno due tre", 1, 3)]


def test_a_rooms_typing_extends_each_authors_revision(app) -> None:  # type: ignore[no-untyped-def]
    author, section = _author_and_section()
    other = factories.member(db.session.get(Section, section).document.workshop, Role.PARTICIPANT)[
        0
    ].person_id
    first = record_typings(
        section,
        {author: ("Uno", _typing(1, 1, T0)), other: ("Uno e", _typing(2, 2, T0))},
        WINDOW,
        {},
    )
    later = T0 + dt.timedelta(seconds=5)
    second = record_typings(
        section,
        {author: ("Uno e due", _typing(3, 4, later)), other: ("Uno e due.", _typing(5, 5, later))},
        WINDOW,
        first,
    )
    assert second == {a: Burst(b.revision_id, later) for a, b in first.items()}
    assert _texts() == [("Uno e due", 1, 4), ("Uno e due.", 2, 5)]


def test_a_revision_changed_elsewhere_is_reported_not_guessed(app) -> None:  # type: ignore[no-untyped-def]
    """Another process extended one of the revisions: nothing says which, so the caller
    rolls back and records again with nothing remembered."""
    author, section = _author_and_section()
    first = record_typings(section, {author: ("Uno", _typing(1, 1, T0))}, WINDOW, {})
    elsewhere = T0 + dt.timedelta(seconds=2)
    record_typing(section, author, "Uno bis", _typing(2, 2, elsewhere), WINDOW, first[author])
    db.session.commit()
    later = T0 + dt.timedelta(seconds=5)
    assert (
        record_typings(section, {author: ("Uno tre", _typing(3, 3, later))}, WINDOW, first) is None
    )
    db.session.rollback()
    again = record_typings(section, {author: ("Uno tre", _typing(3, 3, later))}, WINDOW, {})
    assert again == {author: Burst(first[author].revision_id, later)}
    assert _texts() == [("Uno tre", 1, 3)]
