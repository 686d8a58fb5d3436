"""The printable invitation sheet: one card per person with their link as text and as a
QR code (app/web/qr.py), because the venue often has no e-mail and phones can read a
printed code."""

from __future__ import annotations

from collections.abc import Callable

from app.modules.exports.services import page_pdf


def render_pdf(html: str, gone: Callable[[], bool] = lambda: False) -> bytes:
    """By the exports' worker (time, memory and concurrency limits), which fetches
    nothing: the sheet carries its styles and codes inline, so a name typed into a list
    can never make the renderer read a local file or call out."""
    return page_pdf(html, gone)
