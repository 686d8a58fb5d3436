from __future__ import annotations

import importlib
import pkgutil
import sys

import bench
from bench.report import Entry, write


def main(selected: list[str]) -> None:
    entries: list[Entry] = []
    notes: list[str] = []
    for module in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if not module.name.startswith("bench_"):
            continue
        loaded = importlib.import_module(f"bench.{module.name}")
        # Every module's notes, run or not: the table keeps the figures of those not run.
        if note := getattr(loaded, "NOTES", ""):
            notes.append(note)
        if selected and module.name.removeprefix("bench_") not in selected:
            continue
        print(f"· {module.name}", flush=True)
        results = loaded.run()
        for e in results:
            print(
                f"  {e.name}: {e.metric} {e.value} {e.unit} "
                f"(reference {e.reference_value}, ratio {e.ratio})"
            )
        entries.extend(results)
    write(entries, notes, keep_others=bool(selected))


if __name__ == "__main__":
    main(sys.argv[1:])
