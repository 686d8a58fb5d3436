"""Hostile and broken files: each gets a 4xx answer with a readable Italian message,
creates no document, and leaves no file behind, neither in the instance folder nor in
the system's temporary folder. The zip bomb is refused on the sizes its archive
declares, before anything is unpacked."""

from __future__ import annotations

import io
from html import unescape
from pathlib import Path

import pytest
from flask import Flask

from app.extensions import db
from app.modules.documents.models import Document
from tests.modules.imports import samples
from tests.modules.imports.conftest import files_under, upload
from tests.modules.people.helpers import Desk

CASES = {
    "zip bomb": (samples.zip_bomb, 422, "occuperebbe 200 MB, più dei 100 MB ammessi"),
    "small zip bomb": (lambda: samples.zip_bomb(50), 422, "compresso in modo anomalo"),
    "XXE": (samples.xxe_docx, 422, "dichiarazioni XML non ammesse (DOCTYPE o ENTITY)"),
    "0 bytes": (lambda: b"", 422, "Il file è vuoto."),
    "PNG named .docx": (samples.png, 415, "Il file è un'immagine PNG, non un documento"),
    "NUL in text": (lambda: b"Titolo\n\x00\x00testo", 415, "non è un documento DOCX, ODT"),
    "too many entries": (lambda: samples.crowded_docx(1001), 422, "più dei 1000 ammessi"),
    "path out of the archive": (samples.escaping_docx, 422, "percorso non ammesso"),
    "archive lying about sizes": (samples.lying_docx, 422, "Il file è danneggiato"),
    "truncated archive": (lambda: samples.office()[:3000], 422, "Il file è danneggiato"),
    "spreadsheet zip": (
        lambda: samples.rebuilt(samples.office(), {"[Content_Types].xml": b"<Types/>"}),
        415,
        "non è un documento DOCX, ODT",
    ),
}


@pytest.fixture(scope="module")
def bad_files() -> dict[str, bytes]:
    return {name: make() for name, (make, _status, _message) in CASES.items()}


def _leftovers(app: Flask, temp_dir: Path) -> list[Path]:
    instance = Path(app.instance_path)
    return [
        p
        for p in files_under(instance, temp_dir)
        # Files, and any draft folder, even empty; not the test's database.
        if (not p.is_dir() or p.parent.name == "imports") and ".db" not in p.name
    ]


@pytest.mark.parametrize("case", CASES)
def test_a_bad_file_is_refused_in_italian_and_leaves_nothing(
    app: Flask, desk: Desk, temp_dir: Path, bad_files: dict[str, bytes], case: str
) -> None:
    _make, status, message = CASES[case]
    before = _leftovers(app, temp_dir)

    response = upload(desk, bad_files[case], "bozza.docx")

    assert response.status_code == status
    page = unescape(response.text)
    assert message in page
    assert 'aria-invalid="true"' in page  # the message sits on the file field
    assert _leftovers(app, temp_dir) == before
    assert db.session.scalars(db.select(Document)).all() == []


def test_the_bomb_is_judged_on_declared_sizes(bad_files: dict[str, bytes]) -> None:
    """~200 KB that claims 200 MB: refused by ratio without unpacking a byte."""
    assert len(bad_files["zip bomb"]) < 1024 * 1024


def test_an_upload_over_the_request_limit_gets_the_413_page(
    app: Flask, desk: Desk, temp_dir: Path
) -> None:
    app.config["IMPORT_MAX_BYTES"] = 10_000
    before = _leftovers(app, temp_dir)
    # Far beyond the limit: refused before the body is read, with the Italian error page.
    huge = desk.client.post(
        f"{desk.base}/import", data={"file": (io.BytesIO(bytes(600_000)), "x.docx")}
    )
    assert huge.status_code == 413
    assert "File troppo grande" in huge.text
    # Just beyond: the form says it, next to the file field.
    near = upload(desk, b"# Titolo\n\n" + b"testo " * 5000, "lungo.md")
    assert near.status_code == 413
    assert "Il file supera 0.00953674 MB, il massimo consentito." in near.text
    assert _leftovers(app, temp_dir) == before


def test_conversion_over_the_time_limit(app: Flask, desk: Desk, temp_dir: Path) -> None:
    app.config["IMPORT_TIMEOUT_SECONDS"] = 0.001
    before = _leftovers(app, temp_dir)
    response = upload(desk, samples.office())
    assert response.status_code == 422
    assert "La conversione ha superato il tempo massimo" in unescape(response.text)
    assert _leftovers(app, temp_dir) == before


def test_conversion_over_the_memory_limit(app: Flask, desk: Desk, temp_dir: Path) -> None:
    app.config["IMPORT_MEMORY_MB"] = 32
    before = _leftovers(app, temp_dir)
    response = upload(desk, samples.office())
    assert response.status_code == 422
    assert "La conversione ha superato la memoria consentita" in unescape(response.text)
    assert _leftovers(app, temp_dir) == before


def test_no_file_chosen(desk: Desk) -> None:
    response = desk.client.post(f"{desk.base}/import", data={"level": "2"})
    assert response.status_code == 422
    assert "Scegli il file da importare." in response.text
    assert 'id="livello-2"\n               value="2" checked' in response.text
