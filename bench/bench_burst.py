"""The room arriving at once: 250 people open the live channel of one document in the
same instant, on one server process, with the listening backlog Tavolo sets and with
the 128 of before. See NOTES."""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil
import requests

from app.realtime.client import enter
from bench import burst_load, generators
from bench.burst_load import Joined, Spec
from bench.report import Entry, entry
from tests.realtime.server import LiveServer

CLIENTS = 250
PROCESSES = 8
# Each pair runs both servers, in alternating order.
PAIRS = int(os.environ.get("BENCH_BURST_PAIRS", "2"))
NICENESS = 10
TEMPLATE = "budget-di-salute"
REFERENCE_BACKLOG = 128
TARGET_SECONDS = 5.0
SETUP_TIMEOUT = 300.0
ENTERING_AT_ONCE = 8
BURST_TIMEOUT = burst_load.ATTEMPTS * (burst_load.ATTEMPT_TIMEOUT + 5)
# The kernel's count (/proc/net/netstat) of connections dropped before the server could
# accept them because the listening socket's queue was full (its ListenDrops counts the
# same drops again, among others).
OVERFLOWS = "ListenOverflows"

NAME = f"join burst: {CLIENTS} people at once, one process"
REFERENCE = f"same burst, listening backlog {REFERENCE_BACKLOG}"

NOTES = f"""\
## Join burst

One Tavolo server process (`python wsgi.py`, gevent, SQLite with `synchronous=FULL`, the
rate limits on as in the room) and one document of the `{TEMPLATE}` template, with
{CLIENTS} participants who entered with their personal links beforehand (the cookie a
phone keeps). At one instant all {CLIENTS} open the live channel (WebSocket), join the
document and synchronise every section, as the editor does when the page opens; an
attempt that fails is made again after {burst_load.RETRY_PAUSE} s, as a browser
reconnects. The clients are `app.realtime.client.TavoloClient`s run as greenlets in
{PROCESSES} processes. Phones open their connections together, each with a processor of
its own: each process opens its clients' connections at normal priority (niced, the
generators were starved by the busy server and spread the connections out: the old
queue then never overflowed), then steps back to niceness {NICENESS} for the rest of the
clients' work, which on a phone is done by the phone.
Figures: the time from that instant until each client has joined and synchronised
(p50, p99, and the last one), and the attempts that had to be made again: those that
failed, and the connections the kernel dropped because the listening queue was full
(`TcpExtListenOverflows` of `/proc/net/netstat`, read before and after: machine-wide,
so other activity may add to it). The reference is the same burst against the same server
started with `LISTEN_BACKLOG={REFERENCE_BACKLOG}`, the listening queue of Werkzeug's and
gevent's servers before Tavolo set its own. Each pair of runs starts both servers afresh
on copies of the same database, in alternating order; the figures are medians over
{PAIRS} pairs. Every client must end with the same texts. The run's output also gives
the server's CPU time for the whole burst.

Target: all {CLIENTS} joined within {TARGET_SECONDS:.0f} s, no attempt refused.
"""


@dataclass(frozen=True)
class World:
    instance: Path
    document_id: int
    # Each person's cookies after entering with their link: every run serves a copy of
    # the instance (its logins and secret key), where they are still valid.
    cookies: list[dict[str, str]]


@dataclass(frozen=True)
class Figures:
    p50: float
    p99: float
    last: float
    failed_attempts: int
    dropped: int
    cpu_seconds: float

    @property
    def refused(self) -> int:
        """Attempts that had to be made again: dropped by the kernel, or failed."""
        return self.dropped + self.failed_attempts


def _seed(instance: Path) -> World:
    server = LiveServer(instance)
    server.prepare_database()
    commands = [
        ["tavolo", "create-workshop", "Tavolo dell'arrivo in massa"],
        ["tavolo", "create-document", "{0}", "Documento della mattina", "--template", TEMPLATE],
    ]
    commands += [
        ["tavolo", "invite", "{0}", "--name", f"Persona {n}", "--email", f"p{n}@arrivo.example.org"]
        for n in range(CLIENTS)
    ]
    outputs = server.tavolo(*commands)
    server.start()
    try:
        with ThreadPoolExecutor(ENTERING_AT_ONCE) as pool:
            cookies = list(pool.map(_entered, outputs[2:]))
    finally:
        server.stop()
    return World(instance, int(outputs[1]), cookies)


