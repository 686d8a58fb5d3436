"""The `tavolo` console script: the light application answers every command, imports
only what the command uses, and whatever goes wrong reaches the person as one line."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest
from sqlalchemy import bindparam, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql import Select

from app.cli import COMMANDS
from app.core.permissions import DocumentStatus
from app.extensions import db
from app.modules.documents.models import Document
from app.modules.workshops import listing
from app.modules.workshops.models import Workshop
from tests import factories
from tests.conftest import fresh_app
from tests.realtime.server import ROOT, LiveServer

TAVOLO = str(ROOT / ".venv" / "bin" / "tavolo")
# What the server needs and a command that lists or creates rows does not.
HEAVY = (
    "flask_socketio",
    "flask_migrate",
    "alembic",
    "weasyprint",
    "pycrdt",
    "markdown_it",
    "app.realtime",
    "app.web.views",
    "app.modules.exports.services",
)
# What a listing reads the database without: the application and the ORM.
APPLICATION = ("flask", "sqlalchemy", "app.extensions", "app.modules.workshops.models")


def _run(server: LiveServer, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [TAVOLO, *args], cwd=ROOT, env=server.env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> LiveServer:
    server = LiveServer(tmp_path_factory.mktemp("istanza"))
    server.prepare_database()
    return server


def test_a_workshop_from_the_command_line(server: LiveServer) -> None:
    workshop_id = _run(server, "create-workshop", "Tavolo «Abitare»").stdout.strip()
    assert workshop_id.isdigit()
    document = _run(
        server, "create-document", workshop_id, "Documento", "--template", "budget-di-salute"
    )
    assert document.returncode == 0, document.stderr
    listed = _run(server, "list-documents", workshop_id)
    assert listed.stdout == f"{document.stdout.strip()}\tdraft\tDocumento\n"
    link = _run(server, "invite", workshop_id, "--name", "Anna Rossi", "--email", "a@example.org")
    assert link.stdout.startswith(f"{server.env['BASE_URL']}/i/"), link.stderr
    members = _run(server, "list-members", workshop_id)
    assert members.stdout == "a@example.org\tparticipant\t\tactive\n"


def test_mistakes_are_one_line_and_exit_code_one(server: LiveServer, tmp_path: Path) -> None:
    missing = _run(server, "list-documents", "999")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr == "Error: Nessun tavolo con id 999.\n"

    # An instance whose database was never created: what nobody foresaw is still a line.
    empty = LiveServer(tmp_path)
    unforeseen = _run(empty, "list-documents", "1")
    assert (unforeseen.returncode, unforeseen.stdout) == (1, "")
    assert unforeseen.stderr.startswith("Error: Il comando non è riuscito (")
    assert len(unforeseen.stderr.splitlines()) == 1 and "Traceback" not in unforeseen.stderr
    # A listing names the missing database and does not create it empty.
    assert f"il database {tmp_path / 'tavolo.db'} non esiste" in unforeseen.stderr
    assert not (tmp_path / "tavolo.db").exists()


def _imported(env: dict[str, str], args: list[str], prefixes: tuple[str, ...]) -> list[str]:
    """The modules among `prefixes` that running `tavolo args` imported, in a process of
    its own; the command must succeed."""
    probe = (
        "import json, sys\n"
        "from app.cli import main\n"
        f"sys.argv = ['tavolo', *{args!r}]\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        f"    print(json.dumps(sorted(m for m in sys.modules if m.startswith({prefixes!r}))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_a_command_imports_neither_the_server_nor_the_renderers(server: LiveServer) -> None:
    workshop_id = _run(server, "create-workshop", "Tavolo").stdout.strip()
    assert _imported(server.env, ["list-members", workshop_id], HEAVY) == []


def test_a_listing_builds_no_application(server: LiveServer) -> None:
    workshop_id = _run(server, "create-workshop", "Tavolo").stdout.strip()
    imported = _imported(server.env, ["list-documents", workshop_id], (*APPLICATION, "psycopg"))
    assert imported == []


def test_the_help_imports_no_command(server: LiveServer) -> None:
    imported = _imported(server.env, ["--help"], ("app.modules", *APPLICATION))
    assert imported == []


def test_the_help_says_what_each_command_says() -> None:
    for name, entry in COMMANDS.items():
        module, function = entry.target.split(":")
        command = getattr(import_module(module), function)
        assert command.name == name
        assert command.get_short_help_str(limit=1000) == entry.summary


def _as_written(query: Select) -> str:
    return " ".join(str(query.compile(dialect=sqlite.dialect())).split())


def test_the_listing_asks_what_the_models_say() -> None:
    workshop_id = bindparam("workshop_id")
    assert _as_written(select(Workshop.id).where(Workshop.id == workshop_id)) == listing.WORKSHOP
    documents = (
        select(Document.id, Document.status, Document.title)
        .where(Document.workshop_id == workshop_id)
        .order_by(Document.id)
    )
    assert _as_written(documents) == listing.DOCUMENTS


def _listing(database_url: str, tmp_path: Path) -> tuple[str, str]:
    """What `tavolo list-documents` prints, for a workshop with two documents and for
    one that does not exist, against the database at `database_url`."""
    with fresh_app(tmp_path, database_url):
        workshop = factories.workshop("Tavolo «Abitare»")
        other = factories.workshop("Altro tavolo")
        first = factories.document(workshop, "Città «comune»")
        factories.document(other, "Non di questo tavolo")
        second = factories.document(workshop, "Seconda proposta")
        second.status = DocumentStatus.PUBLISHED
        db.session.commit()
        expected = f"{first.id}\tdraft\tCittà «comune»\n{second.id}\tpublished\tSeconda proposta\n"
        ids = workshop.id, other.id + 1
    env = LiveServer(tmp_path, DATABASE_URL=database_url).env
    listed, missing = (
        subprocess.run(
            [TAVOLO, "list-documents", str(workshop_id)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        for workshop_id in ids
    )
    assert (listed.returncode, listed.stderr) == (0, "")
    assert listed.stdout == expected
    assert (missing.returncode, missing.stdout) == (1, "")
    return listed.stdout, missing.stderr


def test_a_listing_on_sqlite(tmp_path: Path) -> None:
    _, missing = _listing(f"sqlite:///{tmp_path / 'tavolo.db'}", tmp_path)
    assert missing.startswith("Error: Nessun tavolo con id ")


@pytest.mark.postgres
def test_a_listing_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    _, missing = _listing(postgres_url, tmp_path)
    assert missing.startswith("Error: Nessun tavolo con id ")
    env = LiveServer(tmp_path, DATABASE_URL=postgres_url).env
    assert _imported(env, ["list-documents", "1"], APPLICATION) == []


def test_under_the_server_a_listing_reads_the_servers_database(tmp_path: Path) -> None:
    """`flask --app wsgi tavolo list-documents`, or a test's runner: the application that
    runs the command names the database, whatever the environment says, whether its
    context is open or the command opens it."""
    with fresh_app(tmp_path) as app:
        document = factories.document(factories.workshop())
        db.session.commit()
        args = ["tavolo", "list-documents", str(document.workshop_id)]
        expected = f"{document.id}\tdraft\tDocumento di prova\n"
        inside = app.test_cli_runner().invoke(args=args)
    outside = app.test_cli_runner().invoke(args=args)
    for result in (inside, outside):
        assert result.exit_code == 0, result.output
        assert result.stdout == expected


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_loads_in_the_light_application(server: LiveServer, name: str) -> None:
    done = _run(server, name, "--help")
    assert done.returncode == 0, done.stderr
    assert f"Usage: tavolo {name}" in done.stdout


def test_the_export_command_offers_every_annex(server: LiveServer) -> None:
    """The light application imports no pages, where the features' annexes register."""
    done = _run(server, "export", "--help")
    assert done.returncode == 0, done.stderr
    for key in ("participants", "votes", "dissent", "commitments"):
        assert key in done.stdout
