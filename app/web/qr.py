"""QR codes of Tavolo's addresses: for the printed invitation cards, and for the slides
of the day the document is presented, where a hundred phones read the code off a
projector screen from the back of the room."""

from __future__ import annotations

import io
from functools import lru_cache

import segno
from flask import Flask
from markupsafe import Markup


def _code(url: str) -> segno.QRCode:
    # Medium error correction survives a crease or a coffee stain on a printed card, and
    # a projector's glare.
    return segno.make(url, error="m", micro=False)


def svg(url: str) -> Markup:
    """Inline SVG, sized by the stylesheet."""
    return Markup(_code(url).svg_inline(border=2, omitsize=True, svgclass="qr", lineclass=None))


# Drawn once per address: a hundred phones ask for the same code within seconds.
@lru_cache(maxsize=256)
def svg_file(url: str) -> bytes:
    """A file for slides: black on white, the quiet zone the standard asks for."""
    out = io.BytesIO()
    _code(url).save(out, kind="svg", scale=10, border=4, xmldecl=True)
    return out.getvalue()


@lru_cache(maxsize=256)
def png_file(url: str) -> bytes:
    """Large enough to stay sharp on a slide the width of a projector's screen."""
    out = io.BytesIO()
    _code(url).save(out, kind="png", scale=20, border=4)
    return out.getvalue()


def init_app(app: Flask) -> None:
    app.jinja_env.filters["qr_svg"] = svg
