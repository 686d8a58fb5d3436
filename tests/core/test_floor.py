from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from app.core.floor import (
    ACTIVE,
    Request,
    Status,
    has_active,
    may_move,
    one_line,
    position,
    speaking,
    waiting,
)

START = dt.datetime(2026, 12, 6, 10, 0)
requests = st.lists(
    st.builds(
        Request,
        id=st.integers(1, 10_000),
        person_id=st.integers(1, 8),
        status=st.sampled_from(Status),
        requested_at=st.integers(0, 600).map(lambda s: START + dt.timedelta(seconds=s)),
    ),
    max_size=30,
    unique_by=lambda r: r.id,
)


@given(requests)
def test_the_queue_is_the_waiting_requests_in_the_order_people_asked(found: list[Request]) -> None:
    queue = waiting(found)
    assert {r.id for r in queue} == {r.id for r in found if r.status is Status.WAITING}
    assert queue == sorted(queue, key=lambda r: (r.requested_at, r.id))
    for index, request in enumerate(queue, start=1):
        first_of_person = next(r for r in queue if r.person_id == request.person_id)
        if first_of_person is request:
            assert position(found, request.person_id) == index


@given(requests, st.integers(1, 8))
def test_a_person_not_waiting_has_no_position(found: list[Request], person_id: int) -> None:
    if not any(r.person_id == person_id and r.status is Status.WAITING for r in found):
        assert position(found, person_id) is None
    assert has_active(found, person_id) == any(
        r.person_id == person_id and r.status in ACTIVE for r in found
    )


@given(requests)
def test_whoever_speaks_is_a_speaking_request(found: list[Request]) -> None:
    current = speaking(found)
    assert (current is None) == all(r.status is not Status.SPEAKING for r in found)
    assert current is None or current.status is Status.SPEAKING


@given(st.sampled_from(Status), st.sampled_from(Status), st.booleans())
def test_closed_requests_stay_closed_and_only_the_facilitator_gives_the_floor(
    current: Status, target: Status, by_facilitator: bool
) -> None:
    allowed = may_move(current, target, by_facilitator)
    if current not in ACTIVE:
        assert not allowed
    if target is Status.SPEAKING and allowed:
        assert by_facilitator and current is Status.WAITING
    if target is Status.WITHDRAWN and allowed:
        assert not by_facilitator


@given(st.text())
def test_one_line_has_no_breaks_nor_runs_of_spaces(text: str) -> None:
    line = one_line(text)
    assert line == line.strip() and "\n" not in line and "  " not in line
    assert line.split() == text.split()
