"""The workers' way of loading the core (app/core/standalone.py), tried as they run:
in an isolated interpreter (`python -I`), from another folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import app.core

CORE = Path(app.core.__file__).resolve().parent

NAMES = ("render", "export", "office", "office_docx", "office_odt")
LOAD = f"""
import json, runpy, sys
NAMES = {NAMES!r}
core_module = runpy.run_path(sys.argv[1])["core_module"]
loaded = [core_module(name).__file__ for name in NAMES]
print(json.dumps({{"files": loaded, "modules": sorted(sys.modules)}}))
"""


def test_the_core_loads_alone_from_its_own_tree(tmp_path: Path) -> None:
    """The modules the export worker runs (rendering, export, finishing DOCX and ODT)
    come from this tree, and nothing of the application package, Flask or the database
    comes with them."""
    done = subprocess.run(
        [sys.executable, "-I", "-c", LOAD, str(CORE / "standalone.py")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    found = json.loads(done.stdout)
    assert found["files"] == [str(CORE / f"{name}.py") for name in NAMES]
    heavy = ("flask", "sqlalchemy", "flask_socketio", "app.modules", "app.web", "app.realtime")
    assert [m for m in found["modules"] if m.startswith(heavy)] == []
