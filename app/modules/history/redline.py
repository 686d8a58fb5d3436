"""The comparison of two versions as a file for the institutions that want to see what
changed: a standalone HTML page and a PDF made from it, insertions underlined and
deletions struck through, readable when printed in black and white."""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from app.core.render import slugify
from app.modules.documents.models import Document
from app.web.blocking import off_the_event_loop


class NothingToFetch(URLFetcher):
    """The page carries its styles inline and shows the text as typed, with no images:
    refusing every URL keeps a link typed into a section from ever making the renderer
    read a local file or call out."""

    def fetch(self, url, headers=None):  # type: ignore[no-untyped-def]
        raise ValueError(f"The comparison fetches nothing: {url}")


def render_pdf(html: str) -> bytes:
    return off_the_event_loop(
        lambda: HTML(string=html, url_fetcher=NothingToFetch(fail_on_errors=True)).write_pdf(
            pdf_tags=True
        )
    )


def file_name(document: Document, fmt: str) -> str:
    return f"{slugify(document.title, fallback='documento', max_length=60)}-confronto.{fmt}"
