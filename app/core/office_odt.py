"""The ODT half of app/core/office.py: pandoc's file becomes one an office can hand on.

- A cover on the "First Page" page style (no header, no footer), then the index on a
  new page, then the text on another, on the "Standard" page style.
- The index is a real table of contents (LibreOffice can update it) whose body is
  already filled in: one entry per heading of levels 1–3, a link to a bookmark on the
  heading and a page reference field to it, which LibreOffice lays out itself. The
  cached numbers, for a reader that does not, are an estimate (`PageEstimate`).
- Header with the title and footer «Pagina N di M» (page-number and page-count fields)
  on the "Standard" page style.
- The styles used by the cover, the index and the header are added when the reference
  document lacks them; the text keeps pandoc's styles, with no direct formatting.
- meta.xml: title, subject, author, language and the moment of the export (pandoc,
  sandboxed, has no clock and writes 1970-01-01)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import BinaryIO

from app.core.office import (
    INDEX_LEVELS,
    Block,
    Finish,
    Heading,
    Logo,
    PageEstimate,
    footer_parts,
    one_line,
    rewrite,
    shortened,
    unescaped,
    xml_text,
)

CONTENT, STYLES, META, MANIFEST = "content.xml", "styles.xml", "meta.xml", "META-INF/manifest.xml"
BOOKMARK = "__RefHeading___Toc9{:08d}"
COVER_PAGE = "First_20_Page"
MM_PER = {"in": 25.4, "cm": 10.0, "mm": 1.0, "pt": 25.4 / 72}
PT_PER_MM = 72 / 25.4

_HEADING = re.compile(
    r'(<text:h\b[^>]*\btext:outline-level="(\d+)"[^>]*>)(.*?)(</text:h>)', re.DOTALL
)
_NOTE = re.compile(r"<text:note\b.*?</text:note>", re.DOTALL)
_CITATION = re.compile(r"<text:note-citation\b.*?</text:note-citation>", re.DOTALL)
_SPACE = re.compile(r'<text:s(?:\s+text:c="(\d+)")?\s*/>')
_BREAK = re.compile(r"<text:(?:tab|line-break)\s*/>")
_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(
    r"<table:table-row\b.*?</table:table-row>|<text:h\b.*?</text:h>"
    r"|<text:p\b[^>]*/>|<text:p\b.*?</text:p>",
    re.DOTALL,
)
_CELL = re.compile(
    r"<table:table-cell\b.*?</table:table-cell>|<table:table-cell\b[^>]*/>", re.DOTALL
)
_NOTE_MARK = re.compile(r'<tavolo-note n="(\d+)"/>')
_LEVEL = re.compile(r'<text:h\b[^>]*\btext:outline-level="(\d+)"')
_OUR_BOOKMARK = re.compile(r'<text:bookmark text:name="(__RefHeading___Toc9\d{8})"/>')
_FRAME_HEIGHT = re.compile(r'<draw:frame\b[^>]*\bsvg:height="([\d.]+)(in|cm|mm|pt)"')
_FIRST_BLOCK = re.compile(r'<text:(?:p|h)\b[^>]*?text:style-name="([^"]*)"')
_STANDARD_PAGE = re.compile(
    r'<style:master-page\b[^>]*style:name="Standard"[^>]*?(?:/>|>.*?</style:master-page>)',
    re.DOTALL,
)
_FOOTER_STYLE = re.compile(r'<style:footer>\s*<text:p text:style-name="([^"]+)"')


def finish(source: BinaryIO | Path, target: Path, spec: Finish) -> None:
    """Writes at `target` the ODT at `source` with its cover, index, header, footer and
    properties."""
    with zipfile.ZipFile(source) as archive:
        names = set(archive.namelist())
        parts = {
            n: archive.read(n).decode("utf-8")
            for n in (CONTENT, STYLES, META, MANIFEST)
            if n in names
        }
        changed, added = finished(parts, spec)
        rewrite(archive, target, changed, added, spec.zip_time)


def finished(parts: dict[str, str], spec: Finish) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The parts that change and the parts added, from the package's XML parts."""
    content, headings = _bookmarked(parts[CONTENT])
    estimate = PageEstimate()
    pages = estimate.pages(_blocks(content), first_page=2 + estimate.index_pages(headings))
    pictures = {
        f"Pictures/logo-tavolo-{i}.{logo.extension}": logo for i, logo in enumerate(spec.logos, 1)
    }
    edited = {
        CONTENT: _with_front(
            content, spec, _index(spec.index_title, headings, pages), list(pictures)
        ),
        STYLES: _styles(parts[STYLES], spec),
        MANIFEST: _manifest(parts[MANIFEST], pictures),
        META: _meta(spec, _version(parts.get(META) or parts[CONTENT])),
    }
    changed = {name: xml.encode("utf-8") for name, xml in edited.items() if name in parts}
    added = {name: logo.data for name, logo in pictures.items()}
    if META not in parts:
        added[META] = edited[META].encode("utf-8")
    return changed, added


