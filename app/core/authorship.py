"""Who wrote which words of a text, from the successive states of the text and who
made each of them.

Each state is compared word by word with the one before it (app/core/diff.py): the words
it inserts belong to its author, the words it keeps keep their author. A word deleted
and typed again belongs to whoever typed it again. This is an estimate: two people
typing in the same second share one state, and the later one is credited."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from app.core.diff import (
    Chunk,
    Op,
    changed_stretch,
    shared_head,
    shared_tail,
    token_diff,
    tokenize,
)
from app.core.words import count_words

A = TypeVar("A", bound=Hashable)


@dataclass(frozen=True)
class Span(Generic[A]):
    """A stretch of text and who wrote it; `author` None for text nobody in the history
    typed (the starting text of a template or an import)."""

    text: str
    author: A | None


def attribute(states: Iterable[tuple[A | None, str]], base: str = "") -> list[Span[A]]:
    """`states`: (author, text after their change), in the order they happened, starting
    from `base`. Returns the last text as spans, consecutive spans by different authors.

    The text is kept as runs of one author each; only the lines a state changed are cut
    into tokens and compared (as in word_diff), so replaying a day of revisions on a
    long section costs in proportion to what was typed, not to the section's length."""
    current = base
    runs: list[Span[A]] = [Span(base, None)] if base else []
    for author, text in states:
        if text == current:
            continue
        head = shared_head(current, text)
        tail = shared_tail(current[len(head) :], text[len(head) :])
        left, rest = _split(runs, len(head))
        middle, right = _split(rest, len(current) - len(head) - len(tail))
        old_tokens: list[str] = []
        old_authors: list[A | None] = []
        for run in middle:
            tokens = tokenize(run.text)
            old_tokens += tokens
            old_authors += [run.author] * len(tokens)
        kept = iter(old_authors)
        # Built apart and joined once: appending token by token to the long run before
        # it would copy that run at every token.
        changed: list[tuple[A | None, list[str]]] = []
        previous = left[-1].author if left else None
        for op, part in token_diff(old_tokens, tokenize(text[len(head) : len(text) - len(tail)])):
            if op is Op.DELETE:
                for _ in part:
                    next(kept)
                continue
            for token in part:
                who = next(kept) if op is Op.EQUAL else author
                # Spaces take the author of the word before them, so a change of colour
                # falls between words, not in front of them.
                if token.isspace() and (changed or left):
                    who = changed[-1][0] if changed else previous
                if changed and changed[-1][0] == who:
                    changed[-1][1].append(token)
                else:
                    changed.append((who, [token]))
        runs = left
        for who, parts in changed:
            _append(runs, "".join(parts), who)
        for run in right:
            _append(runs, run.text, run.author)
        current = text
    return runs


def insertion_authors(
    chunks: Sequence[Chunk], states: Sequence[tuple[A | None, str]], base: str
) -> list[tuple[A, ...]]:
    """Who wrote each insertion of `chunks`, a diff from `base` to the last of `states`:
    the authors whose change overlaps it, earliest first, one tuple per insertion.

    A comparison only names the authors of what it marks as inserted, so unlike
    `attribute` nothing is cut into tokens: each state's change is located by the text
    it shares at the start and end with the state before, cut at seams between tokens
    as word_diff cuts, and each insertion is followed back through those changes.
    Reading a hundred revisions of a long section costs a hundred comparisons of their
    ends, not of their words."""
    changes: list[tuple[int, int, int, A | None]] = []
    previous = base
    for author, text in states:
        if text != previous:
            head, tail = changed_stretch(previous, text)
            changes.append((head, len(text) - tail, len(previous) - len(text), author))
        previous = text
    found: list[tuple[A, ...]] = []
    position = 0
    for chunk in chunks:
        if chunk.op is Op.DELETE:
            continue
        end = position + len(chunk.text)
        if chunk.op is Op.INSERT:
            found.append(_writers(position, end, changes))
        position = end
    return found


def _writers(start: int, end: int, changes: list[tuple[int, int, int, A | None]]) -> tuple[A, ...]:
    """The authors of the changes that wrote characters `start`–`end` of the last text,
    walking back from the last change: what a change wrote is theirs, the rest of the
    stretch is where it was before that change."""
    pieces = [(start, end)]
    authors: list[A] = []
    for head, stop, shift, author in reversed(changes):
        earlier: list[tuple[int, int]] = []
        for a, b in pieces:
            if a < head:
                earlier.append((a, min(b, head)))
            if a < stop and b > head and author is not None:
                authors.append(author)
            if b > stop:
                earlier.append((max(a, stop) + shift, b + shift))
        pieces = earlier
        if not pieces:
            break
    return tuple(dict.fromkeys(reversed(authors)))


def _split(runs: list[Span[A]], at: int) -> tuple[list[Span[A]], list[Span[A]]]:
    """The runs before and after character `at`, cutting the run that spans it."""
    position = 0
    for index, run in enumerate(runs):
        end = position + len(run.text)
        if end > at:
            cut = at - position
            before = [*runs[:index], Span(run.text[:cut], run.author)] if cut else runs[:index]
            return before, [Span(run.text[cut:], run.author), *runs[index + 1 :]]
        position = end
    return list(runs), []


def _append(runs: list[Span[A]], text: str, author: A | None) -> None:
    if runs and author == runs[-1].author:
        runs[-1] = Span(runs[-1].text + text, author)
    else:
        runs.append(Span(text, author))


def word_counts(spans: Iterable[Span[A]]) -> dict[A | None, int]:
    """Words of the text per author."""
    counts: dict[A | None, int] = {}
    for span in spans:
        counts[span.author] = counts.get(span.author, 0) + count_words(span.text)
    return counts