def _entered(link: str) -> dict[str, str]:
    with requests.Session() as browser:
        enter(browser, link, timeout=60)
        return browser.cookies.get_dict()


def _dropped() -> int:
    lines = Path("/proc/net/netstat").read_text().splitlines()
    for names, values in zip(lines[::2], lines[1::2], strict=True):
        if names.startswith("TcpExt:"):
            counters = dict(zip(names.split()[1:], values.split()[1:], strict=True))
            return int(counters[OVERFLOWS])
    raise RuntimeError("the kernel does not count listen overflows (/proc/net/netstat)")


def _burst(world: World, scratch: Path, backlog: int | None) -> Figures:
    instance = scratch / f"run-{backlog}"
    shutil.rmtree(instance, ignore_errors=True)
    shutil.copytree(world.instance, instance)
    settings = {} if backlog is None else {"LISTEN_BACKLOG": str(backlog)}
    server = LiveServer(instance, **settings)
    server.start()
    try:
        return _drive(server.base_url, world, psutil.Process(server.pid))
    finally:
        server.stop()


def _drive(base_url: str, world: World, server: psutil.Process) -> Figures:
    specs = [
        Spec(number, base_url, world.document_id, tuple(world.cookies[number::PROCESSES]), NICENESS)
        for number in range(PROCESSES)
    ]
    pipes, workers = generators.start(burst_load.work, specs)
    try:
        generators.expect(pipes, "ready", SETUP_TIMEOUT)
        dropped_before, cpu_before = _dropped(), _cpu(server)
        start_ns = time.monotonic_ns() + 500_000_000
        for pipe in pipes:
            pipe.send(start_ns)
        joined = [one for found in generators.expect(pipes, "done", BURST_TIMEOUT) for one in found]
        dropped, cpu = _dropped() - dropped_before, _cpu(server) - cpu_before
    finally:
        generators.stop(pipes, workers)
    return _figures(joined, dropped, cpu)


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def _figures(joined: list[Joined], dropped: int, cpu: float) -> Figures:
    times = [one.seconds for one in joined if one.seconds is not None]
    failures = [failure for one in joined for failure in one.failures]
    digests = Counter(one.digest for one in joined if one.seconds is not None)
    missing = len(joined) - len(times)
    if missing:
        raise RuntimeError(f"{missing} clients never joined: {Counter(failures).most_common(3)}")
    if len(digests) != 1:
        raise RuntimeError(f"clients received different texts: {digests}")
    figures = Figures(
        p50=statistics.median(times),
        p99=statistics.quantiles(times, n=100, method="inclusive")[98],
        last=max(times),
        failed_attempts=len(failures),
        dropped=dropped,
        cpu_seconds=cpu,
    )
    kinds = Counter(failure.split(":")[0] for failure in failures)
    print(
        f"      joined p50/p99/last {figures.p50:.2f}/{figures.p99:.2f}/{figures.last:.2f} s; "
        f"{figures.failed_attempts} failed attempts {dict(kinds) or ''}; "
        f"{dropped} connections dropped by the kernel; server CPU {cpu:.2f} s",
        flush=True,
    )
    return figures


def run() -> list[Entry]:
    tavolo: list[Figures] = []
    reference: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="tavolo-bench-burst-") as folder:
        scratch = Path(folder)
        world = _seed(scratch / "seed")
        for pair in range(PAIRS):
            order = [(REFERENCE_BACKLOG, reference), (None, tavolo)]
            for backlog, figures in order if pair % 2 == 0 else order[::-1]:
                print(f"    backlog {backlog or 'of Tavolo'}", flush=True)
                figures.append(_burst(world, scratch, backlog))

    def median(figures: list[Figures], name: str) -> float:
        return statistics.median(getattr(f, name) for f in figures)

    met = all(f.last <= TARGET_SECONDS and f.refused == 0 for f in tavolo)
    print(
        f"  target (all joined within {TARGET_SECONDS:.0f} s, none refused, in every run): "
        f"{'met' if met else 'MISSED'}",
        flush=True,
    )
    metrics = [
        ("time to join p50", "p50", "s"),
        ("time to join p99", "p99", "s"),
        (f"time until all {CLIENTS} joined", "last", "s"),
        ("attempts dropped or refused", "refused", "attempts"),
    ]
    return [
        entry(NAME, metric, median(tavolo, name), unit, REFERENCE, median(reference, name))
        for metric, name, unit in metrics
    ]