def _plain(xml: str) -> str:
    """The words of a piece of ODF text, without its notes."""
    xml = _SPACE.sub(lambda m: " " * int(m.group(1) or 1), _NOTE.sub("", xml))
    return one_line(unescaped(_TAG.sub("", _BREAK.sub(" ", xml))))


def _bookmarked(content: str) -> tuple[str, list[Heading]]:
    """Each heading of levels 1–3 gets a bookmark the index points at."""
    headings: list[Heading] = []

    def mark(match: re.Match[str]) -> str:
        opening, level, inside, closing = match.groups()
        if int(level) > INDEX_LEVELS:
            return match.group(0)
        name = BOOKMARK.format(len(headings) + 1)
        headings.append(Heading(int(level), name, _plain(inside)))
        return f'{opening}<text:bookmark text:name="{name}"/>{inside}{closing}'

    return _HEADING.sub(mark, content), headings


def _blocks(content: str) -> list[Block]:
    """The body as the page estimate reads it; each note becomes a mark with its length
    first, so that a note's paragraphs are not taken for the text's."""
    body = _NOTE.sub(
        lambda m: f'<tavolo-note n="{len(_plain(_CITATION.sub("", m.group(0))))}"/>',
        content[content.find("<office:text") :],
    )
    blocks: list[Block] = []
    for match in _BLOCK.finditer(body):
        xml = match.group(0)
        notes = tuple(int(n) for n in _NOTE_MARK.findall(xml))
        if xml.startswith("<table:table-row"):
            cells = tuple(len(_plain(cell)) for cell in _CELL.findall(xml)) or (0,)
            blocks.append(Block(chars=sum(cells), cells=cells, note_chars=notes))
            continue
        level = _LEVEL.match(xml)
        bookmark = _OUR_BOOKMARK.search(xml)
        blocks.append(
            Block(
                chars=len(_plain(xml)),
                heading=int(level.group(1)) if level else 0,
                picture_pt=sum(
                    float(size) * MM_PER[unit] * PT_PER_MM
                    for size, unit in _FRAME_HEIGHT.findall(xml)
                ),
                note_chars=notes,
                bookmark=bookmark.group(1) if bookmark else "",
            )
        )
    return blocks


def _p(style: str, content: str) -> str:
    return f'<text:p text:style-name="{style}">{content}</text:p>'


def _cover(spec: Finish, pictures: list[str]) -> list[tuple[str, str]]:
    """(style, content) of each paragraph of the cover."""
    parts: list[tuple[str, str]] = []
    if spec.logos:
        frames = '<text:s text:c="4"/>'.join(
            _frame(logo, name, index)
            for index, (logo, name) in enumerate(zip(spec.logos, pictures, strict=True), 1)
        )
        parts.append(("Copertina_20_loghi", frames))
    if one_line(spec.workshop):
        parts.append(("Copertina_20_laboratorio", xml_text(one_line(spec.workshop))))
    parts.append(("Title", xml_text(one_line(spec.title))))
    if one_line(spec.subtitle):
        parts.append(("Subtitle", xml_text(one_line(spec.subtitle))))
    if one_line(spec.when):
        parts.append(("Copertina_20_luogo_20_e_20_date", xml_text(one_line(spec.when))))
    promoters = [xml_text(one_line(p)) for p in spec.promoters if one_line(p)]
    if promoters:
        label = xml_text(one_line(spec.promoters_label))
        parts.append(("Copertina_20_promotori_20_titolo", label))
        parts += [("Copertina_20_promotori", promoter) for promoter in promoters]
    parts.append(("Copertina_20_stato", xml_text(one_line(spec.status))))
    return parts


def _frame(logo: Logo, name: str, index: int) -> str:
    alt = xml_text(logo.alt)
    return (
        f'<draw:frame draw:style-name="TavoloLogo" draw:name="Logo {index}" '
        f'text:anchor-type="as-char" svg:width="{logo.width_mm:.2f}mm" '
        f'svg:height="{logo.height_mm:.2f}mm" draw:z-index="0">'
        f'<draw:image xlink:href="{name}" xlink:type="simple" xlink:show="embed" '
        f'xlink:actuate="onLoad" draw:mime-type="{logo.mime}"/>'
        f"<svg:title>{alt}</svg:title><svg:desc>{alt}</svg:desc></draw:frame>"
    )


