"""Images that belong to a document (today: those brought in by an imported draft),
stored by content under <MEDIA_DIR>/<document id>/<name>. The address
/documents/<document id>/media/<name> is the one contract with the readers: the
document page, the public page and the PDF export all map it to this directory."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from app.core.importing import MEDIA_NAME


def media_dir() -> Path:
    """Resolved at use: tests and deployments move the instance folder after start-up."""
    configured = current_app.config.get("MEDIA_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "media"


def document_dir(document_id: int) -> Path:
    return media_dir() / str(int(document_id))


def media_url(document_id: int, name: str) -> str:
    return f"/documents/{int(document_id)}/media/{name}"


def store(document_id: int, name: str, data: bytes) -> None:
    """Names come from the content's hash, never from a person: refuse anything else."""
    if not MEDIA_NAME.match(name):
        raise ValueError(f"not a media name: {name!r}")
    folder = document_dir(document_id)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    if not target.exists():
        partial = folder / f".{name}.part"
        partial.write_bytes(data)
        partial.replace(target)
