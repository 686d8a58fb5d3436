import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.tally import CHOICES, Count, Scale, is_objection, needs_reason, tally

CATEGORIES = ["Aziende sanitarie", "Regione", "Comuni", "Terzo settore", ""]


def test_a_consent_round_counts_every_choice_and_each_category() -> None:
    result = tally(
        Scale.CONSENT,
        [
            Count("favorevole", "Comuni"),
            Count("favorevole", "Comuni"),
            Count("contrario", "Aziende sanitarie"),
            Count("riserve", "Terzo settore"),
            Count("astenuto", "Regione"),
        ],
        eligible=8,
        quorum=5,
    )
    assert result.counts == {"favorevole": 2, "riserve": 1, "contrario": 1, "astenuto": 1}
    assert result.voters == 5 and result.quorum_reached
    assert list(result.by_category) == ["Aziende sanitarie", "Comuni", "Regione", "Terzo settore"]
    assert result.by_category["Comuni"]["favorevole"] == 2
    assert result.eligible == 8
    assert result.average is None


def test_abstaining_counts_towards_the_quorum_and_one_short_is_not_enough() -> None:
    counts = [Count("astenuto", "Comuni")] * 3
    assert tally(Scale.YES_NO, counts, eligible=10, quorum=3).quorum_reached
    assert not tally(Scale.YES_NO, counts, eligible=10, quorum=4).quorum_reached


def test_without_a_quorum_any_turnout_is_valid() -> None:
    result = tally(Scale.YES_NO, [], eligible=10, quorum=None)
    assert result.quorum_reached and result.voters == 0


def test_scores_have_an_average() -> None:
    result = tally(Scale.SCORE, [Count("5", ""), Count("2", ""), Count("2", "Comuni")], 3, None)
    assert result.average == 3
    assert tally(Scale.SCORE, [], 3, None).average is None


def test_a_secret_tally_row_counts_many_people() -> None:
    result = tally(Scale.CONSENT, [Count("contrario", "Regione", 4)], eligible=4, quorum=4)
    assert result.counts["contrario"] == 4 and result.quorum_reached


def test_a_count_outside_the_scale_is_refused() -> None:
    with pytest.raises(ValueError):
        tally(Scale.YES_NO, [Count("favorevole", "")], 1, None)
    with pytest.raises(ValueError):
        tally(Scale.SCORE, [Count("3", "", -1)], 1, None)


def test_objections_and_reasons() -> None:
    assert is_objection(Scale.CONSENT, "contrario")
    assert not is_objection(Scale.CONSENT, "riserve")
    assert is_objection(Scale.YES_NO, "no")
    assert not any(is_objection(Scale.SCORE, c) for c in CHOICES[Scale.SCORE])
    assert needs_reason(Scale.CONSENT, "contrario", True)
    assert not needs_reason(Scale.CONSENT, "contrario", False)
    assert not needs_reason(Scale.CONSENT, "favorevole", True)


ballots = st.sampled_from(list(Scale)).flatmap(
    lambda scale: st.tuples(
        st.just(scale),
        st.lists(
            st.builds(Count, st.sampled_from(CHOICES[scale]), st.sampled_from(CATEGORIES)),
            max_size=50,
        ),
    )
)


@given(ballots, st.integers(0, 60), st.none() | st.integers(1, 60))
def test_totals_and_categories_add_up(
    drawn: tuple[Scale, list[Count]], eligible: int, quorum: int | None
) -> None:
    scale, counts = drawn
    result = tally(scale, counts, eligible, quorum)
    assert result.voters == len(counts) == sum(result.counts.values())
    for choice in CHOICES[scale]:
        assert result.counts[choice] == sum(row[choice] for row in result.by_category.values())
    assert result.quorum_reached == (quorum is None or len(counts) >= quorum)


@given(ballots)
def test_a_secret_tally_gives_the_same_result_as_the_ballots(
    drawn: tuple[Scale, list[Count]],
) -> None:
    """Secret rounds keep one row per (choice, category) instead of one per person."""
    scale, counts = drawn
    grouped: dict[tuple[str, str], int] = {}
    for c in counts:
        grouped[(c.choice, c.category)] = grouped.get((c.choice, c.category), 0) + 1
    rows = [Count(choice, category, n) for (choice, category), n in grouped.items()]
    assert tally(scale, rows, 10, 3) == tally(scale, counts, 10, 3)
