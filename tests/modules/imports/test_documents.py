"""Drafts as they really arrive: the national ICT plan (about a hundred pages, CC0) as
Markdown and as DOCX, a municipal plan numbered by hand, what pandoc makes of a file
saved by Word and what a PDF converter leaves. Each imports whole: the file's title
becomes the document's, one section per heading, every note kept and shown in the
section that calls it, and numbers never twice."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from flask import Flask

from app.core.render import render_markdown
from app.extensions import db
from app.modules.documents.models import Document
from app.modules.exports import services as exports
from app.modules.imports import services
from app.modules.imports.services import Numbers
from tests import factories
from tests.modules.imports import samples
from tests.modules.imports.conftest import upload
from tests.modules.people.helpers import Desk

DATA = Path(__file__).resolve().parents[2] / "data"
PLAN_MD = DATA / "piano-triennale-informatica-pa-2020-2022.md"
PLAN_DOCX = DATA / "piano-triennale-informatica-pa-2020-2022.docx"
PLAN_TITLE = "Piano Triennale per l'informatica nella Pubblica Amministrazione 2020 - 2022"


def _plain(text: str) -> str:
    """A heading's words as a reader sees them: no `{#id}`, emphasis or escapes."""
    text = re.sub(r"\s*\{#[^}]*\}\s*$", "", text)
    return " ".join(re.sub(r"\\(.)", r"\1", text.replace("*", "")).split())


def _markdown_headings(text: str) -> list[tuple[int, str]]:
    return [
        (len(marks), _plain(title))
        for marks, title in re.findall(r"^(#{1,6}) (.*)$", text, re.MULTILINE)
    ]


def _docx_headings(path: Path) -> tuple[str, list[tuple[int, str]]]:
    paragraphs = docx.Document(str(path)).paragraphs
    [title] = [p.text for p in paragraphs if p.style.name == "Title"]
    return title, [
        (int(p.style.name.split()[-1]), " ".join(p.text.split()))
        for p in paragraphs
        if p.style.name.startswith("Heading ")
    ]


def _rendered(document: Document) -> str:
    return "\n".join(
        render_markdown(s.body, f"s{s.position}", 2, document_id=document.id)
        for s in document.sections
    )


def test_the_national_plan_as_markdown_through_the_pages(app: Flask, desk: Desk) -> None:
    text = PLAN_MD.read_text(encoding="utf-8")
    [(first_level, title), *chapters] = _markdown_headings(text)
    assert (first_level, title) == (1, PLAN_TITLE)
    assert all(level > 1 for level, _t in chapters)
    app.config["SECTION_MAX_BYTES"] = 200 * 1024
    sent = upload(desk, text.encode(), "piano.md", level=3)
    assert sent.status_code == 302, sent.text[-2000:]
    preview = desk.client.get(sent.headers["Location"])
    assert f'value="{PLAN_TITLE}"' in preview.text.replace("&#39;", "'")
    # Nine chapters are «CAPITOLO n.»: the person chooses who numbers.
    assert "Mantieni la numerazione del file" in preview.text
    assert "per esempio «CAPITOLO 1. Servizi»" in preview.text

    url = sent.headers["Location"].split("?")[0]
    done = desk.client.post(url, data={"title": PLAN_TITLE, "level": "3", "numbers": "file"})
    assert done.status_code == 302, done.text[-2000:]
    document = db.session.scalars(
        db.select(Document).where(Document.workshop_id == desk.workshop.id)
    ).one()
    assert document.title == PLAN_TITLE and not document.numbered
    # One section per heading, the levels counted from the chapters, titles as written.
    assert [(s.level, s.title) for s in document.sections] == [
        (1, "Premessa"),
        *((level - 1, title) for level, title in chapters),
    ]
    assert document.sections[0].body.startswith("Il Piano Triennale per l'informatica")
    page = desk.client.get(f"/documents/{document.id}").text
    assert "CAPITOLO 1. Servizi" in page and 'class="section-number' not in page


