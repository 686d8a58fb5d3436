"""The sources annex of a synthesis, in the files handed to the institutions: the PDF
as WeasyPrint makes it, read back with pdftotext, and the DOCX as pandoc makes it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import docx

from app.extensions import db
from app.modules.exports import services as exports
from app.modules.history import services as history
from app.modules.port import current_text, write_text
from app.modules.synthesis import services as synthesis
from tests import factories
from tests.modules.amendments.conftest import Table

PASSAGE = "Serve un fondo di garanzia per gli affitti dei giovani."


def _synthesis_with_a_source(table: Table):  # type: ignore[no-untyped-def]
    workshop = table.document.workshop
    lab = factories.document(workshop, "Laboratorio 1 · Abitare", sections=1)
    write_text(table.people["anna"], lab.sections[0], f"Premessa.\n\n{PASSAGE}", "typed-by-test")
    history.save_version(table.people["facilitator"], lab, "fine mattina")
    made = synthesis.create(
        table.people["facilitator"], workshop, "Sintesi", [lab], ["Proposte", "Buone pratiche"]
    )
    db.session.commit()
    source = lab.sections[0]
    start = current_text(source.id).index(PASSAGE)
    synthesis.pull(
        table.people["facilitator"],
        made.document.sections[0],
        source,
        (start, start + len(PASSAGE)),
    )
    db.session.commit()
    return made, lab


def _export(table: Table, document, fmt: str) -> Path:  # type: ignore[no-untyped-def]
    row = exports.export(
        table.people["facilitator"], document, exports.options_from(fmt, ["sources"])
    )
    db.session.commit()
    path = exports.file_of(row)
    assert path is not None
    return path


def test_the_pdf_of_a_synthesis_names_every_source(table: Table) -> None:
    made, _lab = _synthesis_with_a_source(table)
    pdf = _export(table, made.document, "pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "Fonti della sintesi" in flat
    assert "Fonte 1 · in «Proposte», dal laboratorio «Laboratorio 1 · Abitare»" in flat
    assert "dopo la versione «fine mattina»" in flat
    assert PASSAGE in flat


def test_the_docx_of_a_synthesis_names_every_source_and_a_later_change(table: Table) -> None:
    made, lab = _synthesis_with_a_source(table)
    source = lab.sections[0]
    write_text(
        table.people["anna"],
        source,
        current_text(source.id).replace("dei giovani", "dei giovani e delle famiglie"),
        "typed-by-test",
    )
    document = docx.Document(str(_export(table, made.document, "docx")))
    # Pandoc sets typographic apostrophes.
    text = "\n".join(p.text for p in document.paragraphs).replace("\u2019", "'")
    assert "Fonti della sintesi" in text
    assert "Il laboratorio ha modificato questo passaggio dopo l'inserimento." in text


def test_a_document_that_is_not_a_synthesis_has_no_sources_annex(table: Table) -> None:
    html = _export(table, table.document, "html").read_text()
    assert "Fonti della sintesi" not in html


def test_a_passage_deleted_from_the_synthesis_is_no_longer_a_source(table: Table) -> None:
    made, _lab = _synthesis_with_a_source(table)
    target = made.document.sections[0]
    write_text(table.people["bruno"], target, "Riscritta in plenaria.", "typed-by-test")
    html = _export(table, made.document, "html").read_text()
    assert "Fonti della sintesi" not in html
