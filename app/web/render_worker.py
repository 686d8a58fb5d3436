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
import struct
import sys
import types
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
    """Placeholder packages stand for `app` and `app.core`, so that the renderer imports
    without the application package (Flask, the database) behind it."""
    core = Path(__file__).resolve().parents[1] / "core"
    for name, folder in (("app", core.parent), ("app.core", core)):
        if name not in sys.modules:
            package = types.ModuleType(name)
            package.__path__ = [str(folder)]
            sys.modules[name] = package
    from app.core import render

    return render


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
