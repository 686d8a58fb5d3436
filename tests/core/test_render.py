"""Whatever people type, the rendered text is safe to put in a page or a PDF."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from app.core.render import MAX_NESTING, NOTE_LABEL_MAX, render_markdown, slugify
from tests.core.test_urls import PNG_B64
from tests.hostile_text import CASES, REFUSED, hostile_markdown


def test_html_and_script_are_shown_as_text():
    html = render_markdown('Ciao <script>alert("x")</script> <img src=x onerror=alert(1)>')
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html


def test_javascript_and_other_schemes_are_not_links():
    for url in (
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "vbscript:x",
        "file:///etc/passwd",
        "java&#x73;cript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
    ):
        html = render_markdown(f"[clic]({url})")
        assert "<a" not in html, url


def test_data_image_is_never_a_link():
    html = render_markdown("[clic](data:image/png;base64,AAAA)")
    assert "href" not in html


def test_allowed_links_get_rel_noopener():
    html = render_markdown("[a](https://example.org) [b](mailto:uno@example.org) [c](/p/3)")
    assert html.count('rel="noopener noreferrer"') == 3
    assert 'href="https://example.org"' in html
    assert 'href="mailto:uno@example.org"' in html
    assert 'href="/p/3"' in html


def test_remote_images_are_not_fetched():
    html = render_markdown(
        "![logo della Regione](https://example.org/logo.png) ![x](//example.org/y.png)"
    )
    assert "<img" not in html
    assert "[logo della Regione]" in html


def test_the_documents_own_media_and_raster_data_images_are_kept():
    own = "/documents/3/media/0123456789abcdef0123.png"
    html = render_markdown(f"![a]({own}) ![b](data:image/png;base64,{PNG_B64})", document_id=3)
    assert html.count("<img") == 2


def test_every_hostile_link_and_image_is_text():
    """Before: images of /i/<token>, /lingua/en, compare.pdf and other documents' media
    were fetched by every reader's browser, and //host was a link."""
    html = render_markdown(hostile_markdown(3, 4, "gettone"), "s1", document_id=3)
    attributes = re.findall(r'(?:href|src)="([^"]*)"', html)
    assert [a for a in attributes if REFUSED.search(a) or "4/media" in a] == []
    assert all(a.startswith("#") for a in attributes), attributes  # only the note's anchors
    for case in CASES:
        assert case.word in html, case


def test_tables_strikethrough_and_footnotes():
    table = "| Ente | Impegno |\n| --- | --: |\n| ASST | tavolo |"
    text = f"{table}\n\n~~vecchio~~ nuovo[^1]\n\n[^1]: Fonte."
    html = render_markdown(text, "s7")
    assert "<table>" in html and "<th>Ente</th>" in html
    assert 'style="text-align:right"' in html
    assert "<s>vecchio</s>" in html
    assert 'id="fn-s7-1"' in html and 'href="#fn-s7-1"' in html
    assert "Fonte." in html


def test_note_labels_have_a_bounded_length():
    """Past NOTE_LABEL_MAX a "[^…" is text: the plugin would otherwise look for its
    closing bracket to the end of the paragraph at every one of them."""
    longest, too_long = "n" * NOTE_LABEL_MAX, "n" * (NOTE_LABEL_MAX + 1)
    text = f"Uno[^{longest}] e due[^{too_long}].\n\n[^{longest}]: Prima.\n\n[^{too_long}]: Seconda."
    html = render_markdown(text, "s1")
    assert html.count('class="footnote-ref"') == 1 and "Prima." in html
    assert f"[^{too_long}]" in html
    many = render_markdown("[^a]: x\n\nTesto" + "^[" * 2000, "s2")
    assert "^[^[^[" in many


def test_headings_get_prefixed_ascii_ids_and_are_pushed_down():
    html = render_markdown(
        "# Socialità e «comunità»\n\n## Perché sì\n\n# Socialità e «comunità»", "s12", 2
    )
    assert '<h3 id="s12-socialita-e-comunita">' in html
    assert '<h4 id="s12-perche-si">' in html
    assert '<h3 id="s12-socialita-e-comunita-2">' in html


def test_subheadings_start_right_below_the_section_heading_whatever_their_marks():
    html = render_markdown("## Che cosa funziona\n\n#### Un caso", "s4", 2)
    assert '<h3 id="s4-che-cosa-funziona">' in html
    assert '<h5 id="s4-un-caso">' in html


def test_without_a_heading_above_levels_are_kept():
    assert "<h2" in render_markdown("## Titolo")


def test_heading_levels_stop_at_six():
    assert "<h6" in render_markdown("# Uno\n\n### Profondo", "s1", 5)


def test_heading_named_like_a_global_cannot_clobber_the_page():
    html = render_markdown("# location\n\n# forms", "s3")
    assert 'id="location"' not in html and 'id="forms"' not in html
    assert 'id="s3-location"' in html


@given(st.text(max_size=200))
def test_slugs_are_ascii_and_never_empty(text):
    slug = slugify(text)
    assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug)


@given(st.text(max_size=300))
def test_no_markup_from_the_text_survives(text):
    html = render_markdown(text, "s1")
    assert "<script" not in html.lower()
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+=", html, re.IGNORECASE)
    assert "javascript:" not in re.sub(r">[^<]*<", "><", html).lower()


@given(st.integers(min_value=1, max_value=MAX_NESTING // 2 - 1))
def test_quotes_and_lists_nest_as_written_up_to_the_limit(depth: int) -> None:
    quotes = render_markdown("> " * (2 * depth) + "fondo")
    lists = render_markdown("".join("  " * level + "- voce\n" for level in range(depth)))
    assert quotes.count("<blockquote>") == 2 * depth and "fondo" in quotes
    assert lists.count("<ul>") == depth and lists.count("voce") == depth


def test_nesting_stops_at_the_limit() -> None:
    """The bound that keeps thousands of brackets from costing seconds each time the
    inline parser skips back over them (see MAX_NESTING)."""
    assert render_markdown("> " * 200 + "fondo").count("<blockquote>") == MAX_NESTING
