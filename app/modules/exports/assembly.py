"""From an `ExportSource` to what a renderer reads: the HTML of the PDF (and of the
standalone HTML export), the Markdown of pandoc and of the Markdown export, and the
job the worker runs.

Images live at `<MEDIA_DIR>/<document id>/<file>` and the text points at them as
`/documents/<document id>/media/<file>`. WeasyPrint gets that one folder through its
URL fetcher; pandoc, sandboxed, reads no file at all, so the images it needs travel
inside its input as data: URIs, as they do in the standalone HTML file."""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypandoc
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.core.export import (
    ExportOptions,
    ExportSource,
    Format,
    NotedSection,
    TextPart,
    document_markdown,
    fill_parts,
    inline_images,
    italian_quotes,
    media_reader,
    part_marker,
)
from app.modules.media.services import document_dir, media_url
from app.web.i18n import long_date

# A host that can never resolve (RFC 2606): relative addresses in the HTML resolve
# under it, and the worker's fetcher answers only for it.
ORIGIN = "https://tavolo.invalid"
FONTS_PREFIX = "/static/build/fonts/"
MODULE_DIR = Path(__file__).parent
# pandoc's Markdown with the extensions that matter for a policy text; raw HTML and raw
# blocks off, so nobody can slip OOXML or ODF markup (and its external links) into the file.
PANDOC_FROM = "commonmark_x-raw_html-raw_attribute-tex_math_dollars+yaml_metadata_block"


@dataclass(frozen=True)
class RenderedSection:
    anchor: str
    number: str
    title: str
    heading_level: int
    html: Markup


def media_prefix(document_id: int) -> str:
    return media_url(document_id, "")


def print_html(source: ExportSource, options: ExportOptions, standalone: bool = False) -> str:
    """The PDF's HTML; `standalone` gives the HTML export instead: the same page with a
    screen layout and its images inside the file."""
    page, parts = _page(source, options, standalone)
    html = fill_parts(page, parts)
    return _inline_images(html, source.document_id, 'src="') if standalone else html


def _page(
    source: ExportSource, options: ExportOptions, standalone: bool
) -> tuple[str, list[TextPart]]:
    """The page around the text, with a marker where each section and annex goes, and
    the parts that fill the markers. Footnotes go to the foot of the page in the PDF and
    stay at the end of their section in a web page, which has no foot."""
    own = source.document_id
    parts = [
        TextPart(
            part_marker(i), s.body, f"s{i + 1}", min(6, s.depth + 1), not standalone, own, s.notes
        )
        for i, s in enumerate(source.sections)
    ]
    annexes = [
        TextPart(part_marker(len(parts) + i), a.body, f"a{i}", 2, False, own)
        for i, a in enumerate(source.annexes)
    ]
    sections = [
        RenderedSection(
            anchor=f"sezione-{i + 1}",
            number=section.number,
            title=section.title,
            heading_level=part.heading_level,
            html=Markup(part.marker),
        )
        for i, (section, part) in enumerate(zip(source.sections, parts, strict=True))
    ]
    with force_locale(source.language):
        # Straight from the environment, without the context processors of the pages:
        # the exported document depends on its source alone, with or without a request.
        page = current_app.jinja_env.get_template("exports/document.html").render(
            source=source,
            options=options,
            sections=sections,
            annexes=[
                (annex, Markup(part.marker))
                for annex, part in zip(source.annexes, annexes, strict=True)
            ],
            standalone=standalone,
            typeset=_typeset_text,
            fonts=FONTS_PREFIX,
            media=media_prefix(source.document_id),
            cover_when=_cover_when(source),
            cover_status=_cover_status(source),
            # One sentence for translators; the counters are CSS, between the quotes of
            # the stylesheet's `content`.
            page_footer=_(
                "Pagina %(page)s di %(pages)s",
                page='" counter(page) "',
                pages='" counter(pages) "',
            ),
        )
    return page, parts + annexes


def _typeset_text(text: str) -> Markup:
    """Titles typed by people, escaped, then given the same quotes as the text."""
    return Markup(italian_quotes(str(escape(text))))


def _cover_when(source: ExportSource) -> str:
    """ "Sala consiliare, Lodi · 5 marzo 2026 – 6 marzo 2026", in the current locale."""
    dates = long_date(source.starts_on)
    if source.ends_on and source.ends_on != source.starts_on:
        dates = f"{dates} – {long_date(source.ends_on)}" if dates else long_date(source.ends_on)
    return " · ".join(part for part in (source.place, dates) if part)


def _cover_status(source: ExportSource) -> str:
    """Which text this is, and when it was exported, in the current locale."""
    if source.version_name:
        which = _("Versione «%(name)s»", name=source.version_name)
    elif source.status == "published":
        which = _("Testo pubblicato")
    elif source.status == "frozen":
        which = _("Testo congelato, versione per la firma")
    else:
        which = _("Bozza di lavoro")
    return f"{which} · {long_date(source.created_at)}"


