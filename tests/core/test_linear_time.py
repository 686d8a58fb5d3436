"""Every function of the core that reads a person's text with regular expressions runs
in time proportional to the text, whatever the text: a pattern that tries again from
every bracket (`![![![…`, `[^[^[^…`, `](](…`) costs minutes on a section of 150 KB,
and some of these run on the server's event loop at every keystroke or page view.

Texts are built from short units of Markdown's punctuation, repeated or alone, in two
to three runs: the shapes that make a backtracking pattern scan to the end of the text
from each of its starts. A linear function reads 64 KB of them in milliseconds; the
bound below is a thousand times that, and a quadratic one needs seconds at this size.
`make fuzz` tries many more shapes."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from hypothesis import given
from hypothesis import strategies as st

from app.core import diff, export, importing, mentions, numbering, render, words
from tests.fuzzing import budget

SIZE = 64 * 1024
SECONDS = 2.0
PUNCTUATION = "[]()!^<>:;\\\"'`*_#-=.,|~@{}&/ \t\naA1"

READERS: dict[str, Callable[[str], object]] = {
    "count_words": words.count_words,
    "rewrite_images": lambda text: importing.rewrite_images(text, lambda alt, src: None),
    "excerpt": importing.excerpt,
    "placeholders_in_html": render.placeholders_in_html,
    "is_placeholder": render.is_placeholder,
    "prefix_footnotes": lambda text: export.prefix_footnotes(text, "s1"),
    "shift_headings": lambda text: export.shift_headings(text, 1),
    "escape_markdown": export.escape_markdown,
    "tokenize": diff.tokenize,
    "mentioned": lambda text: mentions.mentioned(text, ["Anna", "Anna Rossi", "@"]),
    "leading_label": numbering.leading_label,
    "without_orphan_notes": importing.without_orphan_notes,
}


@contextmanager
def at_most(seconds: float) -> Iterator[None]:
    """Python's regular expressions check for signals while they match: the alarm stops
    a runaway pattern instead of letting the suite hang on it."""

    def expired(_signum: int, _frame: object) -> None:
        raise TimeoutError(f"more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


units = st.text(alphabet=PUNCTUATION, min_size=1, max_size=6)
runs = st.lists(st.tuples(units, st.booleans()), min_size=1, max_size=3)


def hostile(chosen: list[tuple[str, bool]]) -> str:
    """Each run is its unit once, or repeated to its share of the size."""
    share = SIZE // len(chosen)
    return "".join(unit * (share // len(unit)) if repeated else unit for unit, repeated in chosen)


@budget(quick=150, long=3000)
@given(reader=st.sampled_from(sorted(READERS)), chosen=runs)
def test_every_reader_of_text_takes_time_in_proportion(
    reader: str, chosen: list[tuple[str, bool]]
) -> None:
    text = hostile(chosen)
    with at_most(SECONDS):
        READERS[reader](text)


def test_the_shapes_that_were_quadratic_are_read_at_once() -> None:
    """The shapes that took minutes before (`rewrite_images` read 80 KB of "![" in
    100 s), named so that each stays in the suite whatever the generator draws."""
    shapes = {
        "rewrite_images": ["![" * (SIZE // 2), "![a](<" * (SIZE // 6), "![a](b" * (SIZE // 6)],
        "count_words": ["](" * (SIZE // 2), "[^" * (SIZE // 2), "<https:" * (SIZE // 7)],
        "placeholders_in_html": ['<em class="tv-placeholder">' * (SIZE // 27)],
        "is_placeholder": ["[" + "a" * SIZE],
        "prefix_footnotes": ["[^" * (SIZE // 2)],
        "mentioned": ["@" * SIZE],
        "without_orphan_notes": ["[^" * (SIZE // 2)],
    }
    for reader, texts in shapes.items():
        for text in texts:
            with at_most(SECONDS):
                READERS[reader](text)
