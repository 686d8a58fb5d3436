"""The published page on the day it is presented: 150 phones open it within ten seconds,
beside the server's health check under the same arrivals. See NOTES."""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench.report import Entry, entry

ROOT = Path(__file__).resolve().parent.parent
READERS = int(os.environ.get("BENCH_PUBLIC_READERS", "150"))
WINDOW_SECONDS = 10.0
NOTES = """\
**Published page** (`bench/bench_public.py`): the demo workshop's document, published, on
a running server (the same process `make run` starts). 150 readers arrive at random
moments within 10 s, as a room does when the QR code goes on the slide; each opens the
page and then its PDF code as a PNG, over its own connection, as a phone does. The
reference is the server's `/healthz` asked by the same 150 arrivals in the same run: what
the server costs when it does nothing. Medians are p50 and p99 of the answers' times, in
milliseconds."""

PUBLISH = """
from wsgi import app
from app.core.permissions import DocumentStatus
from app.extensions import db
from app.modules.documents import services
from app.modules.documents.models import Document
with app.app_context():
    document = db.session.get(Document, 1)
    services.set_status(None, document, DocumentStatus.FROZEN)
    services.set_status(None, document, DocumentStatus.PUBLISHED)
    db.session.commit()
    print(document.slug)
"""


def run() -> list[Entry]:
    from tests.realtime.server import LiveServer

    with tempfile.TemporaryDirectory() as folder:
        server = LiveServer(Path(folder))
        server.prepare_database()
        server.tavolo(["tavolo", "demo"])
        done = subprocess.run(
            [sys.executable, "-c", PUBLISH],
            cwd=ROOT,
            env=server.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        slug = done.stdout.strip().splitlines()[-1]
        server.start()
        try:
            page = f"{server.base_url}/p/{slug}"
            assert requests.get(page, timeout=30).status_code == 200
            _arrivals([f"{server.base_url}/healthz"])  # warm both paths once
            _arrivals([page, f"{page}/qr-pagina.png"])
            health = _arrivals([f"{server.base_url}/healthz"])
            readers = _arrivals([page, f"{page}/qr-pagina.png"])
        finally:
            server.stop()
    name = f"public page: {READERS} phones within {WINDOW_SECONDS:.0f} s"
    reference = f"/healthz, the same {READERS} arrivals"
    return [
        entry(name, "answer p50", _ms(readers, 50), "ms", reference, _ms(health, 50)),
        entry(name, "answer p99", _ms(readers, 99), "ms", reference, _ms(health, 99)),
    ]


def _arrivals(paths: list[str]) -> list[float]:
    """Each reader starts at a random moment of the window and asks its paths in order;
    every answer's time is kept. A refused or failed answer counts as the whole wait."""
    times: list[float] = []
    lock = threading.Lock()
    start = time.monotonic() + 0.5
    moments = sorted(random.uniform(0, WINDOW_SECONDS) for _ in range(READERS))

    def reader(moment: float) -> None:
        time.sleep(max(0.0, start + moment - time.monotonic()))
        with requests.Session() as session:
            for path in paths:
                began = time.perf_counter()
                try:
                    ok = session.get(path, timeout=60).status_code == 200
                except requests.RequestException:
                    ok = False
                took = time.perf_counter() - began if ok else 60.0
                with lock:
                    times.append(took)

    threads = [threading.Thread(target=reader, args=(m,)) for m in moments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def _ms(values: list[float], percentile: int) -> float:
    if percentile == 50:
        return statistics.median(values) * 1000
    return statistics.quantiles(values, n=100)[percentile - 1] * 1000


if __name__ == "__main__":
    for result in run():
        print(result)
