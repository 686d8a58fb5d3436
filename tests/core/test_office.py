"""The pure parts of finishing a DOCX or ODT (app/core/office.py): text made safe for
XML, the running header, the footer's words around its fields, the logos' sizes and
the page estimate of the index."""

from __future__ import annotations

import datetime as dt
import io
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from app.core.office import (
    HEADER_MAX,
    LOGO_MAX_HEIGHT_MM,
    LOGO_MAX_WIDTH_MM,
    Block,
    Finish,
    PageEstimate,
    footer_parts,
    image_size,
    logo,
    one_line,
    shortened,
    unescaped,
    xml_text,
)


@given(st.text())
def test_any_text_becomes_xml_that_reads_back_as_that_text(text: str) -> None:
    """Whatever a title holds (controls, lone surrogates, "]]>", markup, line breaks),
    the line it becomes reads back from the XML as itself, as text and as attribute."""
    line = one_line(text)
    element = ElementTree.fromstring(f'<p a="{xml_text(line)}">{xml_text(line)}</p>')
    assert (element.text or "") == line == element.get("a")
    assert unescaped(xml_text(line)) == line
    assert line == "".join(c for c in line if xml_text(c))


def test_characters_xml_cannot_carry_are_dropped() -> None:
    assert xml_text("a\x00b\x0bc\x1f\ud800d\ufffee]]>") == "abcde]]&gt;"
    assert one_line(" Titolo\n\tlungo \x01 ") == "Titolo lungo"


@given(st.text(max_size=400))
def test_the_running_header_is_short_and_starts_as_the_title(title: str) -> None:
    header = shortened(title)
    assert len(header) <= HEADER_MAX + 1
    assert one_line(title).startswith(header.removesuffix("…").rstrip())


def test_a_long_title_is_cut_at_a_word() -> None:
    header = shortened("Piano " * 40)
    assert header.endswith("Piano…") and len(header) <= HEADER_MAX + 1


@pytest.mark.parametrize(
    ("template", "parts"),
    [
        ("Pagina {page} di {pages}", ["Pagina ", "{page}", " di ", "{pages}"]),
        ("Page {page} of {pages}", ["Page ", "{page}", " of ", "{pages}"]),
        ("{page}/{pages}", ["{page}", "/", "{pages}"]),
    ],
)
def test_the_footer_keeps_the_words_of_its_language(template: str, parts: list[str]) -> None:
    assert footer_parts(template) == parts


def _image(kind: str, size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "#004d99").save(out, kind)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
@pytest.mark.parametrize("size", [(360, 120), (120, 360), (40, 20), (3000, 100), (1, 1)])
def test_a_logo_has_its_own_proportions_within_the_pdf_limits(
    kind: str, size: tuple[int, int]
) -> None:
    found = logo(_image(kind, size), " ASST di Lodi ")
    assert found is not None
    assert found.kind == ("png" if kind == "PNG" else "jpg") and found.alt == "ASST di Lodi"
    assert found.height_mm <= LOGO_MAX_HEIGHT_MM + 1e-9
    assert found.width_mm <= LOGO_MAX_WIDTH_MM + 1e-9
    assert found.width_mm / found.height_mm == pytest.approx(size[0] / size[1], rel=1e-6)


def test_a_small_logo_keeps_its_size_as_in_the_pdf() -> None:
    found = logo(_image("PNG", (96, 48)), "Comune")
    assert found is not None
    assert (found.width_mm, found.height_mm) == pytest.approx((25.4, 12.7))


@given(st.binary(max_size=64))
def test_anything_else_is_not_a_logo(data: bytes) -> None:
    for prefix in (b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"):
        image_size(prefix + data)  # never raises
    assert logo(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x") is None
    assert logo(b"GIF89a" + data, "x") is None


blocks = st.lists(
    st.builds(
        Block,
        chars=st.integers(0, 5000),
        heading=st.integers(0, 3),
        cells=st.lists(st.integers(0, 300), max_size=4).map(tuple),
        picture_pt=st.floats(0, 2000),
        note_chars=st.lists(st.integers(0, 800), max_size=2).map(tuple),
        bookmark=st.text(min_size=1, max_size=5),
    ),
    max_size=60,
)


@given(blocks, st.integers(2, 5))
def test_estimated_pages_follow_the_text(items: list[Block], first: int) -> None:
    """A heading later in the text is never on an earlier page; text long enough for a
    page moves on to the next."""
    unique = [
        Block(b.chars, b.heading, b.cells, b.picture_pt, b.note_chars, f"m{i}")
        for i, b in enumerate(items)
    ]
    pages = PageEstimate().pages(unique, first)
    numbers = [pages[b.bookmark] for b in unique]
    assert numbers == sorted(numbers)
    assert all(n >= first for n in numbers)


def test_a_page_of_text_moves_the_next_heading_to_the_next_page() -> None:
    estimate = PageEstimate()
    per_page = int(estimate.page_pt / (estimate.line_pt + estimate.paragraph_gap_pt))
    text = [Block(estimate.chars_per_line) for _ in range(per_page)]
    pages = estimate.pages([Block(10, 1, bookmark="a"), *text, Block(10, 1, bookmark="b")], 3)
    assert pages == {"a": 3, "b": 4}


def test_the_export_moment_is_utc_in_properties_and_zip_entries() -> None:
    spec = Finish(
        title="T",
        subtitle="",
        workshop="",
        when="",
        promoters_label="",
        promoters=(),
        status="",
        index_title="Indice",
        page_footer="{page}",
        language="it",
        creator="",
        created=dt.datetime(2026, 3, 5, 14, 22, 7),
    )
    assert spec.timestamp == "2026-03-05T14:22:07Z"
    assert spec.zip_time == (2026, 3, 5, 14, 22, 0)
