"""The comparison of two versions as a file for the institutions that want to see what
changed: a standalone HTML page and a PDF made from it, insertions underlined and
deletions struck through, readable when printed in black and white."""

from __future__ import annotations

from collections.abc import Callable

from app.core.render import slugify
from app.modules.documents.models import Document
from app.modules.exports.services import page_pdf


def render_pdf(html: str, gone: Callable[[], bool] = lambda: False) -> bytes:
    """By the exports' worker (time, memory and concurrency limits), which fetches
    nothing: the page carries its styles inline and shows the text as typed, so a link
    typed into a section can never make the renderer read a local file or call out."""
    return page_pdf(html, gone)


def file_name(document: Document, fmt: str) -> str:
    return f"{slugify(document.title, fallback='documento', max_length=60)}-confronto.{fmt}"
