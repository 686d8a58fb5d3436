"""Where a synthesis's passages come from, and whether their sources changed since.

A passage pulled from a lab into the synthesis remembers two anchors
(app/core/anchoring): where it sits in the synthesis, and where it was in the lab's
section, with the words as they were pulled. People keep writing on both sides; the
anchors find both passages again, and comparing the lab's words now with the words
pulled tells whether the lab changed them afterwards. A lab's section deleted, or its
passage rewritten beyond recognition, leaves the link in place, marked as lost: the
pulled words and their origin stay known."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from diff_match_patch import diff_match_patch

from app.core.anchoring import Anchor, anchor_at, locate

# Between a passage and what it is written after: a blank line, a paragraph of its own.
PARAGRAPH_BREAK = "\n\n"
# A diff of two long texts stops at a good answer instead of the best one.
DIFF_TIMEOUT_SECONDS = 0.2
# How much of the pulled words must remain for the lab's passage to count as the same
# passage reworded (1 - edit distance / length): a lab that refines a proposal keeps
# most of it; one that writes its section again keeps little.
RECOGNISABLE = 0.4


class SourceState(StrEnum):
    SAME = "same"  # the lab's words are still the ones pulled
    CHANGED = "changed"  # the lab changed them after the pull
    LOST = "lost"  # the lab's section or passage is no longer there


@dataclass(frozen=True)
class SourceCheck:
    state: SourceState
    current: str | None = None  # the lab's words now, where still found
    span: tuple[int, int] | None = None  # where they are in the lab's text now


def check_source(
    anchor: Anchor, pulled: str, source_text: str | None, then: str | None = None
) -> SourceCheck:
    """`source_text` None: the lab's section was deleted. `then`: the section's whole
    text when the passage was pulled; the passage is then followed through the lab's
    edits themselves (a diff of the two texts), which tells a word added inside it from
    a similar word nearby better than searching for the words can."""
    if source_text is None:
        return SourceCheck(SourceState.LOST)
    start = anchor.start
    if then is not None and then[start : start + len(pulled)] == pulled:
        span: tuple[int, int] | None = _followed(then, source_text, start, start + len(pulled))
    else:
        span = locate(anchor, source_text)
    if span is None:
        return SourceCheck(SourceState.LOST)
    current = source_text[span[0] : span[1]]
    if current == pulled:
        return SourceCheck(SourceState.SAME, current, span)
    if _similarity(pulled, current) < RECOGNISABLE:
        # Written again from scratch: other words in its place, not a new wording of it.
        return SourceCheck(SourceState.LOST)
    return SourceCheck(SourceState.CHANGED, current, span)


def _similarity(a: str, b: str) -> float:
    engine = diff_match_patch()
    engine.Diff_Timeout = DIFF_TIMEOUT_SECONDS
    distance = engine.diff_levenshtein(engine.diff_main(a, b, False))
    return 1 - distance / max(len(a), len(b), 1)


def _followed(then: str, now: str, start: int, end: int) -> tuple[int, int] | None:
    """Where `then[start:end]` went in `now`; None when all of it was deleted."""
    if then == now:
        return start, end
    engine = diff_match_patch()
    engine.Diff_Timeout = DIFF_TIMEOUT_SECONDS
    diffs = engine.diff_main(then, now, False)
    # Edits moved to word boundaries: a deleted passage takes its words whole, and
    # leaves no stray letter of a neighbour behind.
    engine.diff_cleanupSemanticLossless(diffs)
    new_start, new_end = engine.diff_xIndex(diffs, start), engine.diff_xIndex(diffs, end)
    if new_end <= new_start or not now[new_start:new_end].strip():
        return None
    return new_start, new_end


@dataclass(frozen=True)
class Placed:
    """A text with a passage put in it, and the anchor of the passage there."""

    text: str
    anchor: Anchor


def append(text: str, passage: str) -> Placed:
    """The passage as a paragraph of its own at the end of `text`."""
    passage = passage.strip("\n")
    if not passage.strip():
        raise ValueError("nothing to insert")
    body = text.rstrip("\n")
    joined = f"{body}{PARAGRAPH_BREAK}{passage}\n" if body else f"{passage}\n"
    start = len(joined) - 1 - len(passage)
    return Placed(joined, anchor_at(joined, start, start + len(passage)))


def replace(text: str, anchor: Anchor, passage: str) -> Placed | None:
    """The passage where the anchored one is in `text`; None when it is no longer
    found there (it was deleted from the synthesis: nothing to update)."""
    if not passage:
        raise ValueError("nothing to insert")
    span = locate(anchor, text)
    if span is None:
        return None
    start, end = span
    replaced = text[:start] + passage + text[end:]
    return Placed(replaced, anchor_at(replaced, start, start + len(passage)))


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    used: bool


def paragraphs(text: str, used: list[tuple[int, int]]) -> list[Paragraph]:
    """The text's paragraphs (blocks of lines between blank lines), each marked used
    when a pulled passage overlaps it: what coverage shows of a lab. One pass over the
    lines: a lab's text is a person's text, of any shape."""
    found = []
    start: int | None = None
    end = 0
    offset = 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            if start is None:
                start = offset + len(line) - len(line.lstrip())
            end = offset + len(line.rstrip())
        elif start is not None:
            found.append(_paragraph(start, end, used))
            start = None
        offset += len(line)
    if start is not None:
        found.append(_paragraph(start, end, used))
    return found


def _paragraph(start: int, end: int, used: list[tuple[int, int]]) -> Paragraph:
    return Paragraph(start, end, any(a < end and start < b for a, b in used))
