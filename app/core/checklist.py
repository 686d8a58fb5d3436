"""What is still open before a step that cannot be taken back lightly: freezing the text
for the last check, publishing it for the institutions. Nothing here forbids the step;
the facilitator sees what the room left behind and decides, so that no template hint
and no section over its limit reaches the institutions because nobody looked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.core.words import limit_status


class Kind(StrEnum):
    PLACEHOLDERS = "placeholders"
    OVER_LIMIT = "over_limit"
    EMPTY = "empty"
    OPEN_VOTES = "open_votes"
    PENDING_AMENDMENTS = "pending_amendments"
    OPEN_COMMENTS = "open_comments"


@dataclass(frozen=True)
class SectionFacts:
    anchor: str
    title: str
    words: int
    word_limit: int | None
    placeholders: tuple[str, ...]


@dataclass(frozen=True)
class Where:
    anchor: str
    title: str
    detail: str  # "[Ente], [Data]" or "635/600"


@dataclass(frozen=True)
class Item:
    kind: Kind
    count: int
    where: tuple[Where, ...] = ()


def open_items(
    sections: Sequence[SectionFacts],
    open_votes: int = 0,
    pending_amendments: int = 0,
    open_comments: int = 0,
) -> list[Item]:
    """The open items, in the order they matter to the text handed over: hints left
    in it, sections over their limit, empty sections, then the room's open business."""
    hinted = tuple(
        Where(s.anchor, s.title, ", ".join(s.placeholders)) for s in sections if s.placeholders
    )
    over = tuple(
        Where(s.anchor, s.title, f"{s.words}/{s.word_limit}")
        for s in sections
        if limit_status(s.words, s.word_limit) == "over"
    )
    empty = tuple(Where(s.anchor, s.title, "") for s in sections if s.words == 0)
    items = [
        Item(Kind.PLACEHOLDERS, sum(len(s.placeholders) for s in sections), hinted),
        Item(Kind.OVER_LIMIT, len(over), over),
        Item(Kind.EMPTY, len(empty), empty),
        Item(Kind.OPEN_VOTES, open_votes),
        Item(Kind.PENDING_AMENDMENTS, pending_amendments),
        Item(Kind.OPEN_COMMENTS, open_comments),
    ]
    return [item for item in items if item.count]
