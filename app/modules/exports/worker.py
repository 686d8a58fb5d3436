"""The process that renders an export: WeasyPrint for the PDF, pandoc for DOCX and
ODT. Started by `renderer.run` with a job in JSON on stdin, it answers in JSON on stdout.

It runs apart from the server so that a renderer that hangs or swells is killed without
touching live editing, and so that the server's threads never spend seconds on it. It
is started as a plain script (`python -I worker.py`) that imports nothing of the
application but its pure core (app/core, to render the text): no Flask, no database,
only the job it is given. The memory limit is set before anything heavy is imported, so
the renderers' own allocations count; pandoc, a child of this process, inherits it.

Nothing is fetched from the network or read from disk except what the job lists: the
application's own fonts and the document's own images. The output is written under a
temporary name and renamed at the very end, so a killed render leaves no half file
under the final name."""

from __future__ import annotations

import errno
import json
import mimetypes
import os
import resource
import runpy
import signal
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

MEGABYTE = 1024 * 1024


def _yield_to_the_server() -> None:
    """On a two-core laptop, two exports must not make the people typing wait. Linux's
    SCHED_IDLE gives the export only the processor time nobody else wants (a lower nice
    value still took a share of it: typing's p99 rose by half while two exports ran);
    elsewhere the lowest priority is the closest there is."""
    if hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    else:
        os.nice(19)


def main() -> int:
    job = json.loads(sys.stdin.read())
    limit = int(job["memory_mb"]) * MEGABYTE
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _yield_to_the_server()
    partial = Path(job["partial"])
    try:
        refused = _render(job, partial)
        os.replace(partial, job["output"])
    except MemoryError:
        _answer({"ok": False, "error": "memory"})
        return 3
    except Exception as error:
        partial.unlink(missing_ok=True)
        traceback.print_exc(limit=5)
        message = "memory" if _out_of_memory(error) else "failed"
        _answer({"ok": False, "error": message, "detail": _first_line(error)})
        return 2
    _answer({"ok": True, "refused": refused})
    return 0


def _render(job: dict[str, Any], partial: Path) -> list[str]:
    if job["renderer"] == "weasyprint":
        return _weasyprint(job, partial)
    _pandoc(job, partial)
    return []


def _out_of_memory(error: BaseException) -> bool:
    if isinstance(error, OSError) and error.errno == errno.ENOMEM:
        return True
    return isinstance(error, MemoryError) or "out of memory" in f"{error}".lower()


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in f"{error}".splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def _answer(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload))
    sys.stdout.flush()


def _weasyprint(job: dict[str, Any], partial: Path) -> list[str]:
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    roots = {prefix: Path(folder).resolve() for prefix, folder in job["roots"].items()}
    origin = job["base_url"].rstrip("/")
    refused: list[str] = []

    class OwnFilesOnly(URLFetcher):
        """Serves the listed folders under the export's own origin, data: images, and
        nothing else: no file://, no network, no redirect to follow."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            found = _local_file(url, origin, roots)
            if found is None:
                refused.append(url)
                raise ValueError(f"not an asset of the export: {url}")
            mime = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, found.read_bytes(), {"Content-Type": mime})

    html = weasyprint.HTML(
        string=_filled(job), base_url=origin + "/", url_fetcher=OwnFilesOnly(timeout=1)
    )
    options: dict[str, Any] = {"pdf_tags": bool(job.get("pdf_tags"))}
    if job.get("pdf_variant"):
        options["pdf_variant"] = job["pdf_variant"]
    html.write_pdf(partial, **options)
    return refused


def _core(name: str) -> Any:
    """A module of the application's pure core, loaded alone (app/core/standalone.py):
    no Flask, no database behind it."""
    standalone = Path(__file__).resolve().parents[2] / "core" / "standalone.py"
    return runpy.run_path(str(standalone))["core_module"](name)


def _filled(job: dict[str, Any]) -> str:
    """The sections' Markdown rendered into the page, with their notes."""
    export = _core("export")
    parts = [export.TextPart.from_dict(p) for p in job.get("parts", [])]
    return export.fill_parts(job["html"], parts)


def _with_notes(job: dict[str, Any]) -> str:
    """pandoc's input with each section that has notes in place of its marker, its notes
    placed and its images inlined from the document's own media folder."""
    if not job.get("noted"):
        return str(job["markdown"])
    export = _core("export")
    read = export.media_reader(Path(job["office"]["media"]))
    sections = [export.NotedSection.from_dict(s) for s in job["noted"]]
    return export.fill_sections(
        job["markdown"],
        sections,
        lambda text: export.inline_images(text, "](", job["media_prefix"], read),
    )


def _local_file(url: str, origin: str, roots: dict[str, Path]) -> Path | None:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or parts.query:
        return None
    path = unquote(parts.path)
    for prefix, root in roots.items():
        if not path.startswith(prefix):
            continue
        candidate = (root / path[len(prefix) :]).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def _pandoc(job: dict[str, Any], partial: Path) -> None:
    """pandoc as pypandoc found it (the binary shipped in pypandoc-binary), started
    directly: no version probes at every export, and its own errors come back as is.
    With `office` in the job, pandoc's file goes to a temporary file without a name
    (nothing is left behind if the worker is killed) and is finished into `partial`."""
    office = job.get("office")
    command = [
        job["pandoc"],
        "--sandbox",
        f"--from={job['from']}",
        f"--to={job['to']}",
        f"--output={'-' if office else partial}",
        *job["args"],
    ]
    markdown = _with_notes(job)
    if not office:
        _run_pandoc(command, markdown, subprocess.PIPE)
        return
    with tempfile.TemporaryFile(dir=partial.parent) as written:
        _run_pandoc(command, markdown, written)
        written.seek(0)
        finish = _core(f"office_{job['to']}").finish
        finish(written, partial, _finish_spec(office))


def _run_pandoc(command: list[str], markdown: str, output: Any) -> None:
    try:
        done = subprocess.run(
            command, input=markdown.encode(), stdout=output, stderr=subprocess.PIPE
        )
    except OSError as error:
        if error.errno == errno.ENOMEM:
            raise MemoryError from error
        raise
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        # Under the address-space limit pandoc's runtime dies on a failed mmap (SIGSEGV)
        # before it can say anything; with room to start, its heap limit speaks.
        crashed = done.returncode in (-signal.SIGSEGV, -signal.SIGKILL, -signal.SIGABRT)
        if crashed or "Heap exhausted" in message or "out of memory" in message.lower():
            raise MemoryError(message)
        raise RuntimeError(f"pandoc: {message or done.returncode}")


def _finish_spec(office: dict[str, Any]) -> Any:
    """The job's cover and properties, with the logos read from the document's own media
    folder: a name that leads anywhere else, or a file that is not a PNG or JPEG, is
    left out."""
    core = _core("office")
    root = Path(office["media"]).resolve()
    logos = []
    for item in office.get("logos", []):
        path = (root / str(item["file"])).resolve()
        if not (path.is_relative_to(root) and path.is_file()):
            continue
        found = core.logo(path.read_bytes(), str(item.get("alt", "")))
        if found is not None:
            logos.append(found)
    return core.finish_from_job(office, logos)


if __name__ == "__main__":
    sys.exit(main())
