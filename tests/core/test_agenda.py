import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from app.core.agenda import (
    WARNING,
    Action,
    Automation,
    Problem,
    Slot,
    current,
    due,
    extended,
    overlaps,
    problems,
    warning_from,
)

DAY = dt.datetime(2026, 3, 5, 8, 0)
ROOMS = ["Sala A", "sala a ", "Sala B", ""]

minutes = st.integers(min_value=-60, max_value=16 * 60)
rooms = st.sampled_from(ROOMS)


@st.composite
def slots(draw, id_: int | None = None):  # type: ignore[no-untyped-def]
    start = DAY + dt.timedelta(minutes=draw(st.integers(0, 12 * 60)))
    return Slot(id_, start, start + dt.timedelta(minutes=draw(minutes)), draw(rooms))


@st.composite
def agendas(draw):  # type: ignore[no-untyped-def]
    count = draw(st.integers(0, 6))
    return [draw(slots(i + 1)) for i in range(count)]


moments = st.integers(-60, 30 * 60).map(lambda m: DAY + dt.timedelta(minutes=m))


def test_a_programme_timed_to_the_quarter_hour_fits() -> None:
    one = Slot(1, DAY.replace(hour=9), DAY.replace(hour=10, minute=15), "Sala A")
    two = Slot(None, DAY.replace(hour=10, minute=15), DAY.replace(hour=11, minute=30), "Sala A")
    assert problems(two, [one]) == []


def test_bad_sessions_are_named() -> None:
    one = Slot(1, DAY.replace(hour=9), DAY.replace(hour=11), "Sala A")
    assert problems(Slot(None, one.end, one.start, "Sala A"), []) == [Problem.ENDS_BEFORE_START]
    assert problems(Slot(None, one.start, one.start, "Sala A"), []) == [Problem.ENDS_BEFORE_START]
    late = Slot(None, DAY.replace(hour=10), DAY.replace(hour=12), " sala  a")
    assert problems(late, [one]) == [Problem.OVERLAP]
    assert problems(Slot(None, DAY, DAY + dt.timedelta(hours=13), "B"), []) == [Problem.TOO_LONG]


@given(slots(None), agendas())
def test_a_valid_session_ends_after_it_starts_and_shares_its_room_with_nobody(
    slot: Slot, others: list[Slot]
) -> None:
    found = problems(slot, others)
    if not found:
        assert slot.start < slot.end
        assert slot.end - slot.start <= dt.timedelta(hours=12)
        clash = [
            o
            for o in others
            if overlaps(slot, o) and o.room.strip().lower() == slot.room.strip().lower()
        ]
        assert clash == []
    if slot.end <= slot.start:
        assert found == [Problem.ENDS_BEFORE_START]


@given(agendas())
def test_a_stored_session_never_clashes_with_itself(agenda: list[Slot]) -> None:
    for slot in agenda:
        assert Problem.OVERLAP not in problems(slot, [slot])


@given(agendas(), moments)
def test_the_current_sessions_are_exactly_those_running(
    agenda: list[Slot], now: dt.datetime
) -> None:
    running = current(agenda, now)
    assert {s.id for s in running} == {s.id for s in agenda if s.start <= now < s.end}
    assert [s.start for s in running] == sorted(s.start for s in running)


@given(slots(1))
def test_the_warning_falls_within_the_session(slot: Slot) -> None:
    if slot.end > slot.start:
        assert slot.start <= warning_from(slot) < slot.end
        assert slot.end - warning_from(slot) <= WARNING


def test_the_warning_starts_five_minutes_before_the_end() -> None:
    slot = Slot(1, DAY, DAY + dt.timedelta(hours=1), "A")
    assert warning_from(slot) == DAY + dt.timedelta(minutes=55)
    short = Slot(2, DAY, DAY + dt.timedelta(minutes=1), "A")
    assert warning_from(short) == DAY


def _run(automation: Automation, now: dt.datetime) -> Automation:
    """Applies what is due at `now`, as the service does."""
    actions = {a for _, a in due([automation], now)}
    return Automation(
        automation.slot,
        automation.open_at_start,
        automation.lock_at_end,
        now if Action.OPEN in actions else automation.opened_at,
        now if Action.LOCK in actions else automation.locked_at,
    )


@given(slots(1), st.booleans(), st.booleans(), st.lists(moments, max_size=8))
def test_each_transition_happens_once_and_on_time(
    slot: Slot, open_at_start: bool, lock_at_end: bool, clock: list[dt.datetime]
) -> None:
    state = Automation(slot, open_at_start, lock_at_end, None, None)
    for now in sorted(clock):
        before = state
        state = _run(state, now)
        # Applied twice at the same moment, nothing more happens.
        assert _run(state, now) == state
        if state.opened_at != before.opened_at:
            assert open_at_start and slot.start <= now < slot.end
        if state.locked_at != before.locked_at:
            assert lock_at_end and now >= slot.end
    if lock_at_end and any(now >= slot.end for now in clock):
        assert state.locked_at is not None
    if not open_at_start:
        assert state.opened_at is None


def test_a_session_missed_entirely_is_locked_but_not_opened() -> None:
    slot = Slot(7, DAY, DAY + dt.timedelta(minutes=1), "A")
    automation = Automation(slot, True, True, None, None)
    assert due([automation], DAY + dt.timedelta(hours=2)) == [(7, Action.LOCK)]
    assert due([automation], DAY) == [(7, Action.OPEN)]


def test_an_extension_moves_the_end_unless_the_room_is_taken() -> None:
    one = Slot(1, DAY, DAY + dt.timedelta(hours=1), "A")
    after = Slot(2, one.end + dt.timedelta(minutes=7), one.end + dt.timedelta(hours=1), "A")
    longer = extended(one, 5, [one, after])
    assert isinstance(longer, Slot) and longer.end == one.end + dt.timedelta(minutes=5)
    assert extended(one, 10, [one, after]) == Problem.OVERLAP
