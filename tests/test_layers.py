"""Layers point one way: the core knows no framework, features reach the live layer only
through their port (app/modules/port.py), and only the application factory wires the
live layer in. Read from the source, so that an import added anywhere, even inside a
function, is seen."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
FRAMEWORKS = ("flask", "flask_babel", "flask_socketio", "sqlalchemy", "socketio", "engineio")


def imported_modules(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def sources(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def test_the_source_is_where_the_tests_look() -> None:
    assert len(sources(APP / "modules")) > 50
    assert "app.modules.port" in set(imported_modules(APP / "modules/history/services.py"))


@pytest.mark.parametrize("path", sources(APP / "core"), ids=lambda p: p.name)
def test_the_core_imports_no_framework(path: Path) -> None:
    found = [m for m in imported_modules(path) if m.split(".")[0] in FRAMEWORKS]
    assert not found, f"{path.name} imports {found}"


@pytest.mark.parametrize(
    "path",
    [p for p in sources(APP) if APP / "realtime" not in p.parents and p != APP / "__init__.py"],
    ids=lambda p: str(p.relative_to(APP)),
)
def test_only_the_factory_imports_the_live_layer(path: Path) -> None:
    found = [
        m for m in imported_modules(path) if m == "app.realtime" or m.startswith("app.realtime.")
    ]
    assert not found, f"{path.relative_to(APP)} imports {found}"
