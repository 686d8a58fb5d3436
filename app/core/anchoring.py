"""Finding a commented passage again after the section has been edited.

An anchor remembers the quoted passage, a little text on each side of it and roughly
where it was. People keep typing around a commented passage, and sometimes into it;
the passage is found again by an exact search first (the usual case), and by fuzzy
matching of its two ends with diff-match-patch when it has been lightly edited. When
the best window found is too unlike the quote, the passage is gone: the caller lists
the comment as no longer anchored instead of pointing at the wrong words.

Positions are code points (Python string indices), the unit the editor reports too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import product

from diff_match_patch import diff_match_patch

CONTEXT_CHARS = 32
# How much of a lightly edited passage must survive for it still to count as the same
# passage: 1 - (edit distance / length). Below it, a comment would point at other words.
MIN_SIMILARITY = 0.7
# diff-match-patch's bitap matcher works on patterns of at most this many characters:
# each end of a quote is matched on its own.
_MATCH_CHARS = 32
# An end of the quote may have a few characters changed...
_MATCH_THRESHOLD = 0.35
# ...and may have moved far: a whole paragraph can be written above the passage.
_MIN_MATCH_DISTANCE = 1000
_DIFF_TIMEOUT_SECONDS = 0.1


@dataclass(frozen=True)
class Anchor:
    quote: str
    prefix: str
    suffix: str
    start: int


def anchor_at(text: str, start: int, end: int) -> Anchor:
    """The anchor for `text[start:end]`; raises ValueError for an empty or out-of-range
    span (the editor sent a selection that does not fit the text)."""
    if not 0 <= start < end <= len(text):
        raise ValueError("span outside the text")
    return Anchor(
        quote=text[start:end],
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
        start=start,
    )


# Everyone in the room re-reads a section's comments after each change: the same
# anchors against the same text. A passage that is gone costs a full fuzzy search
# (tens of milliseconds on a long section), so answers are remembered.
@lru_cache(maxsize=256)
def locate(anchor: Anchor, text: str) -> tuple[int, int] | None:
    """Where the anchored passage is in `text` now, as (start, end), or None when it can
    no longer be found."""
    if not anchor.quote or not text:
        return None
    exact = _exact(anchor, text)
    if exact is not None:
        return exact
    return _fuzzy(anchor, text)


def _exact(anchor: Anchor, text: str) -> tuple[int, int] | None:
    """The occurrence of the quote whose surroundings best match the remembered ones,
    the nearest to the remembered position among equals: a repeated phrase is told
    apart by the words around it."""
    best: tuple[int, int] | None = None
    best_key: tuple[int, int] | None = None
    position = text.find(anchor.quote)
    while position != -1:
        end = position + len(anchor.quote)
        key = (-_context_score(anchor, text, position, end), abs(position - anchor.start))
        if best_key is None or key < best_key:
            best, best_key = (position, end), key
        position = text.find(anchor.quote, position + 1)
    return best


def _context_score(anchor: Anchor, text: str, start: int, end: int) -> int:
    before = text[max(0, start - len(anchor.prefix)) : start]
    after = text[end : end + len(anchor.suffix)]
    return _common_suffix(anchor.prefix, before) + _common_prefix(anchor.suffix, after)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])


def _fuzzy(anchor: Anchor, text: str) -> tuple[int, int] | None:
    """Candidate starts come from the quote's head and the end of its prefix, candidate
    ends from the quote's tail and the start of its suffix; the window most similar to
    the quote wins if it is similar enough."""
    engine = _engine(text)
    quote = anchor.quote
    expected_end = anchor.start + len(quote)
    prefix, suffix = anchor.prefix[-_MATCH_CHARS:], anchor.suffix[:_MATCH_CHARS]

    # Each end also by its last few words alone: a word that grew inside a long pattern
    # can pull the pattern's best match several characters off.
    starts: set[int | None] = set()
    ends: set[int | None] = set()
    for size in (_MATCH_CHARS, _MATCH_CHARS // 2):
        head, tail = quote[:size], quote[-size:]
        starts.add(_match(engine, text, head, anchor.start))
        ends.add(_plus(_match(engine, text, tail, expected_end - len(tail)), len(tail)))
    if prefix:
        starts.add(_plus(_match(engine, text, prefix, anchor.start - len(prefix)), len(prefix)))
    if suffix:
        ends.add(_match(engine, text, suffix, expected_end))
    known_starts = {s for s in starts if s is not None}
    # Bitap places a pattern only roughly where a passage grew, and may place the tail
    # past the end of the text: the text's end is then the nearest end there is.
    known_ends = {min(e, len(text)) for e in ends if e is not None}
    known_starts |= {e - len(quote) for e in known_ends if e >= len(quote)}
    known_ends |= {s + len(quote) for s in known_starts if s + len(quote) <= len(text)}

    # Similarity alone favours a window cut short where the passage grew; the words
    # around it, where they survive, say where it really ends.
    context = max(1, len(anchor.prefix) + len(anchor.suffix))
    best: tuple[float, int, int] | None = None
    for start, end in product(sorted(known_starts), sorted(known_ends)):
        if not 0 <= start < end <= len(text):
            continue
        similarity = _similarity(engine, quote, text[start:end])
        if similarity < MIN_SIMILARITY:
            continue
        rank = similarity + _context_score(anchor, text, start, end) / context
        if best is None or rank > best[0]:
            best = (rank, start, end)
    return None if best is None else (best[1], best[2])


def _engine(text: str) -> diff_match_patch:
    engine = diff_match_patch()
    engine.Match_Threshold = _MATCH_THRESHOLD
    engine.Match_Distance = max(_MIN_MATCH_DISTANCE, len(text))
    engine.Diff_Timeout = _DIFF_TIMEOUT_SECONDS
    return engine


def _match(engine: diff_match_patch, text: str, pattern: str, near: int) -> int | None:
    if not pattern:
        return None
    found = engine.match_main(text, pattern, min(max(near, 0), len(text)))
    return None if found == -1 else found


def _plus(position: int | None, offset: int) -> int | None:
    return None if position is None else position + offset


def _similarity(engine: diff_match_patch, quote: str, window: str) -> float:
    diffs = engine.diff_main(quote, window, False)
    distance = engine.diff_levenshtein(diffs)
    return 1 - distance / max(len(quote), len(window))
