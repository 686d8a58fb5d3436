"""The sources of a synthesis at the foot of its pages: the PDF as WeasyPrint makes it,
read back with pdftotext, the DOCX and the ODT as pandoc makes them, read in their XML;
and the export form, which offers the notes for a synthesis only."""

from __future__ import annotations

import re
import subprocess
import zipfile
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from app.core.footnotes import LABEL
from app.extensions import db
from app.modules.documents.models import Document, Section
from app.modules.exports import services as exports
from app.modules.exports.models import Export
from app.modules.history import services as history
from app.modules.synthesis import services as synthesis
from app.modules.synthesis.models import Synthesis
from app.realtime.services import current_text, write_text
from tests import factories
from tests.modules.amendments.conftest import Table

FUND = "Serve un *fondo* di garanzia per gli affitti dei giovani."
TRAINEES = "I tirocini durano almeno sei mesi [minimo] e sono pagati."
LIBRARIES = "Le biblioteche restano aperte la sera."


@dataclass
class Built:
    made: Synthesis
    proposals: Section
    housing: Document


def _lab(table: Table, title: str, section: str, body: str) -> Document:
    lab = factories.document(table.document.workshop, title, sections=1)
    lab.sections[0].title = section
    db.session.commit()
    write_text(table.people["anna"], lab.sections[0], body, "typed-by-test")
    return lab


def _pull(table: Table, target: Section, lab: Document, words: str) -> None:
    source = lab.sections[0]
    start = current_text(source.id).index(words)
    synthesis.pull(table.people["facilitator"], target, source, (start, start + len(words)))
    db.session.commit()


def _built(table: Table) -> Built:
    """Three passages: one from a lab with a saved version, one with Markdown in its
    words and in its lab's title, one deleted from the synthesis afterwards."""
    housing = _lab(table, "Laboratorio 1 · Abitare", "Casa", f"Premessa.\n\n{FUND}")
    history.save_version(table.people["facilitator"], housing, "Bozza 2")
    work = _lab(table, "Lab *2* <b>Lavoro</b>", "Tirocini [e] stage", f"{TRAINEES}\n\nAltro.")
    social = _lab(table, "Laboratorio 3 · Socialità", "Spazi", LIBRARIES)
    made = synthesis.create(
        table.people["facilitator"],
        table.document.workshop,
        "Sintesi dei laboratori",
        [housing, work, social],
        ["Proposte", "Criticità"],
    )
    db.session.commit()
    proposals, critical = made.document.sections
    _pull(table, proposals, housing, FUND)
    _pull(table, proposals, work, TRAINEES)
    _pull(table, critical, social, LIBRARIES)
    write_text(table.people["bruno"], critical, "Riscritta in plenaria.", "typed-by-test")
    db.session.commit()
    return Built(made, proposals, housing)


def _export(table: Table, document: Document, fmt: str, notes: bool = True) -> Path:
    options = exports.options_from(fmt, ["sources"], notes=["sources"] if notes else [])
    row = exports.export(table.people["facilitator"], document, options)
    db.session.commit()
    path = exports.file_of(row)
    assert path is not None
    return path


def _pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(done.stdout.split())