def _index(title: str, headings: list[Heading], pages: dict[str, int]) -> str:
    """The table of contents: how LibreOffice makes it again when asked to update it,
    and its entries as they are now."""
    templates = "".join(
        f'<text:table-of-content-entry-template text:outline-level="{level}" '
        f'text:style-name="Contents_20_{level}">'
        '<text:index-entry-link-start text:style-name="Index_20_Link"/><text:index-entry-text/>'
        '<text:index-entry-tab-stop style:type="right" style:leader-char="."/>'
        "<text:index-entry-page-number/><text:index-entry-link-end/>"
        "</text:table-of-content-entry-template>"
        for level in range(1, INDEX_LEVELS + 1)
    )
    entries = "".join(
        _p(
            f"Contents_20_{h.level}",
            f'<text:a xlink:type="simple" xlink:href="#{h.bookmark}" '
            'text:style-name="Index_20_Link" text:visited-style-name="Index_20_Link">'
            f'{xml_text(h.text)}<text:tab/><text:bookmark-ref text:reference-format="page" '
            f'text:ref-name="{h.bookmark}">{pages.get(h.bookmark, 2)}</text:bookmark-ref>'
            "</text:a>",
        )
        for h in headings
    )
    name = xml_text(one_line(title)) or "Index"
    return (
        f'<text:table-of-content text:protected="true" text:name="{name}">'
        f'<text:table-of-content-source text:outline-level="{INDEX_LEVELS}">'
        f'<text:index-title-template text:style-name="Contents_20_Heading">{name}'
        f"</text:index-title-template>{templates}</text:table-of-content-source>"
        f'<text:index-body><text:index-title text:name="{name}_Head">'
        f"{_p('Contents_20_Heading', name)}</text:index-title>{entries}</text:index-body>"
        "</text:table-of-content>"
    )


def _with_front(content: str, spec: Finish, index: str, pictures: list[str]) -> str:
    """Cover, index, text: the cover's first paragraph opens the "First Page" page
    style, its last closes the page, the text's first opens a new one. Those three take
    automatic styles on top of their own, as LibreOffice writes page breaks."""
    (first_style, first), *middle, (last_style, last) = _cover(spec, pictures)
    body = re.search(r"<office:text\b[^>]*>", content)
    if body is None:
        raise ValueError("content.xml without office:text")
    start = body.end()
    rest = content[start:]
    automatic = [
        _automatic("TavoloCoverStart", first_style, f'style:master-page-name="{COVER_PAGE}"'),
        _automatic("TavoloCoverEnd", last_style, "", 'fo:break-after="page"'),
        '<style:style style:name="TavoloLogo" style:family="graphic">'
        '<style:graphic-properties style:vertical-pos="middle" style:vertical-rel="text" '
        'fo:margin-left="0mm" fo:margin-right="0mm" style:wrap="none"/></style:style>',
    ]
    if opening := _FIRST_BLOCK.search(rest):
        automatic.append(
            _automatic("TavoloTextStart", opening.group(1), "", 'fo:break-before="page"')
        )
        rest = rest[: opening.start(1)] + "TavoloTextStart" + rest[opening.end(1) :]
    front = (
        _p("TavoloCoverStart", first)
        + "".join(_p(style, text) for style, text in middle)
        + _p("TavoloCoverEnd", last)
        + index
    )
    content = content[:start] + front + rest
    styles = "".join(automatic)
    if "</office:automatic-styles>" in content:
        return content.replace(
            "</office:automatic-styles>", f"{styles}</office:automatic-styles>", 1
        )
    return content.replace(
        "<office:body>",
        f"<office:automatic-styles>{styles}</office:automatic-styles><office:body>",
        1,
    )


def _automatic(name: str, parent: str, attributes: str = "", paragraph: str = "") -> str:
    properties = f"<style:paragraph-properties {paragraph}/>" if paragraph else ""
    return (
        f'<style:style style:name="{name}" style:family="paragraph" '
        f'style:parent-style-name="{parent}" {attributes}>{properties}</style:style>'
    )


def _styles(styles: str, spec: Finish) -> str:
    width = _text_width_mm(styles)
    missing = [
        definition
        for name, definition in _style_definitions(width)
        if f'style:name="{name}"' not in styles
    ]
    styles = styles.replace("</office:styles>", "".join(missing) + "</office:styles>", 1)
    return _master_pages(styles, spec)


