"""Markdown rendering: its worst shapes, and what they cost the server. See NOTES."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from app import create_app
from app.config import TestConfig
from app.core.render import render_markdown
from app.web import rendering
from bench.report import Entry, entry, median_seconds

SIZE = 40_000
SECTION_MAX_BYTES = TestConfig.SECTION_MAX_BYTES
HELD_TARGET_MS = 100

# Each shape makes a text of about `n` characters.
SHAPES: dict[str, Callable[[int], str]] = {
    "nested brackets": lambda n: "[" * n,
    "nested image brackets": lambda n: "![" * (n // 2),
    "unclosed links": lambda n: "[a](" * (n // 4),
    "emphasis": lambda n: "*a **a " * (n // 7),
    "underscores": lambda n: "_a __a " * (n // 7),
    "nested lists": lambda n: "- " * (n // 2) + "a",
    "nested blockquotes": lambda n: "> " * (n // 2) + "a",
    "long link titles": lambda n: ('[a](b "' + "x" * 50) * (n // 57),
    "table columns": lambda n: "|" + "a|" * (n // 8) + "\n|" + "-|" * (n // 8) + "\n",
    "entities": lambda n: "&#" * (n // 2),
    "footnotes": lambda n: (
        "".join(f"[^{i}]" for i in range(n // 16))
        + "\n\n"
        + "".join(f"[^{i}]: x\n" for i in range(n // 16))
    ),
    "backticks": lambda n: "`a" * (n // 2),
    "angle brackets": lambda n: "<a" * (n // 2),
    "reference definitions": lambda n: "[a]: b\n" * (n // 14) + "[a]" * (n // 6),
}

NOTES = f"""\
## Markdown rendering

Each hostile shape (nested brackets `[[[…`, images `![![…`, emphasis, lists, quotes,
link titles, table columns, entities, footnotes, backticks…) at {SIZE:,} characters,
rendered by `app.core.render.render_markdown` in the benchmark's process (*core
render*); reference, same run: ordinary prose of the same size. Then the same texts at
the section limit ({SECTION_MAX_BYTES // 1024} KiB) through `app.web.rendering.markdown`,
as a page view does (*server thread CPU*: the processor time of the calling thread,
which in gevent mode is the event loop's, measured with `time.thread_time`; the render
itself runs in a worker process, with a time limit). Target: under {HELD_TARGET_MS} ms
of the server's thread for any text.
"""


def _prose(n: int) -> str:
    paragraph = (
        "Il tavolo *Abitare* propone [una casa](https://example.org) per ogni persona, con "
        "**servizi** vicini e percorsi di autonomia.\n\n"
    )
    return (paragraph * (n // len(paragraph) + 1))[:n]


def _held_seconds(text: str) -> float:
    """CPU time of this thread for one page-view render of `text`, cache emptied first."""
    renderer = rendering.Renderer(
        _POOL, inline_bytes=TestConfig.RENDER_INLINE_BYTES, cache_bytes=1 << 20
    )
    started = time.thread_time()
    renderer.render(text, "s1", 2)
    return time.thread_time() - started


_POOL = rendering.RenderPool(size=1, time_limit=TestConfig.RENDER_TIME_LIMIT, memory_mb=512)


def run() -> list[Entry]:
    prose_seconds = median_seconds(lambda: render_markdown(_prose(SIZE), "s1", 2), repeat=3)
    results = []
    for name, shape in SHAPES.items():
        text = shape(SIZE)
        seconds = median_seconds(lambda text=text: render_markdown(text, "s1", 2), repeat=1)
        results.append(
            entry(
                f"render {name}", "core render", seconds * 1000, "ms", "prose", prose_seconds * 1000
            )
        )
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(tmp) / 'b.db'}")
        with app.test_request_context():
            _held_seconds("avvio del worker " * 200)
            reference = _held_seconds(_prose(SECTION_MAX_BYTES - 10))
            for name, shape in SHAPES.items():
                held = _held_seconds(shape(SECTION_MAX_BYTES - 10))
                results.append(
                    entry(
                        f"render {name}, {SECTION_MAX_BYTES // 1024} KiB",
                        "server thread CPU",
                        held * 1000,
                        "ms",
                        "prose",
                        reference * 1000,
                    )
                )
    _POOL.close()
    return results
