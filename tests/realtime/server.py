"""A real Tavolo server in a child process, as `make run` starts it, on a fresh instance
folder: the live tests talk to it over real sockets and read its SQLite file."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
# Far above LIVE_SETTLE_SECONDS: on a loaded machine a tick may come late.
SETTLING_TIMEOUT = 10.0
MIGRATIONS = ROOT / "app" / "migrations" / "versions"
CREATE_ALL = (
    "from wsgi import app\n"
    "from app.extensions import db\n"
    "with app.app_context():\n"
    "    db.create_all()\n"
)


def settled_body(sql: Callable[..., list[tuple]], section_id: int) -> str:
    """Polls the database through `sql` (SQLite's placeholders) until the stored text
    includes the section's whole update log."""
    deadline = time.monotonic() + SETTLING_TIMEOUT
    while True:
        body, stored, logged = sql(
            "SELECT body, body_seq, (SELECT MAX(seq) FROM section_update "
            "WHERE section_id = section.id) FROM section WHERE id = ?",
            section_id,
        )[0]
        if logged is None or stored >= logged:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"text stored up to update {stored} of {logged}")
        time.sleep(0.05)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    def __init__(self, instance: Path, launcher: tuple[str, ...] = (), **settings: str) -> None:
        """`launcher` goes before the server's command: `("faketime", "2026-12-05
        23:30:00")` starts it with its clock at that moment (libfaketime)."""
        self.instance = instance
        self.launcher = launcher
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "TAVOLO_INSTANCE": str(instance),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "BASE_URL": self.base_url,
            **settings,
        }
        self.log = instance / f"server-{self.port}.log"
        self._process: subprocess.Popen | None = None

    @property
    def database(self) -> Path:
        return self.instance / "tavolo.db"

    def prepare_database(self) -> None:
        """Migrations once they exist (what `make run` does), the models until then."""
        if any(MIGRATIONS.glob("*.py")):
            self.tavolo(["db", "upgrade"])
        else:
            self._run([sys.executable, "-c", CREATE_ALL])

    def tavolo(self, *commands: list[str]) -> list[str]:
        """Runs CLI commands (see tavolo_cli.py) and returns what each one printed."""
        completed = self._run(
            [sys.executable, "-m", "tests.realtime.tavolo_cli"], stdin=json.dumps(commands)
        )
        return json.loads(completed.stdout)

    def _run(self, argv: list[str], stdin: str = "") -> subprocess.CompletedProcess:
        completed = subprocess.run(
            argv, cwd=ROOT, env=self.env, input=stdin, capture_output=True, text=True, timeout=120
        )
        if completed.returncode != 0:
            raise RuntimeError(f"{argv[-1]} failed:\n{completed.stderr[-3000:]}")
        return completed

    def start(self) -> None:
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [*self.launcher, sys.executable, "wsgi.py"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log_tail()}")
            try:
                if requests.get(f"{self.base_url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        # Not left running behind the failure, holding its port and its instance.
        self.kill()
        raise RuntimeError(f"server did not start:\n{self.log_tail()}")

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def kill(self) -> None:
        """Ends the server the hard way, as a crash or a power cut would."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None

    def log_tail(self, size: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-size:] if self.log.exists() else ""

    def settled_body(self, section_id: int) -> str:
        """The text stored for pages and exports, once it includes the whole log: the
        server stores it a moment after the last update (LIVE_SETTLE_SECONDS)."""
        return settled_body(self.sql, section_id)

    def sql(self, query: str, *params: object) -> list[tuple]:
        """Reads or changes the server's database directly, as another process would."""
        connection = sqlite3.connect(self.database, timeout=30)
        try:
            with connection:
                return connection.execute(query, params).fetchall()
        finally:
            connection.close()
