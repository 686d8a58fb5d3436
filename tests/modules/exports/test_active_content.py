"""Exports are as clean as pages: every hostile link and image typed into a section
(tests/hostile_text.py) leaves no active target in the document page, the preview, the
PDF, the HTML, DOCX and ODT files, and its words stay. Each file is opened the way its
readers open it: python-docx for DOCX, the ODT's content.xml, pypdf's link annotations,
the HTML parsed."""

from __future__ import annotations

import base64
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import docx
import pypandoc
import pypdf
import pytest

from app.core import urls
from app.core.permissions import DocumentStatus, Role
from app.extensions import db
from app.modules.exports import assembly, renderer, services
from app.modules.media.services import document_dir
from tests.hostile_text import CASES, REFUSED, SVG, SVG_MEDIA, hostile_markdown, raster
from tests.modules.exports.conftest import PNG, Policy, client_for

ACTIVE = re.compile(r"javascript|vbscript|data:|file:|evil\.example", re.IGNORECASE)
TITLE_WORD = "VOCETITOLO"


@pytest.fixture
def hostile(app, policy: Policy) -> Policy:  # type: ignore[no-untyped-def]
    """The policy document with every hostile shape in its second section (and one in
    its title, which pandoc reads as Markdown too), and an SVG in its media folder."""
    document = policy.document
    document.title = f"Documento [{TITLE_WORD}](javascript:alert(0))"
    token = policy.tokens[Role.FACILITATOR]
    document.sections[1].body = hostile_markdown(document.id, document.id + 1, token)
    db.session.commit()
    (document_dir(document.id) / SVG_MEDIA).write_bytes(SVG)
    other = document_dir(document.id + 1)
    other.mkdir(parents=True, exist_ok=True)
    (other / "0123456789abcdef0123.png").write_bytes(PNG)
    return policy


class _Targets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.images: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href") is not None:
            self.links.append(str(found["href"]))
        if tag == "img":
            self.images.append(str(found.get("src")))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parsed(html: str) -> _Targets:
    parser = _Targets()
    parser.feed(html)
    return parser


def _assert_clean_html(html: str, document_id: int, inlined: bool = False) -> None:
    page = _parsed(html)
    assert [u for u in page.links if ACTIVE.search(u) or not urls.link_allowed(u)] == []
    for src in page.images:
        own = urls.raster_data(src) if inlined else urls.image_allowed(src, document_id)
        assert own or src.startswith("/static/"), src
    text = "".join(page.text)
    assert [case.word for case in CASES if case.word not in text] == []


def test_the_document_page_and_the_preview_show_only_text(app, hostile: Policy) -> None:
    client = client_for(app, hostile, Role.FACILITATOR)
    document = hostile.document
    page = client.get(f"/documents/{document.id}")
    assert page.status_code == 200
    _assert_clean_html(page.get_data(as_text=True), document.id)
    preview = client.post(
        f"/sections/{document.sections[0].id}/preview", json={"body": document.sections[1].body}
    )
    _assert_clean_html(preview.get_json()["html"], document.id)


def test_the_public_page_shows_only_text(app, hostile: Policy) -> None:
    hostile.document.status = DocumentStatus.PUBLISHED
    db.session.commit()
    page = app.test_client().get(f"/p/{hostile.document.id}")
    assert page.status_code == 200
    _assert_clean_html(page.get_data(as_text=True), hostile.document.id)


def test_the_html_export_carries_only_text_and_its_own_images(app, hostile: Policy) -> None:
    path = _export(hostile, "html")
    html = path.read_text()
    _assert_clean_html(html, hostile.document.id, inlined=True)
    assert len(_parsed(html).images) == 1  # the document's own logo, inside the file


def test_the_pdf_asks_for_nothing_and_links_only_to_the_web(app, hostile: Policy, tmp_path) -> None:
    """Before: the PDF renderer was asked for /i/<token>, /lingua/en, compare.pdf and
    another document's media (and refused them, but every reader's browser did not)."""
    source = services.source_for(hostile.document)
    job = assembly.pdf_job(source, services.options_from("pdf"))
    output = tmp_path / "out" / "ostile.pdf"
    refused = renderer.run(job, output, time_limit=120, memory_mb=1200)
    assert refused == []
    reader = pypdf.PdfReader(output)
    targets = [
        str(annotation.get_object()["/A"].get("/URI"))
        for page in reader.pages
        for annotation in page.get("/Annots") or []
        if "/A" in annotation.get_object() and "/URI" in annotation.get_object()["/A"]
    ]
    assert [t for t in targets if ACTIVE.search(t) or not urls.link_allowed(t)] == []
    text = "".join(page.extract_text() for page in reader.pages)
    assert [case.word for case in CASES if case.word not in text] == []


def test_the_docx_has_no_active_target_and_only_raster_images(app, hostile: Policy) -> None:
    """Before: javascript:, vbscript:, data: and file: hyperlinks and the SVG with
    onload reached the file handed to institutions."""
    path = _export(hostile, "docx")
    package = docx.Document(str(path)).part.package
    targets, images = [], []
    for part in package.iter_parts():
        targets += [rel.target_ref for rel in part.rels.values() if rel.is_external]
        if part.content_type.startswith("image/"):
            images.append((part.content_type, part.blob))
    assert [t for t in targets if REFUSED.search(t) or not urls.link_allowed(t, False)] == []
    assert images and all(kind != "image/svg+xml" and raster(blob) for kind, blob in images)
    with zipfile.ZipFile(path) as archive:
        text = "".join(
            "".join(ElementTree.fromstring(archive.read(name)).itertext())
            for name in archive.namelist()
            if name.startswith("word/") and name.endswith(".xml")
        )
    assert [c.word for c in CASES if c.word not in text] == []
    assert TITLE_WORD in text and "javascript" not in "".join(targets)


