"""The one rule for addresses typed into a text: which may be links, which may be images."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core import urls
from app.core.importing import image_extension
from tests.hostile_text import SVG_B64

PNG_B64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAD0lEQVR4nGNgSDsDQhAKAB5WBMmVr7GeAAAAAElFTkSuQmCC"
)
OWN = "/documents/3/media/0123456789abcdef0123.png"


@pytest.mark.parametrize(
    "url",
    ["https://example.org/x", "HTTP://example.org", "mailto:a@b.it", "/p/3", "#sezione", "x"],
)
def test_web_mail_and_site_links_are_allowed(url: str) -> None:
    assert urls.link_allowed(url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "java%09script:alert(1)",
        "%6Aavascript:alert(1)",
        " \x01javascript:alert(1)",
        "vbscript:msgbox",
        "data:text/html,<script>",
        "data:image/png;base64," + PNG_B64,
        "file:///etc/passwd",
        "//evil.example/x",
        "\\\\evil.example\\x",
        "/\\evil.example/x",
        "\t//evil.example",
    ],
)
def test_other_schemes_and_other_hosts_are_not_links(url: str) -> None:
    assert not urls.link_allowed(url)


def test_office_files_keep_anchors_but_not_site_paths() -> None:
    assert urls.link_allowed("#sezione-2", site_paths=False)
    assert urls.link_allowed("https://example.org", site_paths=False)
    assert not urls.link_allowed("/p/3", site_paths=False)
    assert not urls.link_allowed("relativo.docx", site_paths=False)


def test_images_are_the_documents_own_media_or_raster_data() -> None:
    assert urls.image_allowed(OWN, 3)
    assert urls.image_allowed(f"data:image/png;base64,{PNG_B64}", None)
    for url in (
        OWN,  # no document: no media
        "/documents/4/media/0123456789abcdef0123.png",
        "/documents/3/media/0123456789abcdef0123.svg",
        "/documents/3/media/../../i/abc",
        OWN + "?x=1",
        "/i/token",
        "/lingua/en",
        "/documents/3/history/compare.pdf?da=1&a=2",
        "/static/build/logo.png",
        "https://tavolo.example/documents/3/media/0123456789abcdef0123.png",
        f"data:image/svg+xml;base64,{SVG_B64}",
        f"data:image/png;base64,{SVG_B64}",  # an SVG declared as PNG
        f"data:image/jpeg;base64,{PNG_B64}",  # a PNG declared as JPEG
        "data:image/png;base64,@@@@",
        "data:image/png,rawbytes",
    ):
        assert not urls.image_allowed(url, 3 if url != OWN else None), url


_INVISIBLE = st.sampled_from(["\t", "\n", "\r"])


@given(
    cuts=st.lists(st.tuples(st.integers(0, 10), _INVISIBLE), max_size=4),
    upper=st.lists(st.booleans(), min_size=10, max_size=10),
    lead=st.text(st.sampled_from([chr(c) for c in range(0x21)]), max_size=3),
    scheme=st.sampled_from(["javascript", "vbscript", "data", "file"]),
)
def test_hidden_schemes_are_refused_however_written(
    cuts: list[tuple[int, str]], upper: list[bool], lead: str, scheme: str
) -> None:
    """Browsers drop tabs and line breaks anywhere and controls at the start: the rule
    must read the scheme the same way."""
    word = "".join(c.upper() if u else c for c, u in zip(scheme, upper, strict=False))
    for position, char in sorted(cuts, reverse=True):
        word = word[:position] + char + word[position:]
    url = f"{lead}{word}:alert(1)"
    assert not urls.link_allowed(url)
    assert not urls.image_allowed(url, 3)


@given(st.binary(max_size=40), st.sampled_from(sorted(urls.RASTER_TYPES)))
def test_a_data_image_is_allowed_only_when_its_bytes_are_its_declared_type(
    data: bytes, declared: str
) -> None:
    url = f"data:{declared};base64,{base64.b64encode(data).decode()}"
    assert urls.raster_data(url) == (image_extension(data) == urls.RASTER_TYPES[declared])
