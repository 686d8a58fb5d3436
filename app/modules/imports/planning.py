"""A converted draft read into sections in a worker process, never in the server: the
parser spends tens of seconds on a text built for it (a megabyte of brackets took 23 s,
and in gevent mode every page and socket of the room waited with it). The worker has
`IMPORT_SPLIT_SECONDS` and `IMPORT_MEMORY_MB`; past either the file is refused with a
sentence, and only the person importing it has waited."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from app.core.import_plan import Analysis, Glimpse, Labels
from app.core.invitations import N_, Message
from app.core.splitting import SplitSection
from app.modules.documents.services import TITLE_MAX
from app.modules.imports.conversion import ImportRefused, Limits
from app.web.blocking import limited_environment

WORKER = Path(__file__).with_name("planning_worker.py")
TOO_SLOW = N_(
    "Il testo è troppo complesso per dividerlo in sezioni entro %(s)s secondi: controlla "
    "che sia un documento di testo, oppure dividilo in più file."
)
TOO_BIG = N_(
    "Dividere il testo in sezioni richiede più memoria di quella consentita: dividilo in "
    "più file e importali uno alla volta."
)


def labels() -> Labels:
    return Labels(intro=_("Premessa"), untitled=_("Senza titolo"), initial=_("Testo iniziale"))


def analyse(markdown: str, known_title: str | None, limits: Limits) -> Analysis:
    """Title, numbering and the sections at every level, for the preview."""
    found = _run({"op": "analyse", "markdown": markdown, "known_title": known_title}, limits)
    return analysis_from(found)


def analysis_from(found: dict[str, Any]) -> Analysis:
    """An analysis from its JSON, where levels and booleans became strings as keys."""
    glimpses = {
        int(level): {
            tavolo in (True, "true"): [Glimpse(**glimpse) for glimpse in listed]
            for tavolo, listed in by_numbering.items()
        }
        for level, by_numbering in found["glimpses"].items()
    }
    return Analysis(found["title"], found["markdown"], found["example"], glimpses)


def final_sections(
    markdown: str, level: int, tavolo: bool, limits: Limits
) -> tuple[list[SplitSection], bool]:
    """The sections to save at `level`, and whether Tavolo numbers them."""
    found = _run({"op": "sections", "markdown": markdown, "level": level, "tavolo": tavolo}, limits)
    return [SplitSection(**part) for part in found["sections"]], bool(found["numbered"])


def _run(job: dict[str, Any], limits: Limits) -> dict[str, Any]:
    job = {
        **job,
        "labels": asdict(labels()),
        "title_max": TITLE_MAX,
        "memory_mb": limits.memory_mb,
        "cpu_seconds": max(1, int(limits.split_seconds + 0.999)),
    }
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(WORKER)],
            input=json.dumps(job).encode(),
            capture_output=True,
            timeout=limits.split_seconds,
            env=limited_environment(),
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise _too_slow(limits) from error
    if done.returncode < 0:  # killed by its processor-time limit
        raise _too_slow(limits)
    try:
        answer: dict[str, Any] = json.loads(done.stdout)
    except ValueError:
        answer = {"error": "memory" if b"MemoryError" in done.stderr else "failed"}
    if answer.get("error") == "memory":
        raise ImportRefused(Message(TOO_BIG))
    if done.returncode != 0 or "error" in answer:
        # A fault of ours, not of the file: the person gets the sentence for the
        # unexpected, the log gets the worker's traceback.
        raise RuntimeError(f"split worker failed: {done.stderr[-2000:]!r}")
    return answer


def _too_slow(limits: Limits) -> ImportRefused:
    return ImportRefused(Message(TOO_SLOW, {"s": f"{limits.split_seconds:g}"}))
