"""A real 100-page institutional document in and out of Tavolo, beside the raw tools run
in the same run, and the start of the `tavolo` command. See NOTES."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pypandoc

from bench.bench_export import raw_pandoc, raw_weasyprint
from bench.report import Entry, entry

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "tests" / "data" / "piano-triennale-informatica-pa-2020-2022"
REPEATS = int(os.environ.get("BENCH_FILES_REPEATS", "5"))
CLI_REPEATS = int(os.environ.get("BENCH_CLI_REPEATS", "15"))
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PASS = 'python -c "pass"'
SQLALCHEMY = 'python -c "import sqlalchemy"'
FLASK_SQLALCHEMY = 'python -c "import flask_sqlalchemy"'
SPLIT_LEVEL = 2

NOTES = f"""\
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
filter. *Command line*, each from start to exit: `tavolo list-documents` on a SQLite
instance with a few workshops and on PostgreSQL (the listing reads through the database
driver alone: neither Flask nor SQLAlchemy), `tavolo --help`, `tavolo list-members` (a
command that uses the models, in the light command application) and
`flask --app wsgi tavolo list-documents` (through the whole server's application),
beside the floors: `python -c pass` for what imports neither, `import sqlalchemy` for a
command that queries through SQLAlchemy, `import flask_sqlalchemy` for one that uses the
models; commands and floors run in turn, {CLI_REPEATS} rounds after a warm-up, the order
reversed every other round. Medians; in the import and export figures the order of
Tavolo and the reference alternates."""


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


def _in_turn(works: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median seconds of each, all run in turn each round, the order reversed every other
    round; one warm-up round."""
    times: dict[str, list[float]] = {name: [] for name in works}
    for round_ in range(repeat + 1):
        names = list(works) if round_ % 2 else list(reversed(works))
        for name in names:
            began = time.perf_counter()
            works[name]()
            if round_:
                times[name].append(time.perf_counter() - began)
    return {name: statistics.median(spent) for name, spent in times.items()}


def _instance(env: dict[str, str]) -> str:
    """A migrated instance with three workshops, two documents in the first; its id."""
    tavolo = str(ROOT / ".venv" / "bin" / "tavolo")

    def run(*args: str) -> str:
        done = subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        return done.stdout.strip()

    run(str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "db", "upgrade")
    workshop = run(tavolo, "create-workshop", "Prova", "--place", "Roma")
    for title in ("Altro tavolo", "Terzo tavolo"):
        run(tavolo, "create-workshop", title)
    for title in ("Piano per l'abitare", "Bilancio partecipato"):
        run(tavolo, "create-document", workshop, title)
    return workshop


@contextmanager
def _postgresql() -> Iterator[str | None]:
    """A database of its own on the PostgreSQL server at 127.0.0.1:5432, dropped at the
    end; None where that server does not answer."""
    name = f"tavolo_bench_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        yield None
        return
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        admin.close()


def _command_line(folder: Path) -> list[Entry]:
    tavolo = str(ROOT / ".venv" / "bin" / "tavolo")
    flask = str(ROOT / ".venv" / "bin" / "flask")
    env = {**os.environ, "TAVOLO_INSTANCE": str(folder / "cli")}
    env.pop("DATABASE_URL", None)
    workshop = _instance(env)

    def run(command: list[str], env: dict[str, str] = env) -> Callable[[], object]:
        return lambda: subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)

    floors = {
        PASS: run([sys.executable, "-c", "pass"]),
        SQLALCHEMY: run([sys.executable, "-c", "import sqlalchemy"]),
        FLASK_SQLALCHEMY: run([sys.executable, "-c", "import flask_sqlalchemy"]),
    }
    with _postgresql() as url:
        commands: dict[str, tuple[Callable[[], object], str]] = {
            "tavolo list-documents (SQLite)": (run([tavolo, "list-documents", workshop]), PASS)
        }
        if url is None:
            print("  no PostgreSQL server on 127.0.0.1:5432: SQLite only", flush=True)
        else:
            on_postgresql = {**env, "DATABASE_URL": url, "TAVOLO_INSTANCE": str(folder / "pg")}
            listing = [tavolo, "list-documents", _instance(on_postgresql)]
            commands["tavolo list-documents (PostgreSQL)"] = (run(listing, on_postgresql), PASS)
        commands |= {
            "tavolo --help": (run([tavolo, "--help"]), PASS),
            SQLALCHEMY: (floors[SQLALCHEMY], PASS),
            "tavolo list-members": (run([tavolo, "list-members", workshop]), FLASK_SQLALCHEMY),
            "flask --app wsgi tavolo list-documents": (
                run([flask, "--app", "wsgi", "tavolo", "list-documents", workshop]),
                FLASK_SQLALCHEMY,
            ),
        }
        works = {**floors, **{name: work for name, (work, _) in commands.items()}}
        medians = _in_turn(works, CLI_REPEATS)
    return [
        entry(name, "median start to exit", medians[name], "s", floor, medians[floor])
        for name, (_, floor) in commands.items()
    ]


def run() -> list[Entry]:
    with tempfile.TemporaryDirectory(prefix="tavolo-bench-files-") as name:
        folder = Path(name)
        _app(folder)
        entries, document = _imports(folder)
        entries += _exports(folder, document)
        entries += _command_line(folder)
    return entries
