"""Counting the votes of a round: the scales a facilitator can choose, which choices are
objections, and the result with its quorum and its breakdown by stakeholder category.

The quorum is a number of people who must take part (abstaining counts as taking
part: the person was there and said so). A facilitator sets it when opening the round;
left empty, the round has no quorum. The eligible voters (participants and facilitators
of the workshop) are counted beside it, so the result also reads as a turnout. A secret
round is counted from its tallies alone: this module never needs to know who chose
what, only how many of each category chose each option.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Scale(StrEnum):
    CONSENT = "consent"
    YES_NO = "yes_no"
    SCORE = "score"


CHOICES: dict[Scale, tuple[str, ...]] = {
    Scale.CONSENT: ("favorevole", "riserve", "contrario", "astenuto"),
    Scale.YES_NO: ("si", "no", "astenuto"),
    Scale.SCORE: ("0", "1", "2", "3", "4", "5"),
}

# Choices that oppose the text: they go to the dissent register, and a round may ask
# for a reason with them. A low score is an opinion, not an objection.
OBJECTIONS: dict[Scale, frozenset[str]] = {
    Scale.CONSENT: frozenset({"contrario"}),
    Scale.YES_NO: frozenset({"no"}),
    Scale.SCORE: frozenset(),
}


def is_choice(scale: Scale, choice: str) -> bool:
    return choice in CHOICES[scale]


def is_objection(scale: Scale, choice: str) -> bool:
    return choice in OBJECTIONS[scale]


def needs_reason(scale: Scale, choice: str, reason_required: bool) -> bool:
    return reason_required and is_objection(scale, choice)


@dataclass(frozen=True)
class Count:
    """`count` people of `category` chose `choice`: one ballot of an open round, or one
    tally row of a secret one."""

    choice: str
    category: str
    count: int = 1


@dataclass(frozen=True)
class Result:
    scale: Scale
    counts: dict[str, int]  # every choice of the scale, in the scale's order
    by_category: dict[str, dict[str, int]]  # category → choice → count, categories sorted
    voters: int
    eligible: int
    quorum: int | None
    average: float | None  # score rounds only, None without votes

    @property
    def quorum_reached(self) -> bool:
        return self.quorum is None or self.voters >= self.quorum


def tally(scale: Scale, counts: Iterable[Count], eligible: int, quorum: int | None) -> Result:
    """Raises ValueError for a choice outside the scale or a negative count: a tally
    that does not add up must not be shown as a result."""
    totals = dict.fromkeys(CHOICES[scale], 0)
    categories: dict[str, dict[str, int]] = {}
    for item in counts:
        if not is_choice(scale, item.choice) or item.count < 0:
            raise ValueError(f"not a count of the {scale} scale: {item}")
        totals[item.choice] += item.count
        row = categories.setdefault(item.category, dict.fromkeys(CHOICES[scale], 0))
        row[item.choice] += item.count
    voters = sum(totals.values())
    return Result(
        scale=scale,
        counts=totals,
        by_category={name: categories[name] for name in sorted(categories)},
        voters=voters,
        eligible=eligible,
        quorum=quorum,
        average=_average(totals) if scale is Scale.SCORE and voters else None,
    )


def _average(totals: dict[str, int]) -> float:
    return sum(int(choice) * n for choice, n in totals.items()) / sum(totals.values())
