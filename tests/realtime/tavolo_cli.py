"""Runs a batch of `flask --app wsgi …` commands in one process, against the database the
environment points at: starting a process costs a second, and a test world needs dozens
of commands. Reads a JSON list of argument lists on stdin; an argument may refer to the
output of an earlier command as {0}, {1}, …; prints the outputs as a JSON list."""

from __future__ import annotations

import json
import sys

from wsgi import app


def main() -> None:
    runner = app.test_cli_runner()
    outputs: list[str] = []
    for args in json.load(sys.stdin):
        result = runner.invoke(args=[arg.format(*outputs) for arg in args])
        if result.exit_code != 0:
            sys.exit(f"{' '.join(args)}: {result.output}{result.exception!r}")
        # What the command prints for scripts; its messages go to stderr.
        outputs.append(result.stdout.strip())
    json.dump(outputs, sys.stdout)


if __name__ == "__main__":
    main()
