"""The process that reads a converted draft into sections (`planning.py` starts it):
one job in JSON on stdin, its answer in JSON on stdout.

It imports nothing of the application but its pure core, as the render and export
workers do, and sets its memory and processor-time limits before the parser is loaded,
so that the parser's own allocations count."""

from __future__ import annotations

import json
import resource
import runpy
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

MEGABYTE = 1024 * 1024


def _core(name: str) -> Any:
    standalone = Path(__file__).resolve().parents[2] / "core" / "standalone.py"
    return runpy.run_path(str(standalone))["core_module"](name)


def _answer(job: dict[str, Any]) -> dict[str, Any]:
    planning = _core("import_plan")
    labels = planning.Labels(**job["labels"])
    if job["op"] == "analyse":
        found = planning.analyse(job["markdown"], job["known_title"], labels, job["title_max"])
        return asdict(found)
    parts, numbered = planning.final_sections(
        job["markdown"], job["level"], job["tavolo"], labels, job["title_max"]
    )
    return {"sections": [asdict(part) for part in parts], "numbered": numbered}


def main() -> int:
    job = json.loads(sys.stdin.buffer.read())
    memory = int(job["memory_mb"]) * MEGABYTE
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(job["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:
        answer = _answer(job)
    # Out of its address space, the interpreter fails where it was: an allocation raises
    # MemoryError, a C extension's SystemError ("error return without exception set").
    except (MemoryError, SystemError):
        answer = {"error": "memory"}
    sys.stdout.write(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