def _text_width_mm(styles: str) -> float:
    """Width of the text of the "Standard" page style: where the index's page numbers
    stand."""
    master = _STANDARD_PAGE.search(styles)
    layout = re.search(r'style:page-layout-name="([^"]+)"', master.group(0)) if master else None
    properties = (
        re.search(
            rf'<style:page-layout\b[^>]*style:name="{re.escape(layout.group(1))}".*?'
            r"<style:page-layout-properties\b([^>]*)>",
            styles,
            re.DOTALL,
        )
        if layout
        else None
    )

    def length(attribute: str, default: float) -> float:
        found = (
            re.search(rf'{attribute}="([\d.]+)(in|cm|mm|pt)"', properties.group(1))
            if properties
            else None
        )
        return float(found.group(1)) * MM_PER[found.group(2)] if found else default

    return (
        length("fo:page-width", 210) - length("fo:margin-left", 20) - length("fo:margin-right", 20)
    )


def _paragraph_style(name: str, paragraph: str, text: str = "") -> tuple[str, str]:
    display = name.replace("_20_", " ")
    return name, (
        f'<style:style style:name="{name}" style:display-name="{display}" '
        'style:family="paragraph" style:parent-style-name="Standard">'
        f"<style:paragraph-properties {paragraph}/><style:text-properties {text}/>"
        "</style:style>"
    )


def _contents_style(level: int, indent_mm: float, width_mm: float) -> tuple[str, str]:
    """An index entry's style: indented by level, the page number at the right margin
    after dots (tab positions count from the paragraph's indent)."""
    weight = 'fo:font-weight="bold"' if level == 1 else ""
    return f"Contents_20_{level}", (
        f'<style:style style:name="Contents_20_{level}" style:display-name="Contents {level}" '
        'style:family="paragraph" style:parent-style-name="Standard" style:class="index">'
        f'<style:paragraph-properties fo:margin-left="{indent_mm:.1f}mm" fo:margin-right="0mm" '
        f'fo:text-indent="0mm" fo:margin-top="{2 if level == 1 else 0}mm" '
        'fo:margin-bottom="0.7mm"><style:tab-stops>'
        f'<style:tab-stop style:position="{width_mm - indent_mm:.1f}mm" style:type="right" '
        'style:leader-style="dotted" style:leader-text="."/></style:tab-stops>'
        f"</style:paragraph-properties><style:text-properties {weight}/></style:style>"
    )


def _style_definitions(width_mm: float) -> list[tuple[str, str]]:
    """(name, definition) of each style the added parts use: LibreOffice's own names for
    its built-in ones (it shows them translated), ours for the cover's. The looks of
    the PDF's cover (templates/exports/print.css)."""
    grey = 'fo:color="#5c6f82" fo:font-size="8.5pt"'
    return [
        _paragraph_style(
            "Title",
            'fo:text-align="start" fo:margin-top="0mm" fo:margin-bottom="6mm"',
            'fo:font-size="24pt" fo:font-weight="bold" fo:color="#17324d"',
        ),
        _paragraph_style(
            "Subtitle",
            'fo:text-align="start" fo:margin-top="0mm" fo:margin-bottom="4mm"',
            'fo:font-size="14pt" fo:color="#004d99"',
        ),
        _paragraph_style(
            "Contents_20_Heading",
            'fo:margin-top="0mm" fo:margin-bottom="6mm"',
            'fo:font-size="16pt" fo:font-weight="bold" fo:color="#17324d"',
        ),
        _contents_style(1, 0, width_mm),
        _contents_style(2, 5, width_mm),
        _contents_style(3, 10, width_mm),
        (
            "Index_20_Link",
            '<style:style style:name="Index_20_Link" style:display-name="Index Link" '
            'style:family="text"/>',
        ),
        _paragraph_style("Header", 'fo:margin-bottom="0mm"', grey),
        _paragraph_style("Footer", 'fo:text-align="center"', grey),
        _paragraph_style("Copertina_20_loghi", 'fo:margin-bottom="10mm"'),
        _paragraph_style(
            "Copertina_20_laboratorio",
            'fo:margin-top="10mm" fo:margin-bottom="14mm"',
            'fo:font-size="12pt" fo:font-weight="bold" fo:color="#004d99" '
            'fo:text-transform="uppercase"',
        ),
        _paragraph_style(
            "Copertina_20_luogo_20_e_20_date",
            'fo:margin-top="8mm" fo:margin-bottom="0mm"',
            'fo:font-size="12pt"',
        ),
        _paragraph_style(
            "Copertina_20_promotori_20_titolo",
            'fo:margin-top="60mm" fo:margin-bottom="1mm" fo:padding-top="2mm" '
            'fo:border-top="1.5pt solid #004d99"',
            'fo:font-size="9pt" fo:color="#5c6f82" fo:text-transform="uppercase"',
        ),
        _paragraph_style(
            "Copertina_20_promotori",
            'fo:margin-top="0mm" fo:margin-bottom="0.5mm"',
            'fo:font-size="11pt"',
        ),
        _paragraph_style(
            "Copertina_20_stato",
            'fo:margin-top="6mm" fo:margin-bottom="0mm"',
            'fo:font-size="9.5pt" fo:color="#5c6f82"',
        ),
    ]


