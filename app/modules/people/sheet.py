"""The printable invitation sheet: one card per person with their link as text and as a
QR code, because the venue often has no e-mail and phones can read a printed code."""

from __future__ import annotations

from collections.abc import Callable

import segno
from markupsafe import Markup

from app.modules.exports.services import page_pdf


def qr_svg(url: str) -> Markup:
    """Inline SVG, sized by the stylesheet; medium error correction survives a crease
    or a coffee stain on the printed card."""
    code = segno.make(url, error="m", micro=False)
    return Markup(code.svg_inline(border=2, omitsize=True, svgclass="qr", lineclass=None))


def render_pdf(html: str, gone: Callable[[], bool] = lambda: False) -> bytes:
    """By the exports' worker (time, memory and concurrency limits), which fetches
    nothing: the sheet carries its styles and codes inline, so a name typed into a list
    can never make the renderer read a local file or call out."""
    return page_pdf(html, gone)
