"""Who may type where: the one rule the pages and the live channel both read."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.permissions import DocumentStatus, Role, SectionState, can_edit_section

roles = st.sampled_from([*Role, None])


@given(roles, st.sampled_from(SectionState), st.sampled_from(DocumentStatus))
def test_nobody_types_in_an_archived_workshop(role, state, status) -> None:  # type: ignore[no-untyped-def]
    assert not can_edit_section(role, state, status, archived=True)


@given(roles, st.sampled_from(SectionState), st.sampled_from(DocumentStatus))
def test_a_running_workshop_lets_writers_type_in_open_sections_of_a_draft(  # type: ignore[no-untyped-def]
    role, state, status
) -> None:
    expected = (
        role in (Role.PARTICIPANT, Role.FACILITATOR)
        and state is SectionState.OPEN
        and status is DocumentStatus.DRAFT
    )
    assert can_edit_section(role, state, status, archived=False) is expected