_XLINK = "{http://www.w3.org/1999/xlink}href"
_DRAW_IMAGE = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}image"


def test_the_odt_has_no_active_target_and_only_raster_images(app, hostile: Policy) -> None:
    path = _export(hostile, "odt")
    with zipfile.ZipFile(path) as archive:
        content = ElementTree.fromstring(archive.read("content.xml"))
        links, pictures = [], []
        for element in content.iter():
            href = element.get(_XLINK)
            if href is None:
                continue
            (pictures if element.tag == _DRAW_IMAGE else links).append(href)
        assert [u for u in links if REFUSED.search(u) or not urls.link_allowed(u, False)] == []
        assert pictures and all(p.startswith("Pictures/") for p in pictures)
        assert all(raster(archive.read(p)) for p in pictures)
        assert not any("svg" in name.lower() for name in archive.namelist())
        text = "".join(content.itertext())
        meta = "".join(ElementTree.fromstring(archive.read("meta.xml")).itertext())
    assert [c.word for c in CASES if c.word not in text] == []
    assert TITLE_WORD in text + meta


def _export(policy: Policy, fmt: str) -> Path:
    row = services.export(policy.facilitator, policy.document, services.options_from(fmt))
    path = services.file_of(row)
    assert path is not None
    return path


# Addresses the pandoc filter and app/core/urls.py must judge alike (no spaces or
# angle brackets: each is written as a Markdown link destination).
PARITY = (
    "https://example.org/a",
    "HTTPS://example.org",
    "http://example.org",
    "mailto:uno@example.org",
    "#sezione-2",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java%09script:alert(1)",
    "%6Aavascript:alert(1)",
    "vbscript:x",
    "data:text/html,x",
    "file:///etc/passwd",
    "//evil.example/x",
    "/p/3",
    "relativo.docx",
    "ftp://example.org",
    "tel:+390371",
    "ms-word:ofe|u|https://example.org",
)


def test_the_pandoc_filter_judges_links_as_the_core_rule() -> None:
    markdown = "\n\n".join(f"[L{i}]({url})" for i, url in enumerate(PARITY))
    tree = _filtered(markdown)
    kept = {PARITY[int(label[1:])] for label in _labels(tree)}
    assert kept == {url for url in PARITY if urls.link_allowed(url, site_paths=False)}


def _filtered(markdown: str) -> object:
    """Pandoc's JSON tree of `markdown`, read as exports read it, through the filter."""
    return json.loads(
        pypandoc.convert_text(
            markdown,
            "json",
            format=assembly.PANDOC_FROM,
            extra_args=["--sandbox", f"--lua-filter={assembly.MODULE_DIR / 'filter.lua'}"],
        )
    )


def _labels(node: object, kind: str = "Link") -> list[str]:
    """The first word of each element of that kind in pandoc's JSON."""
    if isinstance(node, list):
        return [label for child in node for label in _labels(child, kind)]
    if not isinstance(node, dict):
        return []
    if node.get("t") == kind:
        return [node["c"][1][0]["c"]]
    return [label for child in node.values() for label in _labels(child, kind)]


def test_the_pandoc_filter_keeps_only_raster_data_images_as_the_core_rule() -> None:
    """The document's own images reach pandoc as data: URIs; any other image is text."""
    svg = base64.b64encode(SVG).decode()
    png = base64.b64encode(PNG).decode()
    sources = (
        f"data:image/png;base64,{png}",
        f"DATA:IMAGE/PNG;BASE64,{png}",
        f"data:image/PNG;base64,{png}",
        f"data:image/jpeg;base64,{png}",
        f"data:image/png;base64,{svg}",
        f"data:image/svg+xml;base64,{svg}",
        "data:image/png,raw",
        "/documents/1/media/0123456789abcdef0123.png",
        "https://evil.example/x.png",
        "/i/gettone",
    )
    markdown = "\n\n".join(f"![I{i}]({src})" for i, src in enumerate(sources))
    tree = _filtered(markdown)
    kept = {sources[int(label[1:])] for label in _labels(tree, "Image")}
    assert kept == {src for src in sources if urls.raster_data(src)}


def test_pandoc_reads_no_file_even_without_the_filter(app, tmp_path: Path) -> None:
    """--sandbox holds on its own: an image naming a local file is not embedded."""
    secret = tmp_path / "segreto.png"
    secret.write_bytes(PNG + b"SEGRETO-LOCALE")
    job = {
        "renderer": "pandoc",
        "pandoc": pypandoc.get_pandoc_path(),
        "markdown": f"![x]({secret})\n\n![y](file://{secret})\n",
        "from": assembly.PANDOC_FROM,
        "to": "docx",
        "args": [],
    }
    output = tmp_path / "out" / "sandbox.docx"
    renderer.run(job, output, time_limit=60, memory_mb=1200)
    with zipfile.ZipFile(output) as archive:
        assert not any(b"SEGRETO-LOCALE" in archive.read(name) for name in archive.namelist())