def test_the_national_plan_as_docx(app: Flask, tmp_path: Path) -> None:
    title, headings = _docx_headings(PLAN_DOCX)
    assert title == PLAN_TITLE
    app.config["SECTION_MAX_BYTES"] = 200 * 1024
    # A hundred pages take pandoc about 2.5 s, more on a busy machine: the limit is
    # tested elsewhere, the document here.
    app.config["IMPORT_TIMEOUT_SECONDS"] = 120
    workshop = factories.workshop()
    document = services.import_file(None, workshop, PLAN_DOCX, 3, numbers=Numbers.TAVOLO)
    assert document.title == PLAN_TITLE and document.numbered
    # Tavolo numbers: «CAPITOLO 1. Servizi» is «Servizi», numbered by Tavolo.
    unnumbered = [
        re.sub(r"^(CAPITOLO \d+\.|APPENDICE \d+\.|PARTE [IV]+ -) ", "", t) for _level, t in headings
    ]
    assert [(s.level, s.title) for s in document.sections] == [
        (1, "Premessa"),
        *zip([level for level, _t in headings], unnumbered, strict=True),
    ]
    assert "Servizi" in unnumbered and "CAPITOLO 1. Servizi" not in unnumbered
    markdown = exports.assembly.markdown_text(exports.source_for(document, colophon=False))
    assert "\n# 5 Servizi\n" in markdown

    # The Markdown and the DOCX of the same plan make the same document.
    again = services.import_file(None, workshop, PLAN_MD, 3, numbers=Numbers.TAVOLO)
    assert [(s.level, s.title.replace("’", "'")) for s in again.sections] == [
        (s.level, s.title.replace("’", "'")) for s in document.sections
    ]


SAMPLES = {
    "numbered plan": (
        samples.NUMBERED_PLAN,
        "Piano di governo del territorio",
        [
            "Legge regionale 11 marzo 2005",
            "Nota scritta sul titolo.",
            "Nota scritta in linea.",
            "Superficie territoriale.",
        ],
        ["Documento di piano", "Comune di Codogno", "Ex consorzio", "Gli indicatori del 2030"],
    ),
    "from Word": (
        samples.FROM_WORD,
        'Relazione: "progetto" 2025',
        ["La nota di Word", "che continua qui."],
        ["Ufficio di piano", "3 marzo 2025", "con un a capo forzato", "di cui 3.000 minori"],
    ),
    "from a PDF converter": (
        samples.FROM_PDF,
        "bozza",
        ["Rete ciclabile di 40 km."],
        ["PIANO URBANO", "**1. PREMESSA**", "defini-", "Pagina 3 di 90", "testo rientrato"],
    ),
}


@pytest.mark.parametrize("fmt", ["md", "docx", "odt"])
@pytest.mark.parametrize("sample", SAMPLES)
def test_every_heading_and_note_is_kept(app: Flask, tmp_path: Path, sample: str, fmt: str) -> None:
    markdown, title, notes, texts = SAMPLES[sample]
    source = tmp_path / f"bozza.{fmt}"
    if fmt == "md":
        source.write_text(markdown, encoding="utf-8")
    else:
        source.write_bytes(samples.office(markdown, fmt, images={}))
    document = services.import_file(None, factories.workshop(), source, 3)
    # pandoc's writer types its own quotes in the DOCX and the ODT.
    assert re.sub("[“”]", '"', document.title) == title
    titles = [s.title for s in document.sections]
    for _level, heading in _markdown_headings(markdown):
        assert heading.replace("[^titolo]", "") in titles, (heading, titles)
    bodies = "\n".join(s.body for s in document.sections)
    for text in texts:
        assert text in bodies.replace("\\*", "*"), (text, bodies)
    # Every note is shown in the section that calls it: its text is in the page.
    html = _rendered(document)
    for note in notes:
        assert note in html, (note, bodies)


def test_a_hand_numbered_plan_is_numbered_once(app: Flask, desk: Desk) -> None:
    sent = upload(desk, samples.office(samples.NUMBERED_PLAN, images={}), "pgt.docx", level=2)
    url = sent.headers["Location"].split("?")[0]
    preview = desk.client.get(f"{url}?livello=2&numerazione=tavolo").text
    assert 'value="Piano di governo del territorio"' in preview
    # The text above the first chapter is a section too: Tavolo's «3.1» is the file's «2.1».
    assert '<span class="section-number">3.1</span> I percorsi attuativi del piano' in preview
    kept = desk.client.get(f"{url}?livello=2&numerazione=file").text
    assert 'card-title mb-1">2.1 I percorsi attuativi del piano</h3>' in kept

    desk.client.post(url, data={"title": "PGT", "level": "2", "numbers": "tavolo"})
    document = db.session.scalars(
        db.select(Document).where(Document.workshop_id == desk.workshop.id)
    ).one()
    assert document.numbered
    assert [(s.level, s.title) for s in document.sections] == [
        # The text above the first chapter is not called like the chapter «1. Premessa».
        (1, "Testo iniziale"),
        (1, "Premessa"),
        (1, "I percorsi attuativi"),
        (2, "I percorsi attuativi del piano"),
        (2, "Le aree di trasformazione"),
        (1, "Monitoraggio"),
        (2, "Indicatori"),
        (1, "Allegati"),
    ]
    assert document.sections[0].body.startswith("Documento di piano\n\nComune di Codogno")
    page = desk.client.get(f"/documents/{document.id}").text
    assert '<span class="section-number">3.1</span> I percorsi attuativi del piano' in page
