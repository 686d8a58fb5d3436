"""A long day in the room: 200 clients connected for ten minutes, 40 of them typing,
with the server's memory sampled every ten seconds. See NOTES."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench import generators, live_load
from bench.bench_live import (
    GRACE,
    SAMPLED_TYPISTS,
    SAMPLED_VIEWERS,
    SETUP_TIMEOUT,
    World,
    _figures,
    _seed,
    _serve,
    _sleep_until,
    _stop,
    specs_for,
)
from bench.live_load import Log, Member
from bench.report import Entry, entry
from tests.realtime.server import LiveServer

TYPISTS = 40
VIEWERS = 160
PERIOD = 1.0
SECONDS = float(os.environ.get("BENCH_SOAK_SECONDS", "600"))
SAMPLE_EVERY = 10.0
# Memory settles once every connection has its buffers and the sections their texts.
SETTLING = min(60.0, SECONDS / 5)
FLAT_TARGET = 1.10

NAME = f"soak: {TYPISTS + VIEWERS} clients for {SECONDS / 60:.0f} min"
NAME_AT_CURSOR = f"{NAME}, each typist where it typed last"

NOTES = f"""\
**Soak** (`bench/bench_soak.py`): one server process (gevent, SQLite), one document,
{TYPISTS + VIEWERS} clients connected for {SECONDS / 60:.0f} minutes: {TYPISTS} participants
each insert a marker every {PERIOD:.0f} s at a random place of a section, spread over
all the document's sections, and {VIEWERS} observers read. Each marker stays an item of
its own in the section's CRDT, which the server holds as long as the section is open
(about 600 bytes each in pycrdt, applied one update at a time): memory grows with the
document. The server's resident memory is sampled every
{SAMPLE_EVERY:.0f} s; the reference is the sample taken after the first
{SETTLING:.0f} s, once every connection and section is open. Memory is flat when the
last sample is within {int((FLAT_TARGET - 1) * 100)} % of it. The second reference tells
a leak from a document that grew: a new server process on the same database, with the
same clients joined and typing for {SETTLING:.0f} s, holding the text the soak left.
Edit-to-peer latency (as in the live benchmark) is compared between the first and the
last minute: a server that leaks or falls behind shows it there. The soak runs twice: with
the markers anywhere, then with each typist typing where it typed last, right after its
previous marker, as people type: the CRDT then merges a typist's run into few items, and
the document costs what its text costs."""


def _members(world: World, base_url: str) -> list[Member]:
    sections = world.section_ids
    typists = [
        Member(n, f"{base_url}{link}", n, sections[n % len(sections)], n < SAMPLED_TYPISTS)
        for n, link in enumerate(world.typist_links)
    ]
    viewers = [
        Member(TYPISTS + n, f"{base_url}{link}", None, None, n < SAMPLED_VIEWERS)
        for n, link in enumerate(world.viewer_links)
    ]
    return typists + viewers


def _soak(
    world: World,
    server: psutil.Process,
    base_url: str,
    at_cursor: bool,
    seconds: float = SECONDS,
) -> tuple[list[float], list[Log], int]:
    """The server's RSS in MB every SAMPLE_EVERY seconds, the generators' logs, and when
    the typing started."""
    members = _members(world, base_url)
    specs = specs_for("tavolo", base_url, world.document_id, members, PERIOD, seconds, at_cursor)
    pipes, workers = generators.start(live_load.work, specs)
    try:
        generators.expect(pipes, "ready", SETUP_TIMEOUT)
        start_ns = time.monotonic_ns() + 200_000_000
        for pipe in pipes:
            pipe.send(start_ns)
        samples = []
        for n in range(int(seconds / SAMPLE_EVERY) + 1):
            _sleep_until(start_ns + int(n * SAMPLE_EVERY * 1e9))
            samples.append(server.memory_info().rss / 2**20)
        logs = generators.expect(pipes, "done", GRACE + 60)
    finally:
        generators.stop(pipes, workers)
    return samples, logs, start_ns


def _fresh(world: World, server: LiveServer, at_cursor: bool) -> float:
    """What the text the soak left costs by itself: a new server process on the same
    database, the same clients joined and typing for SETTLING seconds, its RSS then.
    Every insertion of the soak stays in the document (40 typists for ten minutes are
    24,000 separate insertions), so the soak's memory grows with the document; what it
    holds beyond this is what it failed to give back."""
    process = _serve([sys.executable, "wsgi.py"], server.env, server.base_url, server.log)
    try:
        samples, _logs, _start = _soak(
            world, psutil.Process(process.pid), server.base_url, at_cursor, SETTLING
        )
    finally:
        _stop(process)
    return samples[-1]


def run() -> list[Entry]:
    return _run(NAME, at_cursor=False) + _run(NAME_AT_CURSOR, at_cursor=True)


def _run(name: str, at_cursor: bool) -> list[Entry]:
    print(f"    {name}", flush=True)
    with tempfile.TemporaryDirectory(prefix="tavolo-bench-soak-") as folder:
        world = _seed(Path(folder) / "seed", TYPISTS, VIEWERS)
        server = LiveServer(world.instance, LIVE_RATE_LIMIT="0")
        process = _serve([sys.executable, "wsgi.py"], server.env, server.base_url, server.log)
        try:
            samples, logs, start = _soak(
                world, psutil.Process(process.pid), server.base_url, at_cursor
            )
        finally:
            _stop(process)
        fresh = _fresh(world, server, at_cursor)
    minute = int(min(60.0, SECONDS / 4) * 1e9)
    end = start + int(SECONDS * 1e9)
    first, _ = _figures(logs, start, start + minute)
    last, diagnosis = _figures(logs, end - minute, end)
    settled = samples[int(SETTLING / SAMPLE_EVERY)]
    print(f"    RSS every {SAMPLE_EVERY:.0f} s (MB): {[round(s) for s in samples]}", flush=True)
    print(f"    last minute: {diagnosis}", flush=True)
    ratio = samples[-1] / settled
    verdict = "met" if ratio <= FLAT_TARGET else "MISSED"
    print(f"  target (memory within {FLAT_TARGET:.2f}×): {verdict}", flush=True)
    print(
        f"    a fresh server holding the text the soak left: {fresh:.0f} MB; "
        f"the soak's end is {samples[-1] / fresh:.2f}× that",
        flush=True,
    )
    reference = f"the same at {SETTLING:.0f} s"
    return [
        entry(name, "server RSS at the end", samples[-1], "MB", reference, settled),
        entry(
            name,
            "server RSS at the end, beside the text's own cost",
            samples[-1],
            "MB",
            f"a fresh server, the same clients and the text the soak left, at {SETTLING:.0f} s",
            fresh,
        ),
        entry(name, "server RSS, highest sample", max(samples), "MB", reference, settled),
        entry(
            name,
            "edit-to-peer p99, last minute",
            last[1],
            "ms",
            "the same in the first minute",
            first[1],
        ),
        entry(
            name,
            "edit-to-peer p50, last minute",
            last[0],
            "ms",
            "the same in the first minute",
            first[0],
        ),
    ]
