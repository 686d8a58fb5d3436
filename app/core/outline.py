"""Numbering and nesting of a document's sections ("1", "1.1", "2"), for the side
navigation, the headings of the page and the table of contents of the export.

A level that jumps ahead of its parent (a level 3 right after a level 1) is read as
one level below that parent: the text still has a sensible place in the outline, and
the numbers never show a gap such as "1.0.1"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

# Deeper levels would give numbers like "2.3.1.4" that nobody reads aloud in a room.
MAX_LEVEL = 3


@dataclass
class Entry:
    index: int  # position in the sequence the outline was built from
    title: str
    depth: int  # the level actually used, after smoothing jumps
    number: str
    children: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Outline:
    entries: list[Entry]  # one per input item, in input order
    roots: list[Entry]


def depths(levels: Sequence[int]) -> list[int]:
    """The level each section takes in the outline. A section nests under the closest
    earlier section that asked for a smaller level, one step below it: sections that
    asked for the same level stay siblings even after a jump, and a well-formed outline
    keeps exactly the levels it asked for."""
    result: list[int] = []
    ancestors: list[int] = []  # levels asked for along the current path, increasing
    for level in levels:
        level = max(level, 1)
        while ancestors and ancestors[-1] >= level:
            ancestors.pop()
        result.append(len(ancestors) + 1)
        ancestors.append(level)
    return result


def numbers(levels: Sequence[int]) -> list[str]:
    counters: list[int] = []
    result: list[str] = []
    for depth in depths(levels):
        del counters[depth:]
        if len(counters) == depth:
            counters[-1] += 1
        else:
            counters.append(1)
        result.append(".".join(str(n) for n in counters))
    return result


def build(items: Sequence[tuple[str, int]], numbered: bool = True) -> Outline:
    """`items` are (title, level) in document order. A document whose titles carry
    their own numbers (kept from an imported file) is not `numbered`: every number is
    empty, and each place that shows one shows the title alone."""
    levels = [level for _, level in items]
    shown = numbers(levels) if numbered else [""] * len(levels)
    entries = [
        Entry(index=i, title=title, depth=depth, number=number)
        for i, ((title, _), depth, number) in enumerate(
            zip(items, depths(levels), shown, strict=True)
        )
    ]
    roots: list[Entry] = []
    open_parents: list[Entry] = []
    for entry in entries:
        del open_parents[entry.depth - 1 :]
        (open_parents[-1].children if open_parents else roots).append(entry)
        open_parents.append(entry)
    return Outline(entries=entries, roots=roots)
