"""Markdown for pages: long texts render in a worker process with a time limit, hostile
ones come back as the text as typed, and every outcome is kept by the text's hash."""

from __future__ import annotations

import re

from flask import Flask

from app import create_app
from app.config import TestConfig
from app.core.render import render_markdown
from app.web import rendering
from app.web.rendering import Renderer

HOSTILE = "![" * 60_000 + "<script>alert(1)</script>"


def _renderer(app: Flask) -> Renderer:
    return app.extensions["tavolo.render"]


def _prose(paragraphs: int) -> str:
    return "\n\n".join(
        f"## Capitolo {n}\n\nIl tavolo *Abitare* propone [una casa](https://example.org/{n}) "
        f"per ogni persona, con **servizi** vicini.\n\n- punto uno\n- punto due"
        for n in range(paragraphs)
    )


def test_a_long_text_renders_in_a_worker_exactly_as_the_core_renders_it(app: Flask) -> None:
    text = _prose(200)
    assert len(text.encode()) > app.config["RENDER_INLINE_BYTES"]
    assert rendering.markdown(text, "s1", 2) == render_markdown(text, "s1", 2)
    assert _renderer(app).pool.workers() >= 1
    # Every application of the process shares the workers.
    other = create_app(TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    assert other.extensions["tavolo.render"].pool is _renderer(app).pool


def test_a_text_that_runs_out_of_time_is_shown_as_typed_with_a_note(app: Flask) -> None:
    pool = rendering.RenderPool(size=1, time_limit=0.2, memory_mb=512)
    app.extensions["tavolo.render"] = renderer = Renderer(pool, 1024, 1 << 20)
    html = rendering.markdown(HOSTILE, "s1", 2)
    assert "impaginarlo richiedeva troppo tempo" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "![![![" in html
    # The worker was killed; the outcome is remembered, so no worker renders it again.
    assert renderer.pool.workers() == 0
    assert rendering.markdown(HOSTILE, "s1", 2) == html
    assert renderer.pool.workers() == 0
    # The pool starts another worker for the next text.
    assert rendering.markdown(_prose(50), "s1", 2) == render_markdown(_prose(50), "s1", 2)
    assert renderer.pool.workers() == 1
    pool.close()


def test_the_fallback_keeps_paragraphs_and_line_breaks() -> None:
    html = rendering.fallback("Primo <b>\nsecondo\n\n\nTerzo")
    paragraphs = re.findall(r"<p>(.*?)</p>", html)
    assert paragraphs == ["Primo &lt;b&gt;<br>secondo", "Terzo"]


def test_the_cache_is_bounded_by_what_it_holds(app: Flask) -> None:
    renderer = Renderer(_renderer(app).pool, inline_bytes=10_000, cache_bytes=2000)
    for n in range(50):
        renderer.render(f"Testo numero {n}, " * 20, "s", 0)
    assert renderer.cached_bytes() <= 2000
