"""A process of the Markdown render pool (`app/web/rendering.py`): renders the texts it
is sent, one at a time, for as long as the server lives.

It runs apart from the server because some Markdown shapes (thousands of nested
brackets, say) cost seconds to render, and the server's one event loop must never
spend them. The server kills it when a render runs out of time and starts another. It
imports nothing of the application but its pure core, as the export worker does: no
Flask, no database. The memory limit is set before the renderer is imported, so its
own allocations count.

Frames on stdin and stdout: four bytes of length (big-endian), then JSON."""

from __future__ import annotations

import json
import resource
import runpy
import struct
import sys
from pathlib import Path
from typing import Any, BinaryIO

MEGABYTE = 1024 * 1024
HEADER = struct.Struct(">I")


def read_frame(stream: BinaryIO) -> Any:
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (length,) = HEADER.unpack(header)
    return json.loads(stream.read(length))


def write_frame(stream: BinaryIO, payload: Any) -> None:
    data = json.dumps(payload).encode()
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def _load_core() -> Any:
    """The core's renderer, without the application package (Flask, the database)
    behind it: app/core/standalone.py says how."""
    standalone = Path(__file__).resolve().parents[1] / "core" / "standalone.py"
    return runpy.run_path(str(standalone))["core_module"]("render")


def main() -> int:
    limit = int(sys.argv[1]) * MEGABYTE
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    render = _load_core()
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    write_frame(sink, {"ready": True})
    while (job := read_frame(source)) is not None:
        try:
            html = render.render_markdown(
                job["text"], job["prefix"], job["level"], document_id=job.get("document")
            )
        except MemoryError:
            write_frame(sink, {"error": "memory"})
            continue
        write_frame(sink, {"html": html})
    return 0


if __name__ == "__main__":
    sys.exit(main())
