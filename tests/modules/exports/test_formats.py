"""Each format, produced through the worker and opened with a reader of that format."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pypdf

from app.modules.exports import services


def _export(policy, fmt: str, **kwargs):  # type: ignore[no-untyped-def]
    options = services.options_from(fmt, ["participants"], **kwargs)
    row = services.export(policy.facilitator, policy.document, options)
    path = services.file_of(row)
    assert path is not None and path.stat().st_size == row.size
    return row, path


def test_pdf_has_cover_toc_every_heading_and_bookmarks(app, policy) -> None:
    _, path = _export(policy, "pdf")
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) >= 5
    text = "\n".join(page.extract_text() for page in reader.pages)
    for heading in [*policy.headings, "Indice", "Partecipanti", "Colophon"]:
        assert heading in text, heading
    toc = reader.pages[1].extract_text()
    assert "Indice" in toc
    assert re.search(r"Lavoro\s*\.+\s*\d+", toc), toc
    assert "Pagina 3 di" in reader.pages[2].extract_text()
    assert "«budget di salute»" in text and "dell’ASST" in text
    assert "Un patto per l’abitare" in reader.pages[0].extract_text()
    assert "Delibera regionale n. 1234" in text
    (called,) = [p.extract_text() for p in reader.pages if "strumento" in p.extract_text()]
    assert "Delibera regionale n. 1234" in called, "the note sits at the foot of its page"
    bookmarks = [item.title for item in _flatten(reader.outline)]
    assert any("Lavoro" in title for title in bookmarks), bookmarks
    assert reader.trailer["/Root"]["/Lang"] == "it"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title == "Documento di policy sul budget di salute"
    images = [image for page in reader.pages for image in page.images]
    assert images, "the document's own image is in the PDF"
    fonts = {str(font) for page in reader.pages for font in _fonts(page)}
    assert any("Titillium" in font for font in fonts), fonts


def _flatten(outline):  # type: ignore[no-untyped-def]
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def _fonts(page):  # type: ignore[no-untyped-def]
    resources = page.get("/Resources") or {}
    for font in (resources.get("/Font") or {}).values():
        yield font.get_object().get("/BaseFont")


def test_pdf_a_for_archiving(app, policy) -> None:
    _, path = _export(policy, "pdf", archival=True)
    reader = pypdf.PdfReader(path)
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in metadata and b"2" in metadata
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_docx_has_heading_styles_lists_tables_footnotes_and_images(app, policy) -> None:
    _, path = _export(policy, "docx")
    document = docx.Document(str(path))
    styled = {(p.style.name, p.text) for p in document.paragraphs}
    assert ("Heading 1", "1 Abitare") in styled
    assert ("Heading 2", "1.1 Abitare supportato") in styled
    assert ("Heading 1", "2 Lavoro") in styled
    assert ("Heading 2", "Inserimento lavorativo") in styled
    assert ("Title", "Documento di policy sul budget di salute") in styled
    assert ("Heading 1", "Partecipanti") in styled
    assert document.tables and document.tables[0].cell(1, 0).text == "ASST di Lodi"
    with zipfile.ZipFile(path) as archive:
        footnotes = archive.read("word/footnotes.xml").decode()
        body = archive.read("word/document.xml").decode()
        names = archive.namelist()
        styles = archive.read("word/styles.xml").decode()
    assert "Delibera regionale n. 1234" in footnotes and "Nota sul lavoro" in footnotes
    assert "<w:numPr>" in body, "numbered and nested lists are real Word lists"
    assert "«budget di salute»" in body
    assert any(name.startswith("word/media/") for name in names)
    assert 'w:val="it-IT"' in styles or 'w:val="it"' in styles


def test_odt_has_outline_headings_tables_and_notes(app, policy) -> None:
    _, path = _export(policy, "odt")
    with zipfile.ZipFile(path) as archive:
        content = archive.read("content.xml").decode()
        names = archive.namelist()
    assert re.search(r'<text:h [^>]*text:outline-level="1"[^>]*>.*?1 Abitare', content)
    assert "<table:table " in content
    assert "<text:note " in content and "Nota sul lavoro" in content
    assert any(name.startswith("Pictures/") for name in names)


def test_markdown_carries_the_text_that_the_seal_hashes(app, policy) -> None:
    row, path = _export(policy, "md")
    text = path.read_text()
    assert text.startswith("---\ntitle: ")
    for heading in policy.headings:
        assert heading in text
    assert row.text_sha256 in text
    assert row.text_sha256 == services.source_for(policy.document).text_sha256


def test_standalone_html_keeps_its_images_inside(app, policy) -> None:
    _, path = _export(policy, "html")
    html = path.read_text()
    assert '<html lang="it">' in html
    assert "data:image/png;base64," in html
    assert "/documents/" not in html
    for heading in policy.headings:
        assert heading in html


def test_the_same_text_has_the_same_seal_in_every_format(app, policy) -> None:
    rows = [_export(policy, fmt)[0] for fmt in ("md", "docx")]
    assert rows[0].text_sha256 == rows[1].text_sha256
    assert rows[0].file_name != rows[1].file_name
    reader = pypdf.PdfReader(io.BytesIO(_export(policy, "pdf")[1].read_bytes()))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert rows[0].text_sha256 in text


def test_sections_given_by_the_caller_replace_the_live_text(app, policy) -> None:
    """How a named version plugs in: the same source, other sections."""
    version = [("Premessa", 1, "Testo della versione."), ("Dettaglio", 2, "Altro testo.")]
    source = services.source_for(policy.document, sections=version)
    assert [(s.number, s.title, s.depth) for s in source.sections] == [
        ("1", "Premessa", 1),
        ("1.1", "Dettaglio", 2),
    ]
    assert source.text_sha256 != services.source_for(policy.document).text_sha256


def test_titles_are_escaped_in_every_html(app, policy) -> None:
    policy.document.sections[1].title = '<img src=x onerror="alert(1)"> "Casa"'
    _, path = _export(policy, "html")
    html = path.read_text()
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "«Casa»" in html
