"""`flask tavolo import`: the same checks and limits as the upload page, the new
document's id on stdout, an Italian message and a non-zero exit for a bad file."""

from __future__ import annotations

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
    assert [s.title for s in document.sections][1:] == ["Abitare", "Lavoro", "Socialità"]
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
