"""Several Tavolo server processes on one machine behind HAProxy, the shape of a
region-wide deployment (docs/deployment.md): `make run-cluster` starts it, and the
multi-process tests start the same shape on free ports (tests/cluster/).

Each process gets the same database (PostgreSQL, created if missing and brought up to
date once before any process starts), the same Redis, the same session key and the
proxy's address as its public one. Ctrl-C (or SIGTERM) stops the proxy, then every
process.

    PROCESSES=3 make run-cluster
    python -m deploy.cluster --proxy-config   # the proxy's configuration, printed
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from types import FrameType
from typing import IO

import psycopg
import requests
from psycopg import sql
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PROXY_TEMPLATE = ROOT / "deploy" / "haproxy.cfg"
# Where Debian puts it; root's PATH has /usr/sbin, other users' may not.
HAPROXY_PLACES = ("/usr/sbin/haproxy",)
STARTING_SECONDS = 90.0
# What a server process and the migrations run, after the virtual environment's Python:
# the same here as in the systemd units of deploy/systemd/ (tests/cluster/test_recipe.py).
SERVER = ("wsgi.py",)
MIGRATIONS = ("-m", "flask", "--app", "wsgi", "db", "upgrade")


@dataclass(frozen=True)
class Shape:
    """How many processes, where, and what they share. Every field can come from the
    environment (see `from_environment`)."""

    processes: int = 2
    first_port: int = 5001
    proxy_port: int = 8000
    # Where the proxy listens; the processes listen on 127.0.0.1 only.
    host: str = "127.0.0.1"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/tavolo"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # The address people's devices use; the proxy's own when not given.
    base_url: str = ""
    instance: Path = ROOT / "instance"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Shape:
        default = cls()
        return cls(
            processes=int(environ.get("PROCESSES", default.processes)),
            first_port=int(environ.get("FIRST_PORT", default.first_port)),
            proxy_port=int(environ.get("CLUSTER_PORT", default.proxy_port)),
            host=environ.get("HOST", default.host),
            database_url=environ.get("DATABASE_URL") or default.database_url,
            redis_url=environ.get("REDIS_URL") or default.redis_url,
            base_url=environ.get("BASE_URL", "").rstrip("/"),
            instance=Path(environ.get("TAVOLO_INSTANCE", default.instance)),
        )

    @property
    def ports(self) -> list[int]:
        return [self.first_port + n for n in range(self.processes)]

    @property
    def local_url(self) -> str:
        """The proxy as seen from this machine."""
        return f"http://127.0.0.1:{self.proxy_port}"

    @property
    def public_url(self) -> str:
        if self.base_url:
            return self.base_url
        if self.host in ("0.0.0.0", "::", ""):
            from app.web.addresses import base_url

            return base_url(self.host, self.proxy_port)[0]
        return f"http://{self.host}:{self.proxy_port}"


def proxy_config(shape: Shape) -> str:
    """The template filled in for this shape: one `server` line per process."""
    host = f"[{shape.host}]" if ":" in shape.host else shape.host
    servers = "\n".join(
        f"    server tavolo{n} 127.0.0.1:{port}" for n, port in enumerate(shape.ports, start=1)
    )
    return Template(PROXY_TEMPLATE.read_text()).substitute(
        bind=f"{host}:{shape.proxy_port}",
        servers=servers,
        maxconn=max(4096, 2000 * shape.processes),
    )


def haproxy() -> str | None:
    return shutil.which("haproxy") or next((p for p in HAPROXY_PLACES if Path(p).exists()), None)


def create_database(url: str) -> bool:
    """Creates the PostgreSQL database `url` names unless it exists; True if created."""
    target = make_url(url)
    if not target.drivername.startswith("postgresql") or not target.database:
        return False
    admin = target.set(drivername="postgresql", database="postgres")
    with psycopg.connect(
        admin.render_as_string(hide_password=False), autocommit=True, connect_timeout=5
    ) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)
        ).fetchone()
        if found:
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database)))
    return True


@dataclass
class Cluster:
    shape: Shape
    # More settings for every process (tests shorten timings, say).
    settings: Mapping[str, str] = field(default_factory=dict)
    # Where each process's output goes, one file each; None: this terminal.
    logs: Path | None = None
    servers: dict[int, subprocess.Popen] = field(default_factory=dict)
    proxy: subprocess.Popen | None = None

    def environment(self, port: int | None = None) -> dict[str, str]:
        env = {
            **os.environ,
            **self.settings,
            "TAVOLO_INSTANCE": str(self.shape.instance),
            "DATABASE_URL": self.shape.database_url,
            "REDIS_URL": self.shape.redis_url,
            "BASE_URL": self.shape.public_url,
            # The proxy, on this machine, says who the client is (X-Forwarded-For).
            "TRUSTED_PROXIES": "127.0.0.1",
        }
        if key := self._secret_key():
            env["SECRET_KEY"] = key
        if port is not None:
            env.update(HOST="127.0.0.1", PORT=str(port))
        return env

    def _secret_key(self) -> str:
        """The same in every process, or a login made through one would be unknown to
        the others: the one given, else the instance's (made by the first command)."""
        if key := self.settings.get("SECRET_KEY") or os.environ.get("SECRET_KEY"):
            return key
        key_file = self.shape.instance / "secret_key"
        return key_file.read_text().strip() if key_file.exists() else ""

    def prepare(self) -> None:
        """The database, created if missing and brought up to date: once, before any
        process starts, as each release needs."""
        self.shape.instance.mkdir(parents=True, exist_ok=True)
        if create_database(self.shape.database_url):
            print(f"  Creato il database {make_url(self.shape.database_url).database}.", flush=True)
        self.command([sys.executable, *MIGRATIONS])

    def organiser_link(self) -> str:
        """`tavolo init`, as `make run` does it: asks at this terminal for the organiser
        the first time, prints their link every time."""
        done = subprocess.run(
            [sys.executable, "-c", "from app.cli import main; main()", "init"],
            cwd=ROOT,
            env=self.environment(),
            stdout=subprocess.PIPE,
            text=True,
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    def command(self, argv: list[str], stdin: str = "") -> str:
        """Runs a command of the instance (same database, same settings); its output."""
        done = subprocess.run(
            argv,
            cwd=ROOT,
            env=self.environment(),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[-3:])} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def start(self) -> None:
        binary = haproxy()
        if binary is None:
            raise RuntimeError("HAProxy non è installato: make run-cluster lo installa.")
        for number in range(len(self.shape.ports)):
            self.start_server(number)
        for port in self.shape.ports:
            self._wait(f"http://127.0.0.1:{port}/healthz", self.servers.get(port))
        config = self._config_file()
        config.write_text(proxy_config(self.shape))
        self.proxy = subprocess.Popen(
            [binary, "-db", "-f", str(config)],
            cwd=ROOT,
            stdout=self._log("haproxy"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait(f"{self.shape.local_url}/healthz", self.proxy)

    def start_server(self, number: int) -> None:
        """Starts process `number` (from 0), also again after it was killed."""
        port = self.shape.ports[number]
        self.servers[port] = subprocess.Popen(
            [sys.executable, *SERVER],
            cwd=ROOT,
            env=self.environment(port),
            stdout=self._log(f"server-{port}"),
            stderr=subprocess.STDOUT,
            # Ctrl-C reaches this script alone, which stops the proxy first.
            start_new_session=True,
        )

    def wait_server(self, number: int) -> None:
        port = self.shape.ports[number]
        self._wait(f"http://127.0.0.1:{port}/healthz", self.servers.get(port))

    def kill(self, number: int) -> None:
        """Ends process `number` the hard way, as a crash would."""
        process = self.servers.pop(self.shape.ports[number], None)
        if process is not None:
            process.kill()
            process.wait()

    def stop(self) -> None:
        for process in [self.proxy, *self.servers.values()]:
            if process is not None and process.poll() is None:
                process.terminate()
        for process in [self.proxy, *self.servers.values()]:
            if process is None:
                continue
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.proxy = None
        self.servers.clear()

    def _config_file(self) -> Path:
        folder = self.logs or self.shape.instance / "cluster"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / "haproxy.cfg"

    def _log(self, name: str) -> IO[bytes] | None:
        if self.logs is None:
            return None
        self.logs.mkdir(parents=True, exist_ok=True)
        return (self.logs / f"{name}.log").open("ab")

    def _wait(self, url: str, process: subprocess.Popen | None) -> None:
        deadline = time.monotonic() + STARTING_SECONDS
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{url}: the process exited ({process.returncode})")
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{url} did not answer in {STARTING_SECONDS:.0f} s")


def _serve(cluster: Cluster) -> None:
    """Until Ctrl-C or SIGTERM; a process that dies is said once, the others go on."""
    stopping: list[int] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    told: set[int] = set()
    while not stopping:
        if cluster.proxy is not None and cluster.proxy.poll() is not None:
            print("  Il proxy si è fermato: fermo tutto.", file=sys.stderr, flush=True)
            return
        for port, process in cluster.servers.items():
            if process.poll() is not None and port not in told:
                told.add(port)
                print(
                    f"  Il processo sulla porta {port} si è fermato.", file=sys.stderr, flush=True
                )
        time.sleep(0.5)


def main(argv: list[str]) -> None:
    shape = Shape.from_environment()
    if "--proxy-config" in argv:
        print(proxy_config(shape), end="")
        return
    # Each process's output in a file of its own: the terminal says what matters.
    cluster = Cluster(shape, logs=shape.instance / "cluster")
    cluster.prepare()
    link = cluster.organiser_link()
    try:
        cluster.start()
        print(
            f"\n  Tavolo: {shape.processes} processi (porte {shape.ports[0]}–{shape.ports[-1]})"
            f" dietro HAProxy, in ascolto: {shape.public_url}",
            flush=True,
        )
        if link:
            print(f"    {link}", flush=True)
        print(f"  Registri dei processi: {shape.instance / 'cluster'}", flush=True)
        print("  Ctrl-C per fermare tutto.\n", flush=True)
        _serve(cluster)
    finally:
        cluster.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
