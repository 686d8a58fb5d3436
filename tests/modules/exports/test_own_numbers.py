"""A document whose titles keep the numbers of the file it was imported from: every
format shows each title as written, with none of Tavolo's numbers beside it."""

from __future__ import annotations

import re

import docx

from app.extensions import db
from app.modules.exports import services


def _export(policy, fmt: str):  # type: ignore[no-untyped-def]
    row = services.export(policy.facilitator, policy.document, services.options_from(fmt))
    path = services.file_of(row)
    assert path is not None
    return path


def test_titles_keep_their_own_numbers_in_every_format(app, policy) -> None:  # type: ignore[no-untyped-def]
    for n, section in enumerate(policy.document.sections, start=1):
        section.title = f"Art. {n} – {section.title}"
    policy.document.numbered = False
    db.session.commit()

    html = _export(policy, "html").read_text()
    assert 'class="section-number"' not in html and 'class="toc-number"' not in html
    assert re.search(r'class="section-title">Art\. 1 – Abitare</h2>', html), html[:3000]
    markdown = _export(policy, "md").read_text()
    headings = re.findall(r"^#+ .*", markdown, re.MULTILINE)
    assert "# Art\\. 1 – Abitare" in headings and "## Art\\. 2 – Abitare supportato" in headings
    headings = [
        p.text
        for p in docx.Document(str(_export(policy, "docx"))).paragraphs
        if p.style.name.startswith("Heading")
    ]
    assert "Art. 1 – Abitare" in headings and not any(h.startswith("1 ") for h in headings)
