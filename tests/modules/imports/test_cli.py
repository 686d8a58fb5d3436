"""`flask tavolo import`: the same checks and limits as the upload page, the new
document's id on stdout, an Italian message and a non-zero exit for a bad file."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from flask import Flask

from app.extensions import db
from app.modules.documents.models import Document
from tests import factories
from tests.modules.imports import samples
from tests.modules.imports.conftest import files_under
from tests.realtime.server import ROOT, LiveServer


def _run(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["tavolo", "import", *args])


def test_import_prints_the_new_document_id(app: Flask, tmp_path: Path) -> None:
    workshop = factories.workshop()
    source = tmp_path / "bozza.odt"
    source.write_bytes(samples.office(fmt="odt"))
    result = _run(app, str(workshop.id), str(source), "--split-level", "2")
    assert result.exit_code == 0, result.output
    document = db.session.get(Document, int(result.stdout.strip()))
    assert document.title == "Patto per il budget di salute"
    assert [s.title for s in document.sections] == [
        "Premessa",
        "Abitare",
        "Strumenti",
        "Lavoro",
        "Socialità",
    ]
    assert files_under(Path(app.instance_path) / "imports") == []


def test_bad_files_and_arguments_are_refused_in_italian(app: Flask, tmp_path: Path) -> None:
    workshop = factories.workshop()
    bomb = tmp_path / "bozza.docx"
    bomb.write_bytes(samples.zip_bomb(50))
    result = _run(app, str(workshop.id), str(bomb))
    assert result.exit_code == 1
    assert "compresso in modo anomalo" in result.stderr and result.stdout == ""

    renamed = tmp_path / "foto.docx"
    renamed.write_bytes(samples.png())
    assert "un'immagine PNG" in _run(app, str(workshop.id), str(renamed)).stderr

    app.config["IMPORT_MAX_BYTES"] = 100
    big = tmp_path / "lungo.md"
    big.write_text("testo " * 100)
    assert "Il file supera" in _run(app, str(workshop.id), str(big)).stderr

    assert "Nessun tavolo con id 999" in _run(app, "999", str(big)).stderr
    assert _run(app, str(workshop.id), str(big), "--split-level", "4").exit_code == 2
    assert db.session.scalars(db.select(Document)).all() == []
    assert files_under(Path(app.instance_path) / "imports") == []


def _one_line(result) -> str:  # type: ignore[no-untyped-def]
    """A refusal: exit status 1, nothing on stdout, one Italian line on stderr."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert result.stdout == "" and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr.strip()


def test_unreadable_paths_corrupt_files_and_wrong_types(app: Flask, tmp_path: Path) -> None:
    workshop = str(factories.workshop().id)
    assert _one_line(_run(app, workshop, str(tmp_path / "manca.docx"))) == (
        "Il file «manca.docx» non esiste."
    )
    assert _one_line(_run(app, workshop, str(tmp_path))) == (
        f"«{tmp_path.name}» è una cartella, non un file."
    )
    locked = tmp_path / "chiuso.md"
    locked.write_text("# Titolo")
    locked.chmod(0)
    try:
        if not os.access(locked, os.R_OK):  # root reads everything
            assert "Non c'è il permesso di leggere" in _one_line(_run(app, workshop, str(locked)))
    finally:
        locked.chmod(0o600)
    corrupt = tmp_path / "rotto.docx"
    corrupt.write_bytes(samples.office()[:3000])
    assert "Il file è danneggiato" in _one_line(_run(app, workshop, str(corrupt)))
    pdf = tmp_path / "piano.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)))
    assert "Il file è un PDF" in _one_line(_run(app, workshop, str(pdf)))
    assert db.session.scalars(db.select(Document)).all() == []


def test_a_failure_nobody_foresaw_is_one_line_too(app: Flask, tmp_path: Path) -> None:
    """The folder for the work in progress is a file: the import cannot even start."""
    workshop = str(factories.workshop().id)
    source = tmp_path / "bozza.md"
    source.write_text("# Titolo\n\nTesto.\n")
    blocker = tmp_path / "non-una-cartella"
    blocker.write_text("")
    app.config["IMPORTS_DIR"] = str(blocker)
    assert "errore imprevisto" in _one_line(_run(app, workshop, str(source)))
    verbose = _run(app, workshop, str(source), "--verbose")
    assert verbose.exit_code == 1 and "Traceback" in verbose.stderr
    assert db.session.scalars(db.select(Document)).all() == []


def test_who_numbers_a_numbered_file(app: Flask, tmp_path: Path) -> None:
    workshop = str(factories.workshop().id)
    source = tmp_path / "pgt.md"
    source.write_text(samples.NUMBERED_PLAN)
    kept = db.session.get(Document, int(_run(app, workshop, str(source)).stdout))
    assert not kept.numbered and kept.title == "Piano di governo del territorio"
    assert [s.title for s in kept.sections][1:3] == ["1. Premessa", "2. I percorsi attuativi"]
    renumbered = _run(app, workshop, str(source), "--numbering", "tavolo", "--title", "PGT")
    document = db.session.get(Document, int(renumbered.stdout))
    assert document.numbered and document.title == "PGT"
    assert [s.title for s in document.sections][1:3] == ["Premessa", "I percorsi attuativi"]


def test_the_real_command_line(tmp_path: Path) -> None:
    server = LiveServer(tmp_path)
    server.prepare_database()
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "tavolo"]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*flask, *args], cwd=ROOT, env=server.env, capture_output=True, text=True, timeout=120
        )

    workshop_id = run("create-workshop", "Tavolo CLI").stdout.strip()
    source = tmp_path / "bozza.docx"
    source.write_bytes(samples.office())
    done = run("import", workshop_id, str(source), "--split-level", "2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().isdigit()
    assert list((tmp_path / "media" / done.stdout.strip()).glob("*.png"))

    source.write_bytes(samples.xxe_docx())
    refused = run("import", workshop_id, str(source))
    assert refused.returncode != 0 and refused.stdout == ""
    assert "dichiarazioni XML non ammesse" in refused.stderr

    # Whatever goes wrong, a person reads one line, never a traceback.
    (tmp_path / "blocked").write_text("")
    broken = subprocess.run(
        [*flask, "import", workshop_id, str(source)],
        cwd=ROOT,
        env={**server.env, "IMPORTS_DIR": str(tmp_path / "blocked")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert broken.returncode == 1 and broken.stdout == ""
    assert broken.stderr.count("\n") == 1 and "errore imprevisto" in broken.stderr
