"""The printable invitation sheet: one card per person with their link as text and as a
QR code, because the venue often has no e-mail and phones can read a printed code."""

from __future__ import annotations

import segno
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from app.web.blocking import off_the_event_loop


class NothingToFetch(URLFetcher):
    """The sheet carries its styles and codes inline. Refusing every URL keeps a name
    typed into a list from ever making the renderer read a local file or call out,
    and makes a template that grows an external reference fail loudly."""

    def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
        raise ValueError(f"The invitation sheet fetches nothing: {url}")


def qr_svg(url: str) -> Markup:
    """Inline SVG, sized by the stylesheet; medium error correction survives a crease
    or a coffee stain on the printed card."""
    code = segno.make(url, error="m", micro=False)
    return Markup(code.svg_inline(border=2, omitsize=True, svgclass="qr", lineclass=None))


def render_pdf(html: str) -> bytes:
    return off_the_event_loop(
        lambda: HTML(string=html, url_fetcher=NothingToFetch(fail_on_errors=True)).write_pdf(
            pdf_tags=True
        )
    )
