"""Markdown rendered for pages without ever holding the server: small texts at once, the
rest in a small pool of worker processes with a time and a memory limit, and every
result kept by the text's hash, since a page view renders every section again.

Some shapes cost far more than their size: 40 000 nested brackets took 2 s of the only
event loop in gevent mode (every page and socket waited), 2 MB took half a minute. In a
worker they cost a worker's time, at most `RENDER_TIME_LIMIT`; then the worker is killed
and the text is shown as it was typed, escaped, with a note saying why. That outcome is
remembered too, so a hostile text costs the limit once, not at every page view."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.core.render import render_markdown
from app.web.blocking import limited_environment
from app.web.fragments import rendered_in_fallback
from app.web.render_worker import HEADER

_BLANK_LINES = re.compile(r"\n[ \t]*\n")
WORKER = Path(__file__).with_name("render_worker.py")
# A worker starts in about a third of a second; on a busy laptop it may take longer.
START_SECONDS = 15.0


class WorkerFailed(Exception):
    """The worker ran out of time or memory, or died: it is killed, never reused."""


class _Worker:
    """One render process and the two pipes to it, read and written without blocking:
    with gevent, `select` lets the event loop serve everyone else while a render runs."""

    def __init__(self, memory_mb: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(WORKER), str(memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env=limited_environment(),
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._out, self._in = self.process.stdin.fileno(), self.process.stdout.fileno()
        os.set_blocking(self._out, False)
        os.set_blocking(self._in, False)
        try:
            self._read_frame(time.monotonic() + START_SECONDS)
        except BaseException:
            self.kill()
            raise

    def ask(self, job: dict[str, Any], seconds: float) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        data = json.dumps(job).encode()
        self._write(HEADER.pack(len(data)) + data, deadline)
        return self._read_frame(deadline)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()

    def _write(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            self._wait(self._out, deadline, writing=True)
            try:
                view = view[os.write(self._out, view) :]
            except BlockingIOError:
                continue
            except OSError as error:
                raise WorkerFailed("gone") from error

    def _read_frame(self, deadline: float) -> dict[str, Any]:
        header = self._read(HEADER.size, deadline)
        (length,) = HEADER.unpack(header)
        return json.loads(self._read(length, deadline))

    def _read(self, size: int, deadline: float) -> bytes:
        chunks: list[bytes] = []
        missing = size
        while missing:
            self._wait(self._in, deadline, writing=False)
            try:
                chunk = os.read(self._in, min(missing, 1 << 20))
            except BlockingIOError:
                continue
            if not chunk:
                raise WorkerFailed("gone")
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    @staticmethod
    def _wait(fd: int, deadline: float, writing: bool) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise WorkerFailed("time")
        ready = select.select([], [fd], [], left) if writing else select.select([fd], [], [], left)
        if not any(ready):
            raise WorkerFailed("time")


class RenderPool:
    """At most `size` workers, started when first needed and kept; one render each at a
    time. A render that waits longer than the time limit for a free worker gives up."""

    def __init__(self, size: int, time_limit: float, memory_mb: int) -> None:
        self.time_limit, self._memory_mb = time_limit, memory_mb
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        atexit.register(self.close)

    def render(self, text: str, prefix: str, level: int, document_id: int | None) -> str | None:
        """The HTML, or None when this text ran out of time or memory; raises
        `WorkerFailed` when no worker was free in time (the text is not to blame)."""
        if not self._slots.acquire(timeout=self.time_limit):
            raise WorkerFailed("busy")
        try:
            worker = self._take()
            try:
                job = {"text": text, "prefix": prefix, "level": level, "document": document_id}
                answer = worker.ask(job, self.time_limit)
            except (WorkerFailed, ValueError):
                worker.kill()
                return None
            self._give(worker)
            return answer.get("html")
        finally:
            self._slots.release()

    def workers(self) -> int:
        """Idle workers: each one started is kept until it runs out of time."""
        with self._lock:
            return len(self._idle)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        if os.getpid() == self._pid:
            for worker in idle:
                worker.kill()

    def _take(self) -> _Worker:
        with self._lock:
            if os.getpid() != self._pid:
                # A forked server process: the workers belong to its parent.
                self._idle, self._pid = [], os.getpid()
            if self._idle:
                return self._idle.pop()
        return _Worker(self._memory_mb)

    def _give(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)


@dataclass(frozen=True)
class _Timeout:
    """Remembered in the cache for a text whose render ran out of time, for a while
    only: on a machine busy enough to slow a long ordinary text past the limit, the
    text gets another chance once the moment has passed."""

    until: float


# A text's hash, the prefix of its ids, the level of the heading above it and the document
# whose media its images may show (the same text elsewhere shows none of them).
Key = tuple[bytes, str, int, int | None]
# How long a render that ran out of time is not tried again.
TIMEOUT_REMEMBERED_SECONDS = 300.0


class Renderer:
    """The cache in front of the pool, bounded by the size of what it holds."""

    def __init__(self, pool: RenderPool, inline_bytes: int, cache_bytes: int) -> None:
        self.pool = pool
        self._inline_bytes, self._cache_bytes = inline_bytes, cache_bytes
        self._cache: OrderedDict[Key, str | _Timeout] = OrderedDict()
        self._cached = 0
        self._running: dict[Key, threading.Event] = {}
        self._lock = threading.Lock()

    def render(
        self, text: str, prefix: str, level: int, document_id: int | None = None
    ) -> str | None:
        """The HTML, or None when the text is to be shown as typed. A text being rendered
        for someone else is waited for, not rendered again: when the server starts, forty
        people open the same document at once, and each section goes to a worker once."""
        digest = hashlib.blake2b(text.encode(), digest_size=16).digest()
        key = (digest, prefix, level, document_id)
        with self._lock:
            known, html = self._known(key)
            running = self._running.get(key)
            if not known and running is None:
                self._running[key] = mine = threading.Event()
        if known:
            return html
        if running is not None:
            running.wait(self.pool.time_limit * 2)
            with self._lock:
                return self._known(key)[1]
        try:
            return self._render(key, text)
        finally:
            with self._lock:
                del self._running[key]
            mine.set()

    def _known(self, key: Key) -> tuple[bool, str | None]:
        """Whether the cache knows the text, and its HTML (None for a text that ran out
        of time a moment ago). Called with the lock held."""
        found = self._cache.get(key)
        if isinstance(found, str):
            self._cache.move_to_end(key)
            return True, found
        return found is not None and found.until > time.monotonic(), None

    def _render(self, key: Key, text: str) -> str | None:
        _digest, prefix, level, document_id = key
        if len(text.encode()) <= self._inline_bytes:
            html: str | None = render_markdown(text, prefix, level, document_id=document_id)
        else:
            try:
                html = self.pool.render(text, prefix, level, document_id)
            except WorkerFailed:
                return None
        outcome = _Timeout(time.monotonic() + TIMEOUT_REMEMBERED_SECONDS) if html is None else html
        self._keep(key, outcome)
        return html

    def cached_bytes(self) -> int:
        with self._lock:
            return self._cached

    def _keep(self, key: Key, value: str | _Timeout) -> None:
        with self._lock:
            old = self._cache.pop(key, None)
            if old is not None:
                self._cached -= _size(old)
            self._cache[key] = value
            self._cached += _size(value)
            while self._cached > self._cache_bytes and self._cache:
                _key, dropped = self._cache.popitem(last=False)
                self._cached -= _size(dropped)


def _size(value: str | _Timeout) -> int:
    """What an entry costs, roughly: its HTML, plus the key and the bookkeeping."""
    return 64 + (len(value) if isinstance(value, str) else 0)


_POOLS: dict[tuple[int, float, int], RenderPool] = {}
_POOLS_LOCK = threading.Lock()


def shared_pool(size: int, time_limit: float, memory_mb: int) -> RenderPool:
    """One pool per process and settings, whatever the number of applications made in
    it (the tests make one per test): each pool keeps its workers until the end."""
    with _POOLS_LOCK:
        key = (size, time_limit, memory_mb)
        if key not in _POOLS:
            _POOLS[key] = RenderPool(size, time_limit, memory_mb)
        return _POOLS[key]


def init_app(app: Flask) -> None:
    config = app.config
    pool = shared_pool(
        config["RENDER_POOL_SIZE"], config["RENDER_TIME_LIMIT"], config["RENDER_MEMORY_MB"]
    )
    app.extensions["tavolo.render"] = Renderer(
        pool, config["RENDER_INLINE_BYTES"], config["RENDER_CACHE_BYTES"]
    )


def markdown(
    text: str, prefix: str = "", heading_level: int = 0, document_id: int | None = None
) -> Markup:
    """`app.core.render.render_markdown`, bounded (see the module's docstring)."""
    renderer: Renderer = current_app.extensions["tavolo.render"]
    html = renderer.render(text, prefix, heading_level, document_id)
    if html is not None:
        return Markup(html)
    rendered_in_fallback()
    return fallback(text)


def fallback(text: str) -> Markup:
    """The text as typed, escaped, one paragraph per block, and why it looks so."""
    note = _(
        "Questo testo è mostrato senza formattazione: impaginarlo richiedeva troppo tempo "
        "al server. Nulla è andato perso; semplificarne la formattazione lo risolve."
    )
    blocks = [b.strip("\n") for b in _BLANK_LINES.split(text.replace("\r\n", "\n")) if b.strip()]
    paragraphs = "".join(
        f"<p>{Markup('<br>').join(escape(line) for line in block.split(chr(10)))}</p>"
        for block in blocks
    )
    return Markup(f'<p class="render-fallback"><em>{escape(note)}</em></p>{paragraphs}')
