from pathlib import Path

from flask import current_app

from app.core.permissions import DocumentStatus
from app.modules.documents import services as documents
from app.modules.media import services as media
from tests.web.authz import Rule, World

# The smallest valid GIF: the route checks the name, the file only has to exist.
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
NAME = "0123456789abcdef0123.gif"


def _stored(w: World) -> None:
    current_app.config["MEDIA_DIR"] = Path(current_app.config["EXPORTS_DIR"]).parent / "media"
    media.store(w.document.id, NAME, GIF)


def _published(w: World) -> None:
    _stored(w)
    documents.set_status(None, w.document, DocumentStatus.FROZEN)
    documents.set_status(None, w.document, DocumentStatus.PUBLISHED)


def _image(w: World) -> dict:
    return {"document_id": w.document.id, "filename": NAME}


RULES = [
    Rule("media.serve", "GET", "observer", _image, setup=_stored),
    # A published document's images are as public as its text.
    Rule("media.serve", "GET", "public", _image, setup=_published),
]
