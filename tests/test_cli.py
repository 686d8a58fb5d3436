"""The `tavolo` console script: the light application answers every command, imports
only what the command uses, and whatever goes wrong reaches the person as one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import COMMANDS
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


def test_a_listing_imports_neither_the_server_nor_the_renderers(server: LiveServer) -> None:
    probe = (
        "import json, sys\n"
        "from app.cli import main\n"
        "sys.argv = ['tavolo', 'list-documents', '1']\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        f"    print(json.dumps(sorted(m for m in sys.modules if m.startswith({HEAVY!r}))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=server.env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []


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
