"""A facilitator uploads a draft, looks at the sections at one split level and then at
another, and confirms: one document, its sections and their text, images kept and
served, nothing left in the pending folder. Nothing is saved before the confirmation."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from flask import Flask

from app.core.permissions import Role
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.documents.models import Document
from tests import factories
from tests.conftest import login
from tests.modules.imports import samples
from tests.modules.imports.conftest import files_under, upload
from tests.modules.people.helpers import Desk


def _documents(desk: Desk) -> list[Document]:
    db.session.expire_all()
    return list(
        db.session.scalars(db.select(Document).where(Document.workshop_id == desk.workshop.id))
    )


def _titles(html: str) -> list[str]:
    """The titles of the preview, without the numbers Tavolo will give them."""
    return [
        unescape(t)
        for t in re.findall(r'card-title mb-1">(?:<span[^>]*>[^<]*</span> )?([^<]*)</h3>', html)
    ]


def test_upload_preview_change_level_and_confirm(app: Flask, desk: Desk) -> None:
    sent = upload(desk, samples.office(), "Bozza patto 2026.docx", level=1)
    assert sent.status_code == 302
    preview_url = sent.headers["Location"]
    assert re.fullmatch(
        rf"/workshops/{desk.workshop.id}/import/[A-Za-z0-9_-]{{24}}\?livello=1", preview_url
    )
    assert _documents(desk) == []

    at_one = desk.client.get(preview_url)
    assert at_one.status_code == 200
    # The lone first heading above the chapters is the title, not a chapter.
    assert 'value="Patto per il budget di salute"' in at_one.text  # title prefilled
    assert _titles(at_one.text) == ["Premessa", "Abitare", "Lavoro", "Socialità"]
    assert "Bozza patto 2026.docx" in at_one.text
    assert "1 immagine viene conservata." in at_one.text
    assert '<span class="section-number">2</span> Abitare' in at_one.text

    at_two = desk.client.get(preview_url.replace("livello=1", "livello=2"))
    assert _titles(at_two.text) == ["Premessa", "Abitare", "Strumenti", "Lavoro", "Socialità"]
    assert '<span class="section-number">2.1</span> Strumenti' in at_two.text
    # The first lines, rendered as the document page will render them.
    assert "<strong>bozza</strong>" in at_two.text
    assert "(immagine: Mappa dei servizi)" in at_two.text
    assert "Crea il documento con 5 sezioni" in at_two.text
    # Nothing is numbered in the file: there is nothing to choose.
    assert "Mantieni la numerazione del file" not in at_two.text
    assert _documents(desk) == []

    done = desk.client.post(
        preview_url.split("?")[0], data={"title": "Patto per la salute", "level": "1"}
    )
    assert done.status_code == 302
    [document] = _documents(desk)
    assert done.headers["Location"] == f"/documents/{document.id}"
    assert document.title == "Patto per la salute"
    assert document.numbered
    assert [(s.title, s.level, s.position) for s in document.sections] == [
        ("Premessa", 1, 0),
        ("Abitare", 1, 1),
        ("Lavoro", 1, 2),
        ("Socialità", 1, 3),
    ]
    assert document.sections[0].body.startswith("Questo documento è la **bozza**")
    abitare = document.sections[1].body
    # The footnote left the end of the text for the section that refers to it.
    assert "### Strumenti" in abitare and re.search(
        r"\n\[\^1\]: Si veda la DGR n.\s1234 del 2025.$", abitare
    )
    image = re.search(
        r"!\[Mappa dei servizi\]\((/documents/\d+/media/[0-9a-f]{20}\.png)\)", abitare
    )
    assert image and image.group(1).startswith(f"/documents/{document.id}/media/")
    served = desk.client.get(image.group(1))
    assert served.status_code == 200 and served.data == samples.png()
    assert files_under(Path(app.instance_path) / "imports") == []

    page = desk.client.get(f"/documents/{document.id}")
    assert f'src="{image.group(1)}"' in page.text
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "document.imported")
    ).one()
    assert event.details == {
        "file": "Bozza patto 2026.docx",
        "format": "docx",
        "split_level": 1,
        "numbered": True,
        "sections": 4,
        "images": 1,
    }


def test_an_odt_and_a_markdown_file(desk: Desk) -> None:
    odt = upload(desk, samples.office(fmt="odt"), "bozza.odt", level=2)
    assert "Crea il documento con 5 sezioni" in desk.client.get(odt.headers["Location"]).text

    text = "Testo prima.\n\n# Primo\n\nUno.\n\n# Secondo\n\nDue.\n".encode("cp1252")
    sent = upload(desk, text, "appunti.txt")
    preview = desk.client.get(sent.headers["Location"])
    assert _titles(preview.text) == ["Premessa", "Primo", "Secondo"]
    desk.client.post(
        sent.headers["Location"].split("?")[0], data={"title": "Appunti", "level": "1"}
    )
    [*_, document] = _documents(desk)
    assert [s.body for s in document.sections] == ["Testo prima.", "Uno.", "Due."]


def test_a_missing_title_keeps_the_level_and_saves_nothing(desk: Desk) -> None:
    sent = upload(desk, samples.office(), level=2)
    url = sent.headers["Location"].split("?")[0]
    refused = desk.client.post(url, data={"title": "  ", "level": "2"})
    assert refused.status_code == 422
    assert "Il titolo è obbligatorio." in refused.text
    assert 'id="livello-2"\n               value="2" checked' in refused.text
    assert _documents(desk) == []
    assert desk.client.post(url, data={"title": "Ora sì", "level": "2"}).status_code == 302


def test_cancel_removes_the_draft(app: Flask, desk: Desk) -> None:
    sent = upload(desk, samples.office())
    url = sent.headers["Location"].split("?")[0]
    assert files_under(Path(app.instance_path) / "imports")
    cancelled = desk.client.post(f"{url}/cancel")
    assert cancelled.status_code == 302
    assert files_under(Path(app.instance_path) / "imports") == []
    gone = desk.client.get(url, follow_redirects=True)
    assert "Questa anteprima non c'è più" in unescape(gone.text)
    assert _documents(desk) == []


def test_a_draft_belongs_to_its_uploader(app: Flask, desk: Desk) -> None:
    sent = upload(desk, samples.office())
    url = sent.headers["Location"].split("?")[0]
    _, token = factories.member(desk.workshop, Role.FACILITATOR)
    colleague = app.test_client()
    login(colleague, token)
    assert colleague.get(url).status_code == 302
    assert colleague.post(url, data={"title": "Mio", "level": "1"}).status_code == 302
    assert _documents(desk) == []
    assert desk.client.get(url).status_code == 200


def test_an_expired_draft_is_swept(app: Flask, desk: Desk) -> None:
    sent = upload(desk, samples.office())
    app.config["IMPORT_PENDING_SECONDS"] = -1
    assert desk.client.get(sent.headers["Location"]).status_code == 302
    assert files_under(Path(app.instance_path) / "imports") == []


def test_a_section_beyond_the_limit_is_refused_and_a_finer_level_fits(
    app: Flask, desk: Desk
) -> None:
    app.config["SECTION_MAX_BYTES"] = 1024
    chapter = "Una frase del capitolo. " * 30
    text = f"# Primo\n\nUno.\n\n## Lungo\n\n{chapter}\n\n## Ancora\n\n{chapter}\n\n# Altro\n"
    sent = upload(desk, text.encode(), "appunti.md")
    url = sent.headers["Location"].split("?")[0]
    refused = desk.client.post(url, data={"title": "Appunti", "level": "1"})
    assert refused.status_code == 422
    assert "La sezione «Primo» supera la lunghezza massima di una sezione (1 KB)" in unescape(
        refused.text
    )
    assert _documents(desk) == []
    desk.client.post(url, data={"title": "Appunti", "level": "2"})
    [document] = _documents(desk)
    assert [s.title for s in document.sections] == ["Primo", "Lungo", "Ancora", "Altro"]


def test_a_failure_nobody_foresaw_is_a_sentence(app: Flask, desk: Desk, tmp_path: Path) -> None:
    """The folder for the work in progress is a file: the import cannot even start."""
    blocker = tmp_path / "non-una-cartella"
    blocker.write_text("")
    app.config["IMPORTS_DIR"] = str(blocker)
    refused = upload(desk, samples.DRAFT.encode(), "bozza.md")
    assert refused.status_code == 500
    assert "Il documento non si è potuto importare per un errore imprevisto" in unescape(
        refused.text
    )
    assert 'id="file-error"' in refused.text and "Traceback" not in refused.text
    assert _documents(desk) == []


def test_a_text_too_slow_to_split_is_refused_and_leaves_nothing(app: Flask, desk: Desk) -> None:
    """The parser spends tens of seconds on a megabyte of brackets: the worker that reads
    the sections is stopped at its limit, the person is told why."""
    app.config["IMPORT_SPLIT_SECONDS"] = 1
    hostile = ("# Titolo\n\n" + "[" * 1_000_000).encode()
    refused = upload(desk, hostile, "parentesi.md")
    assert refused.status_code == 422
    assert "troppo complesso per dividerlo in sezioni entro 1 secondi" in unescape(refused.text)
    assert _documents(desk) == []
    assert files_under(Path(app.instance_path) / "imports") == []


def test_a_text_beyond_the_splitting_memory_is_refused(app: Flask, desk: Desk) -> None:
    app.config["IMPORT_MEMORY_MB"] = 60
    refused = upload(desk, samples.DRAFT.encode() * 1000, "bozza.md")
    assert refused.status_code == 422
    assert "richiede più memoria di quella consentita" in unescape(refused.text)
    assert _documents(desk) == []


def test_a_draft_uploaded_before_the_worker_read_it_is_gone(app: Flask, desk: Desk) -> None:
    """A draft kept by an older server has no reading of its sections: it is asked
    again, not shown broken."""
    sent = upload(desk, samples.DRAFT.encode(), "bozza.md")
    [plan] = [p for p in files_under(Path(app.instance_path) / "imports") if p.name == "plan.json"]
    plan.unlink()
    again = desk.client.get(sent.headers["Location"])
    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"{desk.base}/import")
