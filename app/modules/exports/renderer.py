"""Hands a render to the worker process and turns its fate into a message for people.

The worker is killed with its whole process group when it runs out of time (pandoc is
its child), and the temporary file it was writing is removed whatever happened: after
a failure nothing is left in the exports folder, neither under the final name nor
under the temporary one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask_babel import gettext as _

from app.web.blocking import limited_environment

WORKER = Path(__file__).with_name("worker.py")


class ExportError(Exception):
    """An export that cannot be made; the message is for people."""


class ExportsBusy(ExportError):
    """Every slot is taken: the same request may simply be sent again later."""


class ExportCancelled(ExportError):
    """The person who asked went away (closed the page, cancelled the download)."""


# How often a render asks whether the person still waits for it.
CHECK = 0.5


_SLOTS: dict[int, threading.BoundedSemaphore] = {}
_SLOTS_LOCK = threading.Lock()


def _slots(concurrency: int) -> threading.BoundedSemaphore:
    with _SLOTS_LOCK:
        return _SLOTS.setdefault(concurrency, threading.BoundedSemaphore(concurrency))


def run(
    job: dict[str, Any],
    output: Path,
    time_limit: float,
    memory_mb: int,
    concurrency: int = 2,
    gone: Callable[[], bool] = lambda: False,
) -> list[str]:
    """Renders `job` into `output`; returns the addresses the renderer was refused.
    At most `concurrency` renders run at once in this server process: on a laptop with
    two cores, a third export would only slow down the other two and the people typing.
    `gone` is asked every half second whether the person still waits for the file; when
    they do not, the render is stopped (`ExportCancelled`)."""
    slots = _slots(concurrency)
    if not slots.acquire(blocking=False):
        raise ExportsBusy(_("Altre esportazioni sono in corso: riprova tra qualche secondo."))
    try:
        return _run(job, output, time_limit, memory_mb, gone)
    finally:
        slots.release()


def _run(
    job: dict[str, Any], output: Path, time_limit: float, memory_mb: int, gone: Callable[[], bool]
) -> list[str]:
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.{uuid.uuid4().hex}.part")
    payload = {**job, "output": str(output), "partial": str(partial), "memory_mb": memory_mb}
    try:
        returncode, stdout, stderr = _spawn(json.dumps(payload), time_limit, gone)
    finally:
        partial.unlink(missing_ok=True)
    return _outcome(returncode, stdout, stderr, memory_mb)


def _spawn(payload: str, time_limit: float, gone: Callable[[], bool]) -> tuple[int, str, str]:
    # -I: the worker sees neither the environment's PYTHON* variables nor the current
    # folder, only the installed packages.
    process = subprocess.Popen(
        [sys.executable, "-I", str(WORKER)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env=limited_environment(),
    )
    deadline = time.monotonic() + time_limit
    sending: str | None = payload
    while True:
        try:
            # Input goes with the first call only; later calls go on where it stopped.
            left = deadline - time.monotonic()
            stdout, stderr = process.communicate(sending, timeout=max(0.0, min(CHECK, left)))
            break
        except subprocess.TimeoutExpired:
            sending = None
            if gone():
                _kill(process)
                raise ExportCancelled("the client went away") from None
            if time.monotonic() < deadline:
                continue
        _kill(process)
        raise ExportError(
            _(
                "L'esportazione ha superato il tempo massimo di %(seconds)d secondi ed è "
                "stata interrotta; nessun file è stato salvato. Riprova senza allegati o "
                "con un formato più leggero, oppure chiedi di alzare il limite.",
                seconds=round(time_limit),
            )
        ) from None
    return process.returncode, stdout, stderr


def _kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def _outcome(returncode: int, stdout: str, stderr: str, memory_mb: int) -> list[str]:
    try:
        answer = json.loads(stdout) if stdout.strip() else {}
    except ValueError:
        answer = {}
    if returncode == 0 and answer.get("ok"):
        return list(answer.get("refused", []))
    if answer.get("error") == "memory" or "MemoryError" in stderr or returncode < 0:
        raise ExportError(
            _(
                "L'esportazione ha superato il limite di memoria di %(mb)d MB ed è stata "
                "interrotta; nessun file è stato salvato. Il documento potrebbe contenere "
                "immagini molto grandi.",
                mb=memory_mb,
            )
        )
    detail = (answer.get("detail") or stderr).strip()
    raise ExportError(
        _(
            "L'esportazione non è riuscita; nessun file è stato salvato. "
            "Dettaglio tecnico: %(detail)s",
            detail=detail.splitlines()[0] if detail else returncode,
        )
    )
