from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.modules.people.helpers import Desk, facilitator_desk


@pytest.fixture
def desk(app: Flask) -> Desk:
    return facilitator_desk(app)


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The system temporary folder, made private to the test so that what a request
    leaves there can be counted (uploads larger than 500 KB are spooled to it)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder


def files_under(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders if folder.exists() for p in folder.rglob("*"))


def upload(desk: Desk, data: bytes, name: str = "bozza.docx", level: int = 1):  # type: ignore[no-untyped-def]
    return desk.client.post(
        f"{desk.base}/import", data={"file": (io.BytesIO(data), name), "level": str(level)}
    )
