"""The live benchmark (bench_live.py: 40 typists and 150 viewers in one document) on one
server process and on two processes with Redis behind HAProxy, in the same run, on the
same PostgreSQL server. See NOTES."""

from __future__ import annotations

import dataclasses
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import psycopg

from bench import bench_live
from bench.bench_live import CLIENTS, TYPISTS, VIEWERS, Figures, World, room_commands
from bench.report import Entry, entry
from deploy.cluster import SERVER, Cluster, Shape, haproxy
from tests.cluster.services import (
    ADMIN_URL,
    ClusterView,
    Database,
    PrivateRedis,
    free_ports,
)
from tests.realtime.server import ROOT

REPEATS = int(os.environ.get("BENCH_CLUSTER_REPEATS", "1"))
RATIO_TARGET = 1.5
SETTINGS = {"LIVE_RATE_LIMIT": "0", "BACKUP_EVERY_MINUTES": "0", "AGENDA_TICK_SECONDS": "0"}

ONE = f"live: {TYPISTS} typists + {VIEWERS} viewers, one process on PostgreSQL"
PROXIED = f"live: {TYPISTS} typists + {VIEWERS} viewers, one process + Redis behind HAProxy"
ROUTED = (
    f"live: {TYPISTS} typists + {VIEWERS} viewers, 2 processes + Redis behind HAProxy, "
    "the document routed to one process"
)
SPREAD = (
    f"live: {TYPISTS} typists + {VIEWERS} viewers, 2 processes + Redis behind HAProxy, "
    "the document's people spread over both"
)

NOTES = f"""\
## Live editing on several processes

The live benchmark of the section above (same clients, schedule, sampling, warm-up and
window, gevent mode, the per-connection rate limit off), run three ways in one run, each
on a fresh copy of the same seeded PostgreSQL database (127.0.0.1:5432,
`synchronous_commit` as the server has it):

- *one process*: `python wsgi.py` alone, PostgreSQL, no Redis, no proxy: the reference;
- *one process behind the proxy*: the same process started as `make run-cluster` starts
  its processes, with Redis and HAProxy, one process only: what the proxy and the
  message queue cost on this machine, where they share the two cores with the server
  and the load generators;
- *routed*: two processes sharing a Redis of their own (`REDIS_URL`) behind HAProxy,
  started by `deploy/cluster.py` as `make run-cluster` starts them, every client
  naming the document (`?d=`) as the editor does: the proxy sends the whole room to one
  process, and Redis carries each relayed event to the other, which has nobody to give
  it to;
- *spread*: the same, the clients naming no document: HAProxy spreads them round robin
  over both processes, and every update crosses Redis to reach half the room.

Server CPU adds up the server processes, HAProxy and Redis; RSS per client, the server
processes'. Each way runs {REPEATS} time(s) per run of the benchmark (the figures are
medians when more); the ratio is to one process, and, printed with it, to one process
behind the same proxy. Target: the two processes' p99 within {RATIO_TARGET}× of one
process.
"""


@dataclass(frozen=True)
class Seeded:
    """The seeded database, kept as a template that each run copies."""

    template: str
    world: World


class Group:
    """Several processes measured as one server, as `bench_live._drive` measures one: CPU
    of them all, memory of the first `servers` (the server processes)."""

    def __init__(self, pids: list[int], servers: int) -> None:
        self._processes = [psutil.Process(pid) for pid in pids]
        self._servers = self._processes[:servers]

    def cpu_times(self) -> Any:
        times = [p.cpu_times() for p in self._processes]
        return times[0]._replace(
            user=sum(t.user for t in times), system=sum(t.system for t in times)
        )

    def memory_info(self) -> Any:
        infos = [p.memory_info() for p in self._servers]
        return infos[0]._replace(rss=sum(i.rss for i in infos))

    def num_threads(self) -> int:
        return sum(p.num_threads() for p in self._processes)


def _seed(scratch: Path) -> Seeded:
    database = Database()
    view = ClusterView(
        {**os.environ, "TAVOLO_INSTANCE": str(scratch / "seed"), "DATABASE_URL": database.url()},
        database.url(),
        "http://127.0.0.1",
    )
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=view.env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    outputs = view.tavolo(*room_commands(TYPISTS, VIEWERS))
    document_id = int(outputs[1])
    sections = view.sql(
        "SELECT id FROM section WHERE document_id = ? ORDER BY position", document_id
    )
    links = ["/i/" + link.rsplit("/i/", 1)[1] for link in outputs[2:]]
    world = World(
        instance=scratch / "seed",
        document_id=document_id,
        section_ids=[row[0] for row in sections],
        typist_links=links[:TYPISTS],
        viewer_links=links[TYPISTS:],
    )
    return Seeded(database.name, world)


