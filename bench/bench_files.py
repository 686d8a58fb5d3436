"""A real 100-page institutional document in and out of Tavolo, beside the raw tools run
in the same run, and the start of the `tavolo` command. See NOTES."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pypandoc

from bench.bench_export import raw_pandoc, raw_weasyprint
from bench.report import Entry, entry

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "tests" / "data" / "piano-triennale-informatica-pa-2020-2022"
REPEATS = int(os.environ.get("BENCH_FILES_REPEATS", "5"))
CLI_REPEATS = int(os.environ.get("BENCH_CLI_REPEATS", "9"))
SPLIT_LEVEL = 2

NOTES = """\
**Real files** (`bench/bench_files.py`): the national plan for IT in public
administration 2020–2022 (`tests/data`, CC0: about 230 KB of text, roughly 100 pages,
with tables, images and footnotes), as DOCX and as Markdown. *Import*: Tavolo's whole
command-line import (size and zip checks, pandoc in its limited process for the DOCX,
the outline, one section per chapter, images stored, the document committed) beside a
plain `pandoc` process converting the same DOCX to Markdown, and beside markdown-it
parsing the same Markdown in process. *Export* of the imported plan: Tavolo's
`services.export` (assembly, the worker process with its limits, renderer, the DOCX and
ODT finished with cover, index and footers) beside a fresh `weasyprint` process on the
same HTML and a plain `pandoc` process on the same Markdown, reference document and
filter. *Command line*: `tavolo list-documents` from start to exit (the light command
application), and the same command through the whole server's application
(`flask --app wsgi tavolo list-documents`, what every command cost before), beside
`python -c "import flask_sqlalchemy"`, the floor of any command that reads the database
through the models. Medians; the order of Tavolo and the reference alternates."""


def _medians(first: Callable[[], object], second: Callable[[], object], repeat: int):  # type: ignore[no-untyped-def]
    """Median seconds of each, alternating which goes first; one warm-up round."""
    times: tuple[list[float], list[float]] = ([], [])
    for round_ in range(repeat + 1):
        order = [(0, first), (1, second)] if round_ % 2 else [(1, second), (0, first)]
        for slot, work in order:
            began = time.perf_counter()
            work()
            if round_:
                times[slot].append(time.perf_counter() - began)
    return statistics.median(times[0]), statistics.median(times[1])


def _app(folder: Path):  # type: ignore[no-untyped-def]
    from app import create_app
    from app.config import TestConfig
    from app.extensions import db

    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'tavolo.db'}",
        EXPORTS_DIR=folder / "exports",
        MEDIA_DIR=folder / "media",
    )
    app.instance_path = str(folder)
    app.app_context().push()
    db.create_all()
    return app


def _imports(folder: Path) -> tuple[list[Entry], object]:
    from markdown_it import MarkdownIt

    from app.extensions import db
    from app.modules.imports import services as imports
    from tests import factories

    workshop = factories.workshop("Piano triennale", place="Roma", promoters="AgID")
    db.session.commit()
    imported: list[object] = []

    def tavolo(suffix: str) -> Callable[[], object]:
        def run() -> None:
            source = PLAN.with_suffix(suffix)
            if suffix == ".md":
                # A text of its own each time: the outline of a text already read is kept.
                source = folder / f"piano-{len(imported)}.md"
                source.write_text(f"{PLAN.with_suffix('.md').read_text()}\n\n{len(imported)}\n")
            document = imports.import_file(None, workshop, source, SPLIT_LEVEL)
            db.session.commit()
            imported.append(document)

        return run

    raw_docx = [
        pypandoc.get_pandoc_path(),
        "--from=docx",
        "--to=gfm",
        str(PLAN.with_suffix(".docx")),
        f"--output={folder / 'raw.md'}",
    ]
    docx, raw = _medians(tavolo(".docx"), lambda: subprocess.run(raw_docx, check=True), REPEATS)
    text = PLAN.with_suffix(".md").read_text()
    parser = MarkdownIt("commonmark").enable("table")
    markdown, parsed = _medians(tavolo(".md"), lambda: parser.parse(text), REPEATS)
    entries = [
        entry(
            "Import of the national plan (DOCX)", "median", docx, "s", "pandoc DOCX → Markdown", raw
        ),
        entry(
            "Import of the national plan (Markdown)",
            "median",
            markdown,
            "s",
            "markdown-it parse of the same text",
            parsed,
        ),
    ]
    return entries, imported[-1]


def _exports(folder: Path, document) -> list[Entry]:  # type: ignore[no-untyped-def]
    from app.modules.exports import services

    source = services.source_for(document)
    entries: list[Entry] = []
    pdf_options = services.options_from("pdf")
    raw_pdf = raw_weasyprint(source, pdf_options, folder)
    tavolo, raw = _medians(
        lambda: services.export(None, document, pdf_options),
        lambda: subprocess.run(raw_pdf, check=True),
        max(1, REPEATS // 2),
    )
    entries.append(
        entry(
            "Export of the national plan (PDF)",
            "median",
            tavolo,
            "s",
            "weasyprint process, same HTML",
            raw,
        )
    )
    for fmt in ("docx", "odt"):
        options = services.options_from(fmt)
        command = raw_pandoc(source, options.format, folder)
        tavolo, raw = _medians(
            lambda options=options: services.export(None, document, options),
            lambda command=command: subprocess.run(command, check=True),
            REPEATS,
        )
        entries.append(
            entry(
                f"Export of the national plan ({fmt.upper()})",
                "median",
                tavolo,
                "s",
                "pandoc process, same Markdown",
                raw,
            )
        )
    return entries


def _command_line(folder: Path) -> list[Entry]:
    env = {**os.environ, "TAVOLO_INSTANCE": str(folder / "cli")}
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )

    def run(command: list[str]) -> Callable[[], object]:
        return lambda: subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)

    workshop = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "tavolo"), "create-workshop", "Prova"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    floor = run([sys.executable, "-c", "import flask_sqlalchemy"])
    light = run([str(ROOT / ".venv" / "bin" / "tavolo"), "list-documents", workshop])
    whole = run(
        [
            str(ROOT / ".venv" / "bin" / "flask"),
            "--app",
            "wsgi",
            "tavolo",
            "list-documents",
            workshop,
        ]
    )
    tavolo, reference = _medians(light, floor, CLI_REPEATS)
    server, _ = _medians(whole, floor, CLI_REPEATS)
    floor_name = 'python -c "import flask_sqlalchemy"'
    return [
        entry("tavolo list-documents", "median start to exit", tavolo, "s", floor_name, reference),
        entry(
            "flask --app wsgi tavolo list-documents",
            "median start to exit",
            server,
            "s",
            floor_name,
            reference,
        ),
    ]


def run() -> list[Entry]:
    with tempfile.TemporaryDirectory(prefix="tavolo-bench-files-") as name:
        folder = Path(name)
        _app(folder)
        entries, document = _imports(folder)
        entries += _exports(folder, document)
        entries += _command_line(folder)
    return entries
