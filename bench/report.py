from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


@dataclass(frozen=True)
class Entry:
    name: str
    metric: str
    value: float
    unit: str
    reference: str
    reference_value: float
    ratio: float
    machine: str
    date: str


def machine() -> str:
    return f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"


def entry(
    name: str, metric: str, value: float, unit: str, reference: str, reference_value: float
) -> Entry:
    ratio = value / reference_value if reference_value else float("nan")
    return Entry(
        name,
        metric,
        round(value, 4),
        unit,
        reference,
        round(reference_value, 4),
        round(ratio, 3),
        machine(),
        dt.date.today().isoformat(),
    )


def median_seconds(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of `repeat` calls; the first call warms caches and is discarded."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _merged(new: list[Entry], keep_others: bool) -> list[Entry]:
    """Running one benchmark keeps the others' last figures instead of erasing them; a
    run of them all replaces everything, so renamed or retired figures do not linger."""
    path = DOCS / "benchmarks.json"
    fresh = {(e.name, e.metric) for e in new}
    kept = []
    if keep_others and path.exists():
        kept = [
            Entry(**row)
            for row in json.loads(path.read_text())
            if (row["name"], row["metric"]) not in fresh
        ]
    return kept + new


def write(new: list[Entry], notes: list[str] | None = None, keep_others: bool = True) -> None:
    """`notes`: Markdown paragraphs appended after the table, one per benchmark module
    that explains itself (its NOTES string)."""
    DOCS.mkdir(exist_ok=True)
    entries = _merged(new, keep_others)
    (DOCS / "benchmarks.json").write_text(
        json.dumps([asdict(e) for e in entries], indent=2, ensure_ascii=False) + "\n"
    )
    lines = [
        "# Benchmarks",
        "",
        "Produced by `make bench`. Every figure sits beside a reference measured in the same",
        "run on the same machine; quote medians and ratios, not absolute times.",
        "",
        "| benchmark | metric | value | reference | reference value | ratio |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for e in entries:
        lines.append(
            f"| {e.name} | {e.metric} | {e.value} {e.unit} | {e.reference} | "
            f"{e.reference_value} {e.unit} | {e.ratio} |"
        )
    if entries:
        # A partial run keeps older figures: their dates are in benchmarks.json.
        dates = sorted({e.date for e in entries})
        when = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
        lines += ["", f"Machine: {entries[0].machine}. Measured: {when}."]
    for note in notes or []:
        lines += ["", note.strip()]
    (DOCS / "benchmarks.md").write_text("\n".join(lines) + "\n")
