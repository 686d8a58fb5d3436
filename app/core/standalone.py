"""The pure core, loaded in a process that must not import the application package.

The render and export workers are started as `python -I <worker file>`: importing `app`
there would bring Flask and the database with it (app/__init__.py), or the core of
another checkout (the installed package's path, not the worker's own tree). They run
this file by its path (`runpy.run_path`), so that it imports nothing of the application
itself."""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path

CORE = Path(__file__).resolve().parent


def core_module(name: str) -> types.ModuleType:
    """`app.core.<name>` from this tree. Placeholder packages stand for `app` and
    `app.core`, so that the core's own `from app.core import ...` lines find these files
    without running either package's `__init__`."""
    for package, folder in (("app", CORE.parent), ("app.core", CORE)):
        if package not in sys.modules:
            placeholder = types.ModuleType(package)
            placeholder.__path__ = [str(folder)]
            sys.modules[package] = placeholder
    return importlib.import_module(f"app.core.{name}")