@contextmanager
def _copy(seeded: Seeded) -> Iterator[str]:
    """A fresh database copied from the seeded one: each way starts from the same text."""
    name = f"{seeded.template}_run_{time.monotonic_ns()}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{seeded.template}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _members(seeded: Seeded, base_url: str, routed: bool) -> list:
    members = bench_live._members(seeded.world, base_url)
    if not routed:
        return members
    return [dataclasses.replace(m, route=seeded.world.document_id) for m in members]


def _one(seeded: Seeded, scratch: Path) -> Figures:
    with _copy(seeded) as url:
        port = free_ports(1)
        base_url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            **SETTINGS,
            "TAVOLO_INSTANCE": str(scratch / "one"),
            "DATABASE_URL": url,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "BASE_URL": base_url,
            "SECRET_KEY": "bench",
        }
        env.pop("REDIS_URL", None)
        (scratch / "one").mkdir(exist_ok=True)
        process = bench_live._serve([sys.executable, *SERVER], env, base_url, scratch / "one.log")
        try:
            return bench_live._drive(
                "tavolo",
                base_url,
                psutil.Process(process.pid),
                seeded.world,
                _members(seeded, base_url, routed=False),
            )
        finally:
            bench_live._stop(process)


def _cluster(seeded: Seeded, scratch: Path, processes: int, routed: bool) -> Figures:
    redis_server = PrivateRedis(scratch)
    redis_server.start()
    with _copy(seeded) as url:
        shape = Shape(
            processes=processes,
            first_port=free_ports(processes),
            proxy_port=free_ports(1),
            database_url=url,
            redis_url=redis_server.url,
            instance=scratch / "two",
        )
        cluster = Cluster(
            shape, settings={**SETTINGS, "SECRET_KEY": "bench"}, logs=scratch / "logs"
        )
        try:
            cluster.start()
            assert cluster.proxy is not None
            servers = [p.pid for p in cluster.servers.values()]
            group = Group([*servers, cluster.proxy.pid, redis_server.pid], len(servers))
            return bench_live._drive(
                "tavolo",
                shape.local_url,
                group,  # type: ignore[arg-type]
                seeded.world,
                _members(seeded, shape.local_url, routed),
            )
        finally:
            cluster.stop()
            redis_server.stop()


def run() -> list[Entry]:
    if haproxy() is None or shutil.which("redis-server") is None:
        print("    HAProxy or redis-server missing (make bench installs HAProxy): skipped")
        return []
    try:
        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        print(f"    PostgreSQL not reachable at 127.0.0.1:5432 ({error}): skipped")
        return []
    runs: dict[str, list[Figures]] = {ONE: [], PROXIED: [], ROUTED: [], SPREAD: []}
    with tempfile.TemporaryDirectory(prefix="tavolo-bench-cluster-") as folder:
        scratch = Path(folder)
        seeded = _seed(scratch)
        try:
            for repeat in range(REPEATS):
                ways = [
                    (ONE, lambda: _one(seeded, scratch)),
                    (PROXIED, lambda: _cluster(seeded, scratch, 1, routed=True)),
                    (ROUTED, lambda: _cluster(seeded, scratch, 2, routed=True)),
                    (SPREAD, lambda: _cluster(seeded, scratch, 2, routed=False)),
                ]
                for name, measure in ways if repeat % 2 == 0 else ways[::-1]:
                    print(f"    {name}", flush=True)
                    runs[name].append(measure())
        finally:
            with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{seeded.template}" WITH (FORCE)')
    return _entries(runs)


def _entries(runs: dict[str, list[Figures]]) -> list[Entry]:
    def median(name: str, field: str) -> float:
        return statistics.median(getattr(f, field) for f in runs[name])

    metrics = [
        ("edit-to-peer latency p50", "p50_ms", "ms"),
        ("edit-to-peer latency p99", "p99_ms", "ms"),
        ("accepted updates per second", "acks_per_second", "updates/s"),
        ("server CPU", "cpu_percent", "% of a core"),
        ("server RSS per client", "rss_mb_per_client", "MB"),
        (f"time for the {CLIENTS} clients to join", "fill_seconds", "s"),
    ]
    entries = []
    for name in (PROXIED, ROUTED, SPREAD):
        entries += [
            entry(name, metric, median(name, field), unit, ONE, median(ONE, field))
            for metric, field, unit in metrics
        ]
        ratio = median(name, "p99_ms") / median(ONE, "p99_ms")
        proxied = median(name, "p99_ms") / median(PROXIED, "p99_ms")
        verdict = "met" if ratio <= RATIO_TARGET else "MISSED"
        print(
            f"  {name}: p99 {ratio:.2f}× one process (target ≤ {RATIO_TARGET}×): {verdict}; "
            f"{proxied:.2f}× one process behind the proxy"
        )
    return entries
