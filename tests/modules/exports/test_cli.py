from __future__ import annotations

from pathlib import Path

import pypdf

from app.extensions import db
from app.modules.exports.models import Export
from app.modules.history import services as history


def _run(app, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["tavolo", "export", *args])


def test_export_to_a_file_prints_its_path(app, policy, tmp_path: Path) -> None:
    out = tmp_path / "consegna" / "documento.pdf"
    result = _run(
        app,
        str(policy.document.id),
        "--format",
        "pdf",
        "--out",
        str(out),
        "--annex",
        "participants",
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out)
    text = "".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    assert "Partecipanti" in text and "Lavoro" in text
    row = db.session.execute(db.select(Export)).scalar_one()
    assert row.person_id is None and row.format == "pdf"


def test_export_into_a_folder_keeps_the_generated_name(app, policy, tmp_path: Path) -> None:
    result = _run(app, str(policy.document.id), "--format", "md", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    written = Path(result.output.strip())
    assert written.parent == tmp_path and written.name.endswith(".md")
    new_folder = tmp_path / "consegna"
    again = _run(app, str(policy.document.id), "--format", "md", "--out", f"{new_folder}/")
    assert Path(again.output.strip()).parent == new_folder
    assert written.name.startswith(f"{policy.document.id}-documento-di-policy")


def test_unknown_document_version_and_format_are_refused(app, policy, tmp_path: Path) -> None:
    missing = _run(app, "999", "--format", "pdf", "--out", str(tmp_path))
    assert missing.exit_code != 0 and "Nessun documento con id 999" in missing.output
    bad_format = _run(app, str(policy.document.id), "--format", "exe", "--out", str(tmp_path))
    assert bad_format.exit_code != 0
    version = _run(
        app,
        str(policy.document.id),
        "--format",
        "md",
        "--out",
        str(tmp_path),
        "--version",
        "finale",
    )
    assert version.exit_code != 0
    assert "Il documento non ha una versione chiamata «finale»" in version.output
    assert db.session.execute(db.select(Export)).first() is None


def test_export_of_a_named_version(app, policy, tmp_path: Path) -> None:
    history.save_version(None, policy.document, "Versione finale")
    db.session.commit()
    args = ["--format", "md", "--out", str(tmp_path), "--version", "Versione finale"]
    result = _run(app, str(policy.document.id), *args)
    assert result.exit_code == 0, result.output
    written = Path(result.output.strip())
    assert "-versione-finale-" in written.name
    assert "Versione: Versione finale" in written.read_text()
