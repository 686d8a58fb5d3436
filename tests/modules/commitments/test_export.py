"""The commitments annex in the exported files: the HTML that becomes the PDF, and the
DOCX that pandoc writes."""

from __future__ import annotations

from pathlib import Path

import docx

from app.core.commitments import Draft, Status
from app.extensions import db
from app.modules.commitments import services
from app.modules.exports import services as exports
from app.modules.timeutil import utcnow
from tests.modules.amendments.conftest import Table


def _agreed(table: Table) -> None:
    facilitator, membership = table.people["facilitator"], table.memberships["facilitator"]
    commitment = services.record_commitment(
        facilitator,
        membership,
        Draft("Comune di Iseo", "Apre uno sportello per l'abitare.", "Maria Rossi"),
        services.Clause(table.section, "la casa e il lavoro"),
        utcnow().date(),
    )
    services.change_status(facilitator, membership, commitment, Status.AGREED, "")
    db.session.commit()


def _export(table: Table, fmt: str) -> Path:
    row = exports.export(
        table.people["facilitator"], table.document, exports.options_from(fmt, ["commitments"])
    )
    db.session.commit()
    path = exports.file_of(row)
    assert path is not None
    return path


def test_the_html_export_has_the_commitments_annex(table: Table) -> None:
    _agreed(table)
    html = _export(table, "html").read_text()
    assert "Impegni istituzionali" in html
    assert "<strong>Impegno 1 · Comune di Iseo</strong> (Concordata)" in html
    assert "Maria Rossi" in html and "«la casa e il lavoro»" in html


def test_the_docx_export_has_the_commitments_annex(table: Table) -> None:
    _agreed(table)
    document = docx.Document(str(_export(table, "docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Impegni istituzionali" in text
    assert "Impegno 1 · Comune di Iseo (Concordata)" in text
    assert "Responsabile: Maria Rossi" in text