def _xml_text(xml: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", xml)).split())


FUND_NOTE = "Fonte: Laboratorio 1 · Abitare – «Casa», versione «Bozza 2»"
TRAINEES_NOTE = "Fonte: Lab *2* <b>Lavoro</b> – «Tirocini [e] stage», revisione"


def test_the_pdf_calls_each_source_after_its_words_and_names_it_at_the_foot(
    table: Table,
) -> None:
    built = _built(table)
    text = _pdf_text(_export(table, built.made.document, "pdf"))
    # The calls, numbered, right after the words; the notes at the foot of the page.
    assert "dei giovani.1" in text and "sono pagati.2" in text
    assert f"1. {FUND_NOTE}" in text
    assert re.search(re.escape(f"2. {TRAINEES_NOTE}") + r" \d+", text)
    # The passage deleted from the synthesis has neither a call nor a note.
    assert "Socialità" not in text.split("Fonti della sintesi")[0]
    assert text.count("Fonte: ") == 2


def test_the_docx_and_the_odt_have_real_footnotes(table: Table) -> None:
    built = _built(table)
    with zipfile.ZipFile(_export(table, built.made.document, "docx")) as docx:
        notes = _xml_text(docx.read("word/footnotes.xml").decode())
        body = docx.read("word/document.xml").decode()
    assert FUND_NOTE in notes and TRAINEES_NOTE in notes
    assert len(re.findall(r"<w:footnoteReference w:id=", body)) == 2
    # The call right after the passage's last word, in the same paragraph.
    assert re.search(r"dei giovani\.</w:t></w:r><w:r>(?:(?!</w:p>).)*<w:footnoteReference", body)
    assert "Socialità" not in notes
    with zipfile.ZipFile(_export(table, built.made.document, "odt")) as odt:
        content = odt.read("content.xml").decode()
    assert content.count("<text:note ") == 2
    assert FUND_NOTE in _xml_text(content)


def test_without_the_option_the_files_say_nothing_at_the_foot(table: Table) -> None:
    built = _built(table)
    text = _pdf_text(_export(table, built.made.document, "pdf", notes=False))
    assert "Fonte: " not in text and "dei giovani. " in text
    with zipfile.ZipFile(_export(table, built.made.document, "docx", notes=False)) as docx:
        assert "<w:footnoteReference" not in docx.read("word/document.xml").decode()


def test_notes_never_touch_the_text_its_seal_or_the_markdown(table: Table) -> None:
    built = _built(table)
    document = built.made.document
    plain = exports.source_for(document, colophon=False)
    noted = exports.source_for(document, colophon=False, notes=["sources"])
    assert noted.text_sha256 == plain.text_sha256
    assert [s.body for s in noted.sections] == [s.body for s in plain.sections]
    assert len(noted.sections[0].notes) == 2
    assert exports.assembly.markdown_text(noted) == exports.assembly.markdown_text(plain)
    # The server sends pandoc's input with the sections as typed, the second with the
    # note of the passage deleted since; the worker places the notes (or not).
    job = exports.assembly.pandoc_job(noted, exports.Format.DOCX)
    assert [s["body"] for s in job["noted"]] == [s.body for s in noted.sections]
    assert noted.sections[0].body.strip() not in job["markdown"]
    # The Markdown export is the text as written: the option does not reach it.
    assert exports.options_from("md", notes=["sources"]).notes == frozenset()
    markdown = _export(table, document, "md").read_text()
    assert f"[^{LABEL}" not in markdown and "Fonte: " not in markdown.split("# Fonti")[0]


def test_the_export_record_keeps_the_choice(table: Table) -> None:
    built = _built(table)
    _export(table, built.made.document, "docx")
    row = db.session.scalars(db.select(Export)).one()
    assert row.options["notes"] == ["sources"] and row.options["annexes"] == ["sources"]


def test_a_saved_version_notes_only_the_passages_it_has(table: Table) -> None:
    built = _built(table)
    document = built.made.document
    history.save_version(table.people["facilitator"], document, "prima della plenaria")
    db.session.commit()
    _pull(table, built.proposals, built.housing, "Premessa.")
    options = exports.options_from("docx", notes=["sources"])
    row = exports.export(table.people["facilitator"], document, options, "prima della plenaria")
    db.session.commit()
    path = exports.file_of(row)
    assert path is not None
    with zipfile.ZipFile(path) as docx:
        body = docx.read("word/document.xml").decode()
    assert body.count("<w:footnoteReference ") == 2
    assert "Premessa." not in _xml_text(body)


def test_the_form_offers_the_notes_for_a_synthesis_only(table: Table) -> None:
    built = _built(table)
    client = table.clients["facilitator"]
    page = client.get(f"/documents/{built.made.document_id}/exports").text
    assert 'name="notes" id="export-note-sources" value="sources"' in page
    assert "Riferimenti alle fonti in nota" in page
    assert 'id="export-note-sources" value="sources" checked' not in page
    panel = client.get(f"/documents/{built.made.document_id}").text
    assert 'id="panel-note-sources"' in panel
    other = client.get(f"/documents/{table.document.id}/exports").text
    assert "Riferimenti alle fonti in nota" not in other and 'name="notes"' not in other


def test_the_form_exports_with_notes_and_refuses_them_for_another_document(
    table: Table,
) -> None:
    built = _built(table)
    client = table.clients["facilitator"]
    sent = client.post(
        f"/documents/{built.made.document_id}/exports",
        data={"format": "pdf", "notes": ["sources"], "colophon": "y", "pdf_tagged": "y"},
    )
    assert sent.status_code == 302
    row = db.session.scalars(db.select(Export)).one()
    assert row.options["notes"] == ["sources"]
    refused = client.post(
        f"/documents/{table.document.id}/exports",
        data={"format": "pdf", "notes": ["sources"], "colophon": "y"},
    )
    assert refused.status_code == 422
    assert "Scegli le note dall'elenco." in unescape(refused.text)
    assert db.session.scalars(db.select(Export)).all() == [row]
