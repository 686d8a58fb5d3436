"""The rules of the commitments register: who moves a commitment where, and what a new
one must say."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from app.core.commitments import (
    INSTITUTION_MAX,
    NOTE_MAX,
    TRANSITIONS,
    Actor,
    Draft,
    Status,
    allowed,
    note_problem,
    problems,
    refusal,
)

statuses = st.sampled_from(Status)
actors = st.sampled_from(Actor)
TODAY = dt.date(2026, 12, 6)


@given(statuses, statuses, actors)
def test_a_move_is_allowed_exactly_when_nothing_refuses_it(
    current: Status, target: Status, actor: Actor
) -> None:
    assert (target in allowed(current, actor)) == (refusal(current, target, actor) is None)


@given(statuses, statuses, actors)
def test_nobody_makes_a_move_outside_the_transitions(
    current: Status, target: Status, actor: Actor
) -> None:
    if refusal(current, target, actor) is None:
        assert target in TRANSITIONS[current]
        assert target is not current


@given(statuses, statuses)
def test_a_participant_changes_no_status_and_is_told_why_agreeing_is_not_theirs(
    current: Status, target: Status
) -> None:
    reason = refusal(current, target, Actor.PARTICIPANT)
    assert reason is not None
    if target is Status.AGREED:
        assert "facilitatore" in str(reason) and "concordato" in str(reason)


@given(statuses, statuses)
def test_whatever_the_institution_may_do_a_facilitator_may_too(
    current: Status, target: Status
) -> None:
    if refusal(current, target, Actor.INSTITUTION) is None:
        assert refusal(current, target, Actor.FACILITATOR) is None


@given(statuses)
def test_only_a_facilitator_agrees_and_nothing_goes_back_to_proposed(current: Status) -> None:
    for actor in Actor:
        assert refusal(current, Status.PROPOSED, actor) is not None
        if actor is not Actor.FACILITATOR:
            assert refusal(current, Status.AGREED, actor) is not None


def test_the_institution_follows_up_agreed_commitments_only() -> None:
    assert allowed(Status.PROPOSED, Actor.INSTITUTION) == []
    assert allowed(Status.DROPPED, Actor.INSTITUTION) == []
    assert allowed(Status.AGREED, Actor.INSTITUTION) == [
        Status.IN_PROGRESS,
        Status.DONE,
        Status.DROPPED,
    ]
    assert allowed(Status.DONE, Actor.INSTITUTION) == [Status.IN_PROGRESS]
    assert "concordato" in str(refusal(Status.PROPOSED, Status.DONE, Actor.INSTITUTION))


def test_every_status_is_reachable_from_a_proposal_by_a_facilitator() -> None:
    reached, frontier = {Status.PROPOSED}, [Status.PROPOSED]
    while frontier:
        current = frontier.pop()
        for target in allowed(current, Actor.FACILITATOR):
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(Status)


@given(
    st.text(max_size=400),
    st.text(max_size=400),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)) | st.none(),
)
def test_a_draft_is_refused_when_and_only_when_a_rule_says_so(
    institution: str, action: str, due_on: dt.date | None
) -> None:
    found = [str(p) for p in problems(Draft(institution, action, due_on=due_on), TODAY)]
    assert ("Indica l'ente che si impegna." in found) == (not institution.strip())
    assert ("Descrivi l'azione a cui l'ente si impegna." in found) == (not action.strip())
    assert any("scadenza" in p for p in found) == (due_on is not None and due_on < TODAY)
    too_long = len(institution.strip()) > INSTITUTION_MAX
    assert any("ente supera" in p for p in found) == too_long


def test_today_is_not_in_the_past_and_every_problem_is_listed_at_once() -> None:
    assert problems(Draft("Regione", "Finanzia", due_on=TODAY), TODAY) == []
    found = problems(Draft("  ", "\n", due_on=TODAY - dt.timedelta(days=1)), TODAY)
    assert len(found) == 3


@given(st.text(max_size=2100))
def test_a_note_is_refused_only_when_too_long(note: str) -> None:
    assert (note_problem(note) is not None) == (len(note.strip()) > NOTE_MAX)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)), st.dates())
def test_a_recorded_due_date_stays_valid_once_passed_and_no_other_past_date_enters(
    due_on: dt.date, recorded: dt.date
) -> None:
    found = problems(Draft("Regione", "Finanzia.", due_on=due_on), TODAY, recorded)
    assert (found != []) == (due_on < TODAY and due_on != recorded)
