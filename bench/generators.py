"""The load generators of the benchmarks: processes of their own (spawned, so that none
inherits the benchmark's threads or sockets), each speaking to the benchmark over a
pipe."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any


def start(
    work: Callable[[object, Connection], None], specs: Iterable[object]
) -> tuple[list[Connection], list[BaseProcess]]:
    """One process per spec running `work(spec, pipe)`; the benchmark's ends of the pipes."""
    context = multiprocessing.get_context("spawn")
    pipes: list[Connection] = []
    workers: list[BaseProcess] = []
    for spec in specs:
        ours, theirs = context.Pipe()
        worker = context.Process(target=work, args=(spec, theirs))
        worker.start()
        theirs.close()
        workers.append(worker)
        pipes.append(ours)
    return pipes, workers


def stop(pipes: list[Connection], workers: list[BaseProcess], timeout: float = 30) -> None:
    """A closed pipe ends a generator still waiting for its start time; one that does not
    end in time is terminated."""
    for pipe in pipes:
        pipe.close()
    deadline = time.monotonic() + timeout
    for worker in workers:
        worker.join(timeout=max(0.0, deadline - time.monotonic()))
        if worker.is_alive():
            worker.terminate()
            worker.join()


def expect(pipes: list[Connection], state: str, timeout: float) -> list[Any]:
    """What every generator sends once it reaches `state` ("ready", "done"); a generator
    that failed or exited stops the benchmark with its reason."""
    deadline = time.monotonic() + timeout
    found: list[Any] = []
    waiting = list(pipes)
    while waiting:
        ready = wait(waiting, timeout=max(0.0, deadline - time.monotonic()))
        if not ready:
            raise TimeoutError(f"load generators not {state} in {timeout:.0f} s")
        for pipe in ready:
            assert isinstance(pipe, Connection)
            try:
                number, got, payload = pipe.recv()
            except EOFError:
                raise RuntimeError("a load generator exited without a word") from None
            if got == "failed":
                raise RuntimeError(f"load generator {number} failed:\n{payload}")
            if got != state:
                raise RuntimeError(f"load generator {number}: expected {state}, got {got}")
            found.append(payload)
            waiting.remove(pipe)
    return found
