"""What the multi-process tests start beside the server processes: a Redis of their own
(so that restarting it disturbs nobody else), a TCP relay in front of PostgreSQL that a
test can cut and restore, and a view of the cluster's database as the live tests' world
expects it (tests/realtime/conftest.py)."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
import redis

from tests.realtime.server import ROOT, settled_body

POSTGRES_HOST, POSTGRES_PORT = "127.0.0.1", 5432
ADMIN_URL = f"postgresql://postgres@{POSTGRES_HOST}:{POSTGRES_PORT}/postgres"


def free_ports(count: int) -> int:
    """The first of `count` consecutive ports free on 127.0.0.1 right now."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count < 65536 and all(_free(first + n) for n in range(count)):
            return first
    raise RuntimeError("no free ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def require_postgres() -> None:
    try:
        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        pytest.skip(f"PostgreSQL non raggiungibile su {POSTGRES_HOST}:{POSTGRES_PORT}: {error}")


class Database:
    """A database of the test's own on the shared server, dropped at the end."""

    def __init__(self) -> None:
        self.name = f"tavolo_cluster_{os.getpid()}_{secrets.token_hex(3)}"
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')

    def url(self, port: int = POSTGRES_PORT) -> str:
        return f"postgresql+psycopg://postgres@{POSTGRES_HOST}:{port}/{self.name}"

    def drop(self) -> None:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class PrivateRedis:
    """`redis-server` on a free port, keeping nothing on disk; it can be stopped and
    started again on the same port while the servers hold connections to it."""

    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server non è installato: i test a più processi lo avviano")
        self.binary = binary
        self.folder = folder
        self.port = free_ports(1)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        log = (self.folder / "redis.log").open("ab")
        self._process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=1).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def start_if_stopped(self) -> None:
        if self._process is None:
            self.start()

    def stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            self._process = None


class Relay:
    """Forwards a local port to PostgreSQL. `cut` closes the port and every connection
    through it, as a database that went away does; `restore` opens it again."""

    def __init__(self, target: tuple[str, int] = (POSTGRES_HOST, POSTGRES_PORT)) -> None:
        self.target = target
        self.port = free_ports(1)
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        if self._listener is not None:
            # Shut down first: a listening socket closed while a thread waits in accept()
            # goes on listening until that call returns.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._open = self._open, set()
        for connection in sockets:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    server.close()
                    return
                self._open |= {client, server}
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
            with self._lock:
                self._open -= {source, sink}


class ClusterView:
    """What tests/realtime/conftest.py's world asks of a server: its commands, its
    database read directly (not through the relay) and its public address."""

    def __init__(self, env: dict[str, str], direct_url: str, base_url: str) -> None:
        self.env = env
        self.base_url = base_url
        self._direct = direct_url.replace("postgresql+psycopg://", "postgresql://")

    def tavolo(self, *commands: list[str]) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-m", "tests.realtime.tavolo_cli"],
            cwd=ROOT,
            env=self.env,
            input=json.dumps(commands),
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise RuntimeError(f"commands failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout)

    def sql(self, query: str, *params: object) -> list[tuple]:
        """SQLite's placeholders, as the live tests write them."""
        with psycopg.connect(self._direct, autocommit=True) as connection:
            cursor = connection.execute(query.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []

    def settled_body(self, section_id: int) -> str:
        return settled_body(self.sql, section_id)