def markdown_text(
    source: ExportSource, title_block: bool = True, noted: dict[int, str] | None = None
) -> str:
    """The Markdown export, the text as written; with `noted`, pandoc's input, where
    each section with notes stands as its marker."""
    with force_locale(source.language):
        return document_markdown(
            source, _date_text(source), title_block, noted.__getitem__ if noted else None
        )


def _date_text(source: ExportSource) -> str:
    return long_date(source.created_at)


def pandoc_job(source: ExportSource, fmt: Format) -> dict[str, Any]:
    """pandoc writes the text; the worker then adds the cover, the index, the header and
    footer and the properties (app/core/office.py), from `office`. The sections with
    notes travel apart, as typed: the worker places their notes (`noted`), and their
    markers are unguessable, so that no text typed in a section can stand for another."""
    nonce = secrets.token_hex(16)
    markers = {i: f"tavolo-{nonce}-{i}" for i, s in enumerate(source.sections) if s.notes}
    markdown = _inline_images(
        markdown_text(source, title_block=False, noted=markers), source.document_id, "]("
    )
    noted = [
        NotedSection(markers[i], s.body, s.depth, f"s{i + 1}", s.notes).as_dict()
        for i, s in enumerate(source.sections)
        if i in markers
    ]
    return {
        "renderer": "pandoc",
        "pandoc": pypandoc.get_pandoc_path(),
        "markdown": markdown,
        "noted": noted,
        "media_prefix": media_prefix(source.document_id),
        "from": PANDOC_FROM,
        "to": fmt.value,
        "args": [
            f"--reference-doc={_reference_doc(fmt)}",
            f"--lua-filter={MODULE_DIR / 'filter.lua'}",
            # pandoc's own heap limit, below the worker's address-space limit: it then
            # stops with a message instead of being killed.
            "+RTS",
            f"-M{max(64, int(current_app.config['EXPORT_MEMORY_LIMIT_MB']) - 100)}m",
            "-RTS",
        ],
        "office": office_job(source),
    }


def office_job(source: ExportSource) -> dict[str, Any]:
    """What the cover, the index, the header and footer and the properties of a DOCX or
    ODT say, in the document's language; the logos as files of the document's own media
    folder, the only files the worker reads for them."""
    folder = document_dir(source.document_id)
    with force_locale(source.language):
        return {
            "title": _typeset_plain(source.title),
            "subtitle": _typeset_plain(source.subtitle),
            "workshop": _typeset_plain(source.workshop_title),
            "when": _cover_when(source),
            "promoters_label": _("Promosso da"),
            "promoters": list(source.promoters),
            "status": _cover_status(source),
            "index_title": _("Indice"),
            # One sentence for translators; the worker puts the fields where {page} and
            # {pages} stand.
            "page_footer": _("Pagina %(page)s di %(pages)s", page="{page}", pages="{pages}"),
            "language": source.language,
            "creator": "; ".join(source.promoters) or source.workshop_title,
            "created": source.created_at.isoformat(),
            "media": str(folder),
            "logos": [{"file": logo.file_name, "alt": logo.alt} for logo in source.logos],
        }


def _typeset_plain(text: str) -> str:
    """The quotes of `_typeset_text`, for a text that is not HTML."""
    return html.unescape(italian_quotes(str(escape(text))))


def _reference_doc(fmt: Format) -> Path:
    return Path(current_app.config["DOCUMENT_TEMPLATES_DIR"]) / f"reference.{fmt.value}"


def pdf_job(source: ExportSource, options: ExportOptions) -> dict[str, Any]:
    """The page with its markers and the Markdown parts: the worker renders the text, so
    that the server's threads, busy with live editing, do not."""
    static = Path(current_app.static_folder or "static")
    page, parts = _page(source, options, standalone=False)
    return {
        "renderer": "weasyprint",
        "html": page,
        "parts": [part.as_dict() for part in parts],
        "base_url": ORIGIN,
        "roots": {
            FONTS_PREFIX: str(static / "build" / "fonts"),
            media_prefix(source.document_id): str(document_dir(source.document_id)),
        },
        "pdf_variant": _pdf_variant(options),
        "pdf_tags": options.pdf_tagged,
    }


def _pdf_variant(options: ExportOptions) -> str | None:
    """PDF/A-2b for the archive (tagged too when asked); otherwise a tagged PDF is made
    as PDF/UA-1, which also shows the title instead of the file name in readers."""
    if options.pdf_archival:
        return "pdf/a-2b"
    return "pdf/ua-1" if options.pdf_tagged else None


def _inline_images(text: str, document_id: int, opener: str) -> str:
    """Images of this document become data: URIs; any other address is left to the
    renderer, which refuses it."""
    read = media_reader(document_dir(document_id))
    return inline_images(text, opener, media_prefix(document_id), read)
