from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.lifecycle import can_move, next_statuses, structure_editable
from app.core.permissions import DocumentStatus as S


def test_the_allowed_moves():
    assert can_move(S.DRAFT, S.FROZEN)
    assert can_move(S.FROZEN, S.DRAFT)
    assert can_move(S.FROZEN, S.PUBLISHED)
    assert not can_move(S.DRAFT, S.PUBLISHED)
    assert not can_move(S.PUBLISHED, S.FROZEN)
    assert not can_move(S.DRAFT, S.DRAFT)


def test_only_a_draft_changes_structure():
    assert [s for s in S if structure_editable(s)] == [S.DRAFT]


@given(st.lists(st.sampled_from(list(S)), max_size=30))
def test_any_walk_reaches_published_only_through_frozen_and_stays_there(targets):
    status, history = S.DRAFT, [S.DRAFT]
    for target in targets:
        if can_move(status, target):
            status = target
            history.append(status)
    if S.PUBLISHED in history:
        at = history.index(S.PUBLISHED)
        assert history[at - 1] is S.FROZEN
        assert history[at:] == [S.PUBLISHED]
    assert next_statuses(S.PUBLISHED) == ()
