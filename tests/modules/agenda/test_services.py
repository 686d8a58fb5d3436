"""The agenda's services on a real database, with the clock chosen by each test."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from app.config import TestConfig
from app.core.agenda import Action
from app.core.permissions import DocumentStatus, Role, SectionState
from app.extensions import db
from app.modules.agenda import clock, services
from app.modules.agenda.models import AgendaSession
from app.modules.audit.models import AuditEvent
from app.modules.documents.models import Document
from tests import factories
from tests.conftest import fresh_app

# 10:00 in Rome on 5 March 2026 (UTC+1).
DAY = dt.date(2026, 3, 5)
TEN = dt.datetime(2026, 3, 5, 9, 0)


@pytest.fixture
def table(app: Flask):  # type: ignore[no-untyped-def]
    return _table()


def _table():  # type: ignore[no-untyped-def]
    workshop = factories.workshop("Tavolo del budget di salute")
    facilitator, _ = factories.member(workshop, Role.FACILITATOR, name="Giulia Conti")
    document = factories.document(workshop, sections=3)
    for section in document.sections:
        section.state = SectionState.LOCKED
    db.session.commit()
    return workshop, facilitator, document


def _session(workshop, facilitator, document, **fields) -> AgendaSession:  # type: ignore[no-untyped-def]
    data = {
        "title": "Abitare",
        "day": DAY,
        "start": dt.time(10, 0),
        "end": dt.time(11, 15),
        "room": "Sala A",
        "facilitator_id": facilitator.id,
        "section_ids": [document.sections[0].id, document.sections[1].id],
        "open_at_start": True,
        "lock_at_end": True,
        **fields,
    }
    session = services.create_session(
        facilitator.person, workshop, services.SessionData(**data), TEN - dt.timedelta(days=1)
    )
    db.session.commit()
    return session


def _states(document: Document) -> list[SectionState]:
    db.session.expire_all()
    return [s.state for s in document.sections]


def test_times_are_typed_as_the_room_clock_shows_them(table) -> None:  # type: ignore[no-untyped-def]
    session = _session(*table)
    assert session.starts_at == TEN
    assert session.ends_at == TEN + dt.timedelta(minutes=75)
    assert [d.date for d in services.days_of(table[0])] == [DAY]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"end": dt.time(9, 0)}, "deve finire dopo l'inizio"),
        ({"end": dt.time(10, 0)}, "deve finire dopo l'inizio"),
        ({"start": dt.time(11, 0), "end": dt.time(12, 0), "room": " sala  a "}, "c'è già"),
        ({"title": "  ", "room": "B"}, "titolo"),
        ({"facilitator_id": 99999, "room": "B"}, "persona invitata"),
        ({"section_ids": [99999], "room": "B"}, "Scegli le sezioni"),
    ],
)
def test_bad_sessions_are_refused_with_nothing_changed(table, fields, message) -> None:  # type: ignore[no-untyped-def]
    _session(*table)
    with pytest.raises(services.AgendaError, match=message):
        _session(*table, **fields)
    db.session.rollback()
    assert len(services.sessions_of(table[0])) == 1


def test_another_room_at_the_same_time_is_fine(table) -> None:  # type: ignore[no-untyped-def]
    _session(*table)
    _session(*table, room="Sala B", title="Lavoro")
    assert len(services.current_sessions(table[0], TEN + dt.timedelta(minutes=1))) == 2


def test_sections_open_at_the_start_and_lock_at_the_end(table) -> None:  # type: ignore[no-untyped-def]
    workshop, _, document = table
    session = _session(*table)
    assert clock.tick(TEN - dt.timedelta(seconds=1)) == []
    assert _states(document) == [SectionState.LOCKED] * 3

    opened = clock.tick(TEN)
    assert [(a.session_id, a.action) for a in opened] == [(session.id, Action.OPEN)]
    assert _states(document) == [SectionState.OPEN, SectionState.OPEN, SectionState.LOCKED]
    assert services.current_sessions(workshop, TEN) == [session]

    assert clock.tick(session.ends_at - dt.timedelta(seconds=1)) == []
    locked = clock.tick(session.ends_at)
    assert [a.action for a in locked] == [Action.LOCK]
    assert _states(document) == [SectionState.LOCKED] * 3
    assert services.current_sessions(workshop, session.ends_at) == []
    actions = db.session.scalars(db.select(AuditEvent.action)).all()
    assert "agenda.sections_opened" in actions and "agenda.sections_locked" in actions


def test_applying_twice_changes_nothing_more(table) -> None:  # type: ignore[no-untyped-def]
    _, _, document = table
    session = _session(*table)
    assert len(clock.tick(TEN)) == 1
    assert clock.tick(TEN) == []
    # A facilitator locks a section by hand during the session: the agenda does not reopen it.
    document.sections[0].state = SectionState.LOCKED
    db.session.commit()
    assert clock.tick(TEN + dt.timedelta(minutes=3)) == []
    assert len(clock.tick(session.ends_at)) == 1
    assert clock.tick(session.ends_at + dt.timedelta(minutes=1)) == []


def test_without_the_checkboxes_nothing_happens_by_itself(table) -> None:  # type: ignore[no-untyped-def]
    _, _, document = table
    session = _session(*table, open_at_start=False, lock_at_end=False)
    assert clock.tick(TEN) == [] and clock.tick(session.ends_at) == []
    assert _states(document) == [SectionState.LOCKED] * 3


def test_a_session_missed_by_a_stopped_server_is_locked_not_opened(table) -> None:  # type: ignore[no-untyped-def]
    _, _, document = table
    document.sections[0].state = SectionState.OPEN
    db.session.commit()
    session = _session(*table)
    applied = clock.tick(session.ends_at + dt.timedelta(hours=3))
    assert [a.action for a in applied] == [Action.LOCK]
    assert _states(document) == [SectionState.LOCKED] * 3


def test_approved_sections_and_frozen_documents_are_left_alone(table) -> None:  # type: ignore[no-untyped-def]
    _, _facilitator, document = table
    document.sections[0].state = SectionState.APPROVED
    db.session.commit()
    _session(*table)
    clock.tick(TEN)
    assert _states(document)[:2] == [SectionState.APPROVED, SectionState.OPEN]
    document.status = DocumentStatus.FROZEN
    db.session.commit()
    clock.tick(TEN + dt.timedelta(hours=2))
    assert _states(document)[:2] == [SectionState.APPROVED, SectionState.OPEN]


def test_an_extension_moves_the_end_and_the_lock(table) -> None:  # type: ignore[no-untyped-def]
    workshop, facilitator, document = table
    session = _session(*table)
    clock.tick(TEN)
    end = session.ends_at
    services.extend(facilitator.person, session, 10, end - dt.timedelta(minutes=2))
    db.session.commit()
    assert session.ends_at == end + dt.timedelta(minutes=10)
    assert clock.tick(end) == []
    assert _states(document)[:2] == [SectionState.OPEN] * 2
    assert services.current_sessions(workshop, end) == [session]
    assert [a.action for a in clock.tick(end + dt.timedelta(minutes=10))] == [Action.LOCK]
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "agenda.session_extended")
    ).one()
    assert event.details["minutes"] == 10
    assert event.details["after"] == "05/03/2026 11:25"


def test_an_extension_is_refused_into_the_next_session_or_after_the_end(table) -> None:  # type: ignore[no-untyped-def]
    _workshop, facilitator, _document = table
    session = _session(*table)
    _session(*table, title="Lavoro", start=dt.time(11, 20), end=dt.time(12, 30))
    with pytest.raises(services.AgendaError, match="c'è già"):
        services.extend(facilitator.person, session, 10, TEN)
    with pytest.raises(services.AgendaError, match="5 o di 10"):
        services.extend(facilitator.person, session, 60, TEN)
    with pytest.raises(services.AgendaError, match="già finita"):
        services.extend(facilitator.person, session, 5, session.ends_at)
    db.session.rollback()
    assert session.ends_at == TEN + dt.timedelta(minutes=75)


def test_an_extension_committed_late_stops_a_lock_already_planned(table) -> None:  # type: ignore[no-untyped-def]
    """The conditional update checks the end again: a tick that read the old end before
    an extension committed does not lock the section."""
    _, _facilitator, _ = table
    session = _session(*table, open_at_start=False)
    end = session.ends_at
    db.session.execute(
        db.update(AgendaSession)
        .where(AgendaSession.id == session.id)
        .values(ends_at=end + dt.timedelta(minutes=5))
    )
    assert services._claim(session.id, Action.LOCK, end) is False
    db.session.rollback()


@pytest.mark.postgres
def test_two_processes_apply_a_transition_once_on_postgres(tmp_path, postgres_url: str) -> None:
    """The second process's claim waits for the first one's transaction, then finds the
    transition taken: the sections change once, and one audit entry says so."""
    with fresh_app(tmp_path / "one", postgres_url):
        workshop, facilitator, document = _table()
        _session(workshop, facilitator, document)
        second = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=postgres_url)
        first = services.apply_due(TEN)
        assert len(first) == 1
        found: list[list[services.Applied]] = []
        waiting = threading.Thread(target=_apply_in, args=(second, found))
        waiting.start()
        waiting.join(timeout=1)
        assert waiting.is_alive(), "the second claim should wait for the first transaction"
        db.session.commit()
        waiting.join(timeout=10)
        assert found == [[]]
        assert _states(document)[:2] == [SectionState.OPEN] * 2
        opened = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "agenda.sections_opened")
        ).all()
        assert len(opened) == 1


def _apply_in(app: Flask, found: list) -> None:  # type: ignore[type-arg]
    with app.app_context():
        found.append(services.apply_due(TEN))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_a_session_moved_later_opens_and_locks_again(table) -> None:  # type: ignore[no-untyped-def]
    _workshop, facilitator, document = table
    session = _session(*table)
    clock.tick(TEN)
    clock.tick(session.ends_at)
    assert _states(document)[:2] == [SectionState.LOCKED] * 2
    services.update_session(
        facilitator.person,
        session,
        services.SessionData(
            title="Abitare, ripresa",
            day=DAY,
            start=dt.time(14, 0),
            end=dt.time(15, 0),
            room="Sala A",
            section_ids=[document.sections[0].id],
            open_at_start=True,
            lock_at_end=True,
        ),
        TEN + dt.timedelta(hours=2),
    )
    db.session.commit()
    assert session.opened_at is None and session.locked_at is None
    afternoon = dt.datetime(2026, 3, 5, 13, 0)
    assert [a.action for a in clock.tick(afternoon)] == [Action.OPEN]
    assert _states(document) == [SectionState.OPEN, SectionState.LOCKED, SectionState.LOCKED]
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "agenda.session_updated")
    ).one()
    assert "start: 05/03/2026 14:00" in event.details["after"]


@pytest.mark.database
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    clock_minutes=st.lists(st.integers(-30, 150), min_size=1, max_size=6),
    extend_at=st.one_of(st.none(), st.integers(-30, 150)),
)
def test_any_clock_opens_and_locks_at_most_once_and_on_time(
    tmp_path_factory, clock_minutes: list[int], extend_at: int | None
) -> None:
    """Ticks at any moments, in order, with an extension somewhere among them: each
    transition is recorded at most once, never early, and the lock is there once a tick
    came after the (possibly extended) end."""
    with fresh_app(tmp_path_factory.mktemp("clock")):
        workshop, facilitator, document = _table()
        session = _session(workshop, facilitator, document)
        moments = sorted(TEN + dt.timedelta(minutes=m) for m in clock_minutes)
        if extend_at is not None:
            moments = sorted({*moments, TEN + dt.timedelta(minutes=extend_at)})
        for now in moments:
            if extend_at is not None and now == TEN + dt.timedelta(minutes=extend_at):
                try:
                    services.extend(facilitator.person, session, 10, now)
                    db.session.commit()
                except services.AgendaError:
                    db.session.rollback()
            for applied in clock.tick(now):
                if applied.action is Action.OPEN:
                    assert session.starts_at <= now < session.ends_at
                else:
                    assert now >= session.ends_at
        events = db.session.scalars(db.select(AuditEvent.action)).all()
        assert events.count("agenda.sections_opened") <= 1
        assert events.count("agenda.sections_locked") == (
            1 if any(now >= session.ends_at for now in moments) else 0
        )


def test_a_session_entered_after_its_end_locks_nothing(table) -> None:  # type: ignore[no-untyped-def]
    workshop, facilitator, document = table
    document.sections[0].state = SectionState.OPEN
    db.session.commit()
    services.create_session(
        facilitator.person,
        workshop,
        services.SessionData(
            title="Ieri",
            day=DAY,
            start=dt.time(10),
            end=dt.time(11),
            section_ids=[document.sections[0].id],
            open_at_start=True,
            lock_at_end=True,
        ),
        TEN + dt.timedelta(days=1),
    )
    db.session.commit()
    assert clock.tick(TEN + dt.timedelta(days=1)) == []
    assert _states(document)[0] is SectionState.OPEN
