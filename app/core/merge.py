"""Merging an accepted amendment into a section that has moved on since it was written.

An amendment keeps the whole text it was written on (`base`) and the whole text it
proposes. Accepting it turns base → proposal into diff-match-patch patches and applies
them to the live text. Each patch is a change (the words replaced, the words put in
their place) with a little context on each side. The context may have moved or been
lightly edited: the change is still placed, and the merge is *fuzzy*. The words the
amendment replaces must still be there exactly as the author read them: if someone has
rewritten them since, placing the change would silently undo that person's work, so
the patch is a *conflict*, and then nothing at all is applied. The facilitator sees the
conflicting changes and settles the text by hand.

Positions are code points (Python string indices), the unit the editor reports too.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from diff_match_patch import diff_match_patch

from app.core.diff import Op, word_diff

# Diffs of what was found against what was expected are short, but must be minimal: a
# coarse "delete all, insert all" diff would turn a fuzzy match into a conflict.
_DIFF_TIMEOUT_SECONDS = 2.0
# The context of a patch may have moved a long way: a paragraph added above it.
_MATCH_DISTANCE = 5000


class Outcome(StrEnum):
    CLEAN = "clean"  # every change placed where it was written, around the same words
    FUZZY = "fuzzy"  # every change placed, some after the text around them had moved
    CONFLICT = "conflict"  # some change could not be placed: nothing applied


@dataclass(frozen=True)
class Hunk:
    """One change of an amendment that could not be placed."""

    before: str  # context the change expected just before it
    removed: str  # the words of the base text it replaces
    inserted: str  # what the amendment puts in their place
    after: str  # context expected just after it


@dataclass(frozen=True)
class Merge:
    outcome: Outcome
    # The merged text; for a conflict, the live text with only the changes that could be
    # placed: a starting point for the facilitator, never applied as it is.
    text: str
    conflicts: tuple[Hunk, ...] = ()

    @property
    def applied(self) -> bool:
        return self.outcome is not Outcome.CONFLICT


def proposal(base: str, start: int, end: int, replacement: str) -> str:
    """The full text an amendment proposes when it replaces `base[start:end]`; raises
    ValueError for a passage that does not fit the text."""
    if not 0 <= start <= end <= len(base):
        raise ValueError("passage outside the text")
    return base[:start] + replacement + base[end:]


def merge(base: str, proposed: str, current: str) -> Merge:
    engine = _engine()
    text, delta = current, 0
    exact, conflicts = True, []
    for patch in engine.patch_make(base, _word_diffs(base, proposed)):
        change = _Change.of(engine, patch)
        expected = patch.start2 + delta
        placed = _place(engine, change, text, expected)
        if placed is None:
            conflicts.append(change.hunk())
            # Later patches were computed on a text that had this change: undo its length.
            delta -= patch.length2 - patch.length1
            continue
        found, text, was_exact = placed
        delta = found - expected
        exact = exact and was_exact and found == expected
    if conflicts:
        return Merge(Outcome.CONFLICT, text, tuple(conflicts))
    return Merge(Outcome.CLEAN if exact else Outcome.FUZZY, text)


_OPS = {Op.EQUAL: diff_match_patch.DIFF_EQUAL, Op.INSERT: diff_match_patch.DIFF_INSERT}


def _word_diffs(base: str, proposed: str) -> list[tuple[int, str]]:
    """Changes of whole words, as people read them: a conflict then shows "la casa →
    l'abitare", not "a cas → 'abitar", and a word is never half replaced."""
    return [
        (_OPS.get(chunk.op, diff_match_patch.DIFF_DELETE), chunk.text)
        for chunk in word_diff(base, proposed)
    ]


def _engine() -> diff_match_patch:
    engine = diff_match_patch()
    engine.Diff_Timeout = _DIFF_TIMEOUT_SECONDS
    engine.Match_Distance = _MATCH_DISTANCE
    return engine


@dataclass(frozen=True)
class _Change:
    """A patch seen as context before + (old → new) + context after, with `source` the
    text the patch expects to find: before + old + after."""

    before: str
    old: str
    new: str
    after: str

    @property
    def source(self) -> str:
        return self.before + self.old + self.after

    @classmethod
    def of(cls, engine: diff_match_patch, patch: object) -> _Change:
        diffs = list(patch.diffs)  # type: ignore[attr-defined]
        before = diffs.pop(0)[1] if diffs and diffs[0][0] == engine.DIFF_EQUAL else ""
        after = diffs.pop()[1] if diffs and diffs[-1][0] == engine.DIFF_EQUAL else ""
        return cls(before, engine.diff_text1(diffs), engine.diff_text2(diffs), after)

    def hunk(self) -> Hunk:
        return Hunk(before=self.before, removed=self.old, inserted=self.new, after=self.after)


def _place(
    engine: diff_match_patch, change: _Change, text: str, expected: int
) -> tuple[int, str, bool] | None:
    """(where the change's source starts in `text`, the text with the change made,
    whether the source was found unaltered), or None when it cannot be placed."""
    span = _find(engine, change.source, text, expected)
    if span is None:
        return None
    start, stop = span
    found = text[start:stop]
    if found == change.source:
        cut_from, cut_to = start + len(change.before), stop - len(change.after)
        return start, text[:cut_from] + change.new + text[cut_to:], True
    # The context was altered: map the replaced words through a diff of what was
    # expected against what is there, and require them to have survived intact.
    diffs = engine.diff_main(change.source, found, False)
    old_from = engine.diff_xIndex(diffs, len(change.before))
    old_to = engine.diff_xIndex(diffs, len(change.before) + len(change.old))
    if found[old_from:old_to] != change.old:
        return None
    return start, text[: start + old_from] + change.new + text[start + old_to :], False


def _find(
    engine: diff_match_patch, source: str, text: str, expected: int
) -> tuple[int, int] | None:
    """Where `source` (or something close to it) is in `text`, near `expected`. The
    matcher takes patterns of at most Match_MaxBits characters: a longer source is
    found by its two ends, as diff-match-patch's own patch_apply does."""
    width = engine.Match_MaxBits
    if len(source) <= width:
        start = engine.match_main(text, source, expected)
        return None if start == -1 else (start, min(len(text), start + len(source)))
    start = engine.match_main(text, source[:width], expected)
    if start == -1:
        return None
    end = engine.match_main(text, source[-width:], expected + len(source) - width)
    if end == -1 or start >= end:
        return None
    return start, end + width
