"""An Italian DOCX with headings, bulleted and numbered lists, a table, a footnote,
emphasis, a link and an image: each element survives the import into Markdown, renders
with the application's renderer, and survives the export back to DOCX and a second
import."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
import pytest
from flask import Flask

from app.core.render import render_markdown
from app.modules.exports import services as exports
from app.modules.imports import services
from tests import factories
from tests.modules.imports import samples

# What each element looks like in the imported Markdown and in the rendered page.
ELEMENTS = {
    "heading": (r"^### Strumenti$", r"<h\d[^>]*>Strumenti</h\d>"),
    "bulleted list": (r"^- appartamenti condivisi\n+\s+- con un’educatrice", r"<ul>\s*<li>"),
    "numbered list": (r"^1\.\s+budget personale\n2\.\s+équipe integrata", r"<ol>\s*<li>"),
    "table": (
        r"^\| ASST di Lodi\s+\| Tirocini di inclusione\s+\|$",
        r"<table>[\s\S]*<td>ASST di Lodi</td>",
    ),
    "footnote": (r"vita\[\^1\][\s\S]*^\[\^1\]: Si veda la DGR", r'class="footnote-ref"'),
    "emphasis": (r"\*pilastro\*", r"<em>pilastro</em>"),
    "strong": (r"\*\*bozza\*\*", r"<strong>bozza</strong>"),
    "link": (
        r"\[collegamento alla delibera\]\(https://www\.regione\.lombardia\.it/delibera\)",
        r'<a href="https://www.regione.lombardia.it/delibera" rel="noopener noreferrer">',
    ),
    "image": (
        r"!\[Mappa dei servizi\]\(/documents/\d+/media/[0-9a-f]{20}\.png\)",
        r'<img src="/documents/\d+/media/[0-9a-f]{20}\.png" alt="Mappa dei servizi"',
    ),
}


@pytest.fixture
def imported(app: Flask, tmp_path: Path):  # type: ignore[no-untyped-def]
    workshop = factories.workshop()
    source = tmp_path / "bozza.docx"
    source.write_bytes(samples.office())
    document = services.import_file(None, workshop, source, level=1)
    assert [s.title for s in document.sections] == ["Premessa", "Abitare", "Lavoro", "Socialità"]
    return document


@pytest.mark.parametrize("element", ELEMENTS)
def test_each_element_survives_the_import_and_renders(imported, element: str) -> None:  # type: ignore[no-untyped-def]
    markdown_pattern, html_pattern = ELEMENTS[element]
    [section] = [s for s in imported.sections if re.search(markdown_pattern, s.body, re.M)]
    html = render_markdown(section.body, "s1", heading_level=1, document_id=imported.id)
    assert re.search(html_pattern, html), html


def test_the_image_is_stored_by_content(app: Flask, imported) -> None:  # type: ignore[no-untyped-def]
    [name] = re.findall(r"/media/([0-9a-f]{20}\.png)", imported.sections[1].body)
    stored = Path(app.instance_path) / "media" / str(imported.id) / name
    assert stored.read_bytes() == samples.png()


def test_export_to_docx_and_import_again(app: Flask, imported, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    output = tmp_path / "esportato.docx"
    exports.render_to(exports.source_for(imported), exports.options_from("docx"), output)

    exported = docx.Document(str(output))
    headings = [
        (p.style.name, p.text) for p in exported.paragraphs if p.style.name.startswith("Heading")
    ]
    assert any(text == "Strumenti" for _style, text in headings), headings
    assert any(
        "ASST di Lodi" in cell.text for t in exported.tables for row in t.rows for cell in row.cells
    )
    with zipfile.ZipFile(output) as archive:
        assert "Si veda la DGR" in archive.read("word/footnotes.xml").decode()
        assert any(n.startswith("word/media/") for n in archive.namelist())
        assert (
            "regione.lombardia.it/delibera" in archive.read("word/_rels/document.xml.rels").decode()
        )

    # Tavolo's own numbers ("2.1 Strumenti") are recognised and left to Tavolo again.
    again = services.import_file(
        None, imported.workshop, output, level=3, numbers=services.Numbers.TAVOLO
    )
    assert again.title == imported.title and again.numbered
    titles = [s.title for s in again.sections]
    chapters = ["Premessa", "Abitare", "Strumenti", "Lavoro", "Socialità"]
    start = titles.index("Abitare") - 1
    assert titles[start : start + len(chapters)] == chapters, titles
    text = "\n\n".join(f"# {s.title}\n\n{s.body}" for s in again.sections)
    for element, (markdown_pattern, _html) in ELEMENTS.items():
        if element == "heading":
            continue
        assert re.search(markdown_pattern, text, re.MULTILINE), (element, text)