def _master_pages(styles: str, spec: Finish) -> str:
    """The text's page style gets the header and the footer (and room for a header);
    the cover's page style, "First Page", has neither and is followed by the text's."""
    master = _STANDARD_PAGE.search(styles)
    if master is None:
        return styles
    tag = master.group(0)
    opening = tag[: tag.index(">")].removesuffix("/").rstrip()
    layout = re.search(r'style:page-layout-name="([^"]+)"', master.group(0))
    footer_style = _FOOTER_STYLE.search(master.group(0))
    header = _p("Header", xml_text(shortened(spec.title)))
    footer = _p(footer_style.group(1) if footer_style else "Footer", _footer(spec))
    pages = (
        f"{opening}><style:header>{header}</style:header>"
        f"<style:footer>{footer}</style:footer></style:master-page>"
    )
    if f'style:name="{COVER_PAGE}"' not in styles and layout:
        pages += (
            f'<style:master-page style:name="{COVER_PAGE}" style:display-name="First Page" '
            f'style:page-layout-name="{layout.group(1)}" style:next-style-name="Standard"/>'
        )
    styles = styles[: master.start()] + pages + styles[master.end() :]
    return _with_header_area(styles, layout.group(1)) if layout else styles


def _with_header_area(styles: str, layout: str) -> str:
    """A page style without room for a header (pandoc's default) gets some; one the
    reference document already sized is left alone."""
    found = re.search(
        rf'<style:page-layout\b[^>]*style:name="{re.escape(layout)}".*?</style:page-layout>',
        styles,
        re.DOTALL,
    )
    if found is None or re.search(
        r"<style:header-style>\s*<style:header-footer-properties", found.group(0)
    ):
        return styles
    area = (
        '<style:header-style><style:header-footer-properties fo:min-height="0mm" '
        'fo:margin-bottom="6mm" style:dynamic-spacing="false"/></style:header-style>'
    )
    page = re.sub(
        r"<style:header-style\s*/>|<style:header-style>\s*</style:header-style>", "", found.group(0)
    )
    footer = page.find("<style:footer-style")
    at = footer if footer != -1 else page.rindex("</style:page-layout>")
    page = page[:at] + area + page[at:]
    return styles[: found.start()] + page + styles[found.end() :]


def _footer(spec: Finish) -> str:
    fields = {
        "{page}": '<text:page-number text:select-page="current">1</text:page-number>',
        "{pages}": "<text:page-count>1</text:page-count>",
    }
    return "".join(fields.get(part) or xml_text(part) for part in footer_parts(spec.page_footer))


def _manifest(manifest: str, pictures: dict[str, Logo]) -> str:
    entries = "".join(
        f'<manifest:file-entry manifest:full-path="{name}" manifest:media-type="{logo.mime}"/>'
        for name, logo in pictures.items()
    )
    return manifest.replace("</manifest:manifest>", entries + "</manifest:manifest>", 1)


def _version(xml: str) -> str:
    found = re.search(r'office:version="([\d.]+)"', xml)
    return found.group(1) if found else "1.3"


def _meta(spec: Finish, version: str) -> str:
    stamp, creator = spec.timestamp, xml_text(one_line(spec.creator))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
        f'office:version="{version}"><office:meta>'
        "<meta:generator>Tavolo</meta:generator>"
        f"<dc:title>{xml_text(one_line(spec.title))}</dc:title>"
        f"<dc:subject>{xml_text(one_line(spec.subtitle))}</dc:subject>"
        f"<dc:description>{xml_text(one_line(spec.workshop))}</dc:description>"
        f"<meta:initial-creator>{creator}</meta:initial-creator>"
        f"<dc:creator>{creator}</dc:creator>"
        f"<meta:creation-date>{stamp}</meta:creation-date>"
        f"<dc:date>{stamp}</dc:date>"
        f"<dc:language>{xml_text(spec.language)}</dc:language>"
        "</office:meta></office:document-meta>"
    )
