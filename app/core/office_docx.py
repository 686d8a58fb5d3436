"""The DOCX half of app/core/office.py: pandoc's file becomes one an office can hand on.

- A cover (logos, workshop, title, subtitle, place and dates, promoters, status line)
  and an index on a page of its own, before the text, which starts on the next page.
- The index is paragraphs in Word's "toc 1–3" styles, each a link to a bookmark on its
  heading and a PAGEREF field to it. Not a TOC field: LibreOffice shows a TOC field's
  cached entries as they are, page numbers included, while it lays PAGEREF fields out
  itself; Word refreshes them when it updates the fields on opening (`updateFields`,
  which makes it ask first). The cached numbers, for a reader that does neither, are
  an estimate (`PageEstimate`).
- Header with the title and footer «Pagina N di M» (PAGE and NUMPAGES fields), none on
  the cover (a different first page).
- The styles the cover, the index, the header and the footer use are added when the
  reference document lacks them, so the office can restyle every part; the text keeps
  pandoc's styles (Heading 1–6, Normal, Footnote Text...) and no direct formatting.
- Properties: title, subject, author, language, and the moment of the export (pandoc,
  sandboxed, has no clock and writes 1970-01-01)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.etree import ElementTree

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

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
HEADER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
FOOTER_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"
HEADER_PART, FOOTER_PART = "header-tavolo.xml", "footer-tavolo.xml"
HEADER_RID, FOOTER_RID = "rIdTavoloHeader", "rIdTavoloFooter"
DOCUMENT, STYLES, RELS = "word/document.xml", "word/styles.xml", "word/_rels/document.xml.rels"
TYPES, CORE, SETTINGS = "[Content_Types].xml", "docProps/core.xml", "word/settings.xml"
FOOTNOTES = "word/footnotes.xml"
EDITED = (DOCUMENT, STYLES, RELS, TYPES, CORE, SETTINGS)
EMU_PER_MM = 36000
EMU_PER_PT = 12700
# Word's hidden bookmarks of an index start with "_Toc"; the number keeps them apart
# from those Word makes later.
BOOKMARK = "_Toc9{:08d}"
# Drawing ids of the logos, far above those pandoc gives the text's pictures.
LOGO_DRAWING_ID = 90000

_HEADING_NAME = re.compile(r"heading ([1-9])$", re.IGNORECASE)
_PARAGRAPH = re.compile(r"<w:p>(<w:pPr>.*?</w:pPr>)(.*?)</w:p>", re.DOTALL)
_STYLE_REF = re.compile(r'<w:pStyle w:val="([^"]+)"\s*/>')
_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>|<w:(?:tab|br|cr)\b[^>]*/>")
_IDS = re.compile(r'\bw:id="(-?\d+)"')
_BLOCK = re.compile(r"<w:tbl>.*?</w:tbl>|<w:p\b.*?</w:p>|<w:p\b[^>]*/>", re.DOTALL)
_ROW = re.compile(r"<w:tr\b.*?</w:tr>", re.DOTALL)
_CELL = re.compile(r"<w:tc>.*?</w:tc>", re.DOTALL)
_NOTE_REF = re.compile(r'<w:footnoteReference w:id="(-?\d+)"')
_NOTE = re.compile(r'<w:footnote\b[^>]*w:id="(-?\d+)"[^>]*>(.*?)</w:footnote>', re.DOTALL)
_EXTENT = re.compile(r'<wp:extent cx="\d+" cy="(\d+)"')
_OUR_BOOKMARK = re.compile(r'<w:bookmarkStart w:id="\d+" w:name="(_Toc9\d{8})"/>')
_FIRST_BLOCK = re.compile(r"<w:p>|<w:p\s[^>]*>|<w:tbl>|<w:sectPr\b")
_BEFORE_PAGE_BREAK = re.compile(
    r"<w:pPr>(?:<w:pStyle[^>]*/>)?\s*(?:<w:keepNext[^>]*/>)?\s*(?:<w:keepLines[^>]*/>)?"
)
# What comes after w:titlePg in a w:sectPr, and after w:updateFields in w:settings: the
# schema fixes the order of their children, and Word holds a file to it.
_AFTER_TITLE_PAGE = re.compile(
    r"<w:(?:textDirection|bidi|rtlGutter|docGrid|printerSettings|sectPrChange)\b"
)
_AFTER_UPDATE_FIELDS = re.compile(
    r"<w:(?:hdrShapeDefaults|footnotePr|endnotePr|compat|docVars|rsids|mathPr|attachedSchema"
    r"|themeFontLang|clrSchemeMapping|doNotIncludeSubdocsInStats|doNotAutoCompressPictures"
    r"|forceUpgrade|captions|readModeInkLockDown|smartTagType|schemaLibrary"
    r"|shapeDefaults|doNotEmbedSmartTags|decimalSymbol|listSeparator)\b"
)


@dataclass(frozen=True)
class Styles:
    """Style ids in this document for the parts added here (its reference document may
    name them differently: "Titolo" in an Italian Word, say)."""

    title: str
    subtitle: str
    toc_heading: str
    toc: tuple[str, ...]
    header: str
    footer: str
    cover: dict[str, str]


@dataclass(frozen=True)
class StyleDefinition:
    """A paragraph style added when the document has none of that name: Word's own name
    for a built-in one (which Word and LibreOffice show translated), otherwise ours."""

    name: str
    style_id: str
    paragraph: str  # w:pPr content, in the schema's order
    run: str = ""  # w:rPr content, in the schema's order
    builtin: bool = False


def finish(source: BinaryIO | Path, target: Path, spec: Finish) -> None:
    """Writes at `target` the DOCX at `source` with its cover, index, header, footer
    and properties."""
    with zipfile.ZipFile(source) as archive:
        names = set(archive.namelist())
        parts = {n: archive.read(n).decode("utf-8") for n in (*EDITED, FOOTNOTES) if n in names}
        changed, added = finished(parts, spec)
        rewrite(archive, target, changed, added, spec.zip_time)


def finished(parts: dict[str, str], spec: Finish) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The parts that change and the parts added, from the package's XML parts."""
    known = _style_ids(parts[STYLES])
    levels = {
        style_id: int(found.group(1))
        for name, style_id in known.items()
        if (found := _HEADING_NAME.match(name)) and int(found.group(1)) <= INDEX_LEVELS
    }
    document = parts[DOCUMENT]
    styles_xml, styles = _with_styles(parts[STYLES], known, _text_width(document))
    document, headings = _bookmarked(document, levels)
    estimate = PageEstimate()
    blocks = _blocks(document, levels, _note_lengths(parts.get(FOOTNOTES, "")))
    pages = estimate.pages(blocks, first_page=2 + estimate.index_pages(headings))
    front = _cover(spec, styles) + _index(spec.index_title, headings, pages, styles)
    media = {
        f"media/logo-tavolo-{i}.{logo.extension}": logo for i, logo in enumerate(spec.logos, 1)
    }
    edited = {
        DOCUMENT: _with_header_footer(_with_front(document, front)),
        STYLES: styles_xml,
        RELS: _relationships(parts[RELS], list(media)),
        TYPES: _content_types(parts[TYPES], media.values()),
        CORE: _core(spec),
        SETTINGS: _settings(parts.get(SETTINGS, "")),
    }
    changed = {name: xml.encode("utf-8") for name, xml in edited.items() if name in parts}
    added = {
        f"word/{HEADER_PART}": _header(spec, styles).encode("utf-8"),
        f"word/{FOOTER_PART}": _footer(spec, styles).encode("utf-8"),
        **{f"word/{name}": logo.data for name, logo in media.items()},
    }
    return changed, added


def _plain(xml: str) -> str:
    """The words of a piece of WordprocessingML: its w:t, tabs and breaks as spaces."""
    return one_line("".join(unescaped(text) if text else " " for text in _TEXT.findall(xml)))


def _style_ids(styles_xml: str) -> dict[str, str]:
    """Lower-case name → id of each paragraph style."""
    found: dict[str, str] = {}
    for style in ElementTree.fromstring(styles_xml.encode("utf-8")).iter(f"{{{W}}}style"):
        name = style.find(f"{{{W}}}name")
        style_id = style.get(f"{{{W}}}styleId")
        if style.get(f"{{{W}}}type") == "paragraph" and name is not None and style_id:
            found.setdefault((name.get(f"{{{W}}}val") or "").lower(), style_id)
    return found


def _last_section(document: str) -> tuple[int, int]:
    """Where the body's own w:sectPr (pandoc's only one, last in the body) starts and
    ends, or (-1, -1)."""
    start = document.rfind("<w:sectPr")
    end = document.find("</w:sectPr>", start)
    if start == -1 or end == -1:
        return -1, -1
    return start, end + len("</w:sectPr>")


def _text_width(document: str) -> int:
    """Width of the text in twips, from the page size and margins of the body's section:
    where the index's page numbers stand."""
    start, end = _last_section(document)
    section = document[start:end] if start != -1 else ""
    size = re.search(r'<w:pgSz\b[^>]*\bw:w="(\d+)"', section)
    left = re.search(r'<w:pgMar\b[^>]*\bw:left="(\d+)"', section)
    right = re.search(r'<w:pgMar\b[^>]*\bw:right="(\d+)"', section)
    if not (size and left and right):
        return 9638  # A4 with 2 cm margins
    return int(size.group(1)) - int(left.group(1)) - int(right.group(1))


def _style_definitions(width: int) -> list[StyleDefinition]:
    tab = f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{width}"/></w:tabs>'
    grey = '<w:color w:val="5C6F82"/><w:sz w:val="17"/><w:szCs w:val="17"/>'
    tight = '<w:spacing w:before="0" w:after="40"/>'
    return [
        StyleDefinition(
            "toc 1",
            "TOC1",
            f'{tab}<w:spacing w:before="120" w:after="40"/>',
            "<w:b/><w:bCs/>",
            True,
        ),
        StyleDefinition("toc 2", "TOC2", f'{tab}{tight}<w:ind w:left="284"/>', builtin=True),
        StyleDefinition("toc 3", "TOC3", f'{tab}{tight}<w:ind w:left="567"/>', builtin=True),
        StyleDefinition("header", "Header", '<w:spacing w:before="0" w:after="0"/>', grey, True),
        StyleDefinition(
            "footer",
            "Footer",
            '<w:spacing w:before="0" w:after="0"/><w:jc w:val="center"/>',
            grey,
            True,
        ),
        StyleDefinition(
            "Copertina loghi", "CopertinaLoghi", '<w:spacing w:before="0" w:after="567"/>'
        ),
        StyleDefinition(
            "Copertina laboratorio",
            "CopertinaLaboratorio",
            '<w:spacing w:before="567" w:after="794"/>',
            '<w:b/><w:bCs/><w:caps/><w:color w:val="004D99"/><w:sz w:val="24"/>'
            '<w:szCs w:val="24"/>',
        ),
        StyleDefinition(
            "Copertina luogo e date",
            "CopertinaLuogoDate",
            '<w:spacing w:before="480" w:after="0"/>',
            '<w:sz w:val="24"/><w:szCs w:val="24"/>',
        ),
        StyleDefinition(
            "Copertina promotori titolo",
            "CopertinaPromotoriTitolo",
            '<w:pBdr><w:top w:val="single" w:sz="12" w:space="6" w:color="004D99"/></w:pBdr>'
            '<w:spacing w:before="3400" w:after="60"/>',
            '<w:caps/><w:color w:val="5C6F82"/><w:sz w:val="18"/><w:szCs w:val="18"/>',
        ),
        StyleDefinition(
            "Copertina promotori",
            "CopertinaPromotori",
            '<w:spacing w:before="0" w:after="20"/>',
            '<w:sz w:val="22"/><w:szCs w:val="22"/>',
        ),
        StyleDefinition(
            "Copertina stato",
            "CopertinaStato",
            '<w:spacing w:before="340" w:after="0"/>',
            '<w:color w:val="5C6F82"/><w:sz w:val="19"/><w:szCs w:val="19"/>',
        ),
    ]


def _with_styles(styles_xml: str, known: dict[str, str], width: int) -> tuple[str, Styles]:
    normal = known.get("normal", "Normal")
    added: list[str] = []
    ids: dict[str, str] = {}
    for style in _style_definitions(width):
        if style.name.lower() in known:
            ids[style.name] = known[style.name.lower()]
            continue
        ids[style.name] = style.style_id
        added.append(
            f'<w:style w:type="paragraph" w:customStyle="{0 if style.builtin else 1}" '
            f'w:styleId="{style.style_id}"><w:name w:val="{style.name}"/>'
            f'<w:basedOn w:val="{normal}"/><w:next w:val="{normal}"/>'
            f'<w:uiPriority w:val="39"/><w:qFormat/><w:pPr>{style.paragraph}</w:pPr>'
            f"<w:rPr>{style.run}</w:rPr></w:style>"
        )
    styles_xml = styles_xml.replace("</w:styles>", "".join(added) + "</w:styles>", 1)
    return styles_xml, Styles(
        title=known.get("title", "Title"),
        subtitle=known.get("subtitle", "Subtitle"),
        toc_heading=known.get("toc heading", "TOCHeading"),
        toc=(ids["toc 1"], ids["toc 2"], ids["toc 3"]),
        header=ids["header"],
        footer=ids["footer"],
        cover={name: ids[name] for name in ids if name.startswith("Copertina")},
    )


def _bookmarked(document: str, levels: dict[str, int]) -> tuple[str, list[Heading]]:
    """Each heading of levels 1–3 gets a bookmark the index points at."""
    headings: list[Heading] = []
    first_id = max((int(n) for n in _IDS.findall(document)), default=0) + 1

    def mark(match: re.Match[str]) -> str:
        properties, content = match.group(1), match.group(2)
        style = _STYLE_REF.search(properties)
        level = levels.get(style.group(1)) if style else None
        if level is None:
            return match.group(0)
        name = BOOKMARK.format(len(headings) + 1)
        mark_id = first_id + len(headings)
        headings.append(Heading(level, name, _plain(content)))
        return (
            f'<w:p>{properties}<w:bookmarkStart w:id="{mark_id}" w:name="{name}"/>'
            f'<w:bookmarkEnd w:id="{mark_id}"/>{content}</w:p>'
        )

    return _PARAGRAPH.sub(mark, document), headings


def _note_lengths(footnotes: str) -> dict[str, int]:
    return {note_id: len(_plain(body)) for note_id, body in _NOTE.findall(footnotes)}


def _blocks(document: str, levels: dict[str, int], notes: dict[str, int]) -> list[Block]:
    """The body as the page estimate reads it."""
    blocks: list[Block] = []
    for match in _BLOCK.finditer(document, document.find("<w:body>")):
        xml = match.group(0)
        note_chars = tuple(notes.get(n, 0) for n in _NOTE_REF.findall(xml))
        if xml.startswith("<w:tbl>"):
            blocks += [_row(row, notes) for row in _ROW.findall(xml)]
            continue
        style = _STYLE_REF.search(xml, 0, 300)
        bookmark = _OUR_BOOKMARK.search(xml)
        blocks.append(
            Block(
                chars=len(_plain(xml)),
                heading=levels.get(style.group(1), 0) if style else 0,
                picture_pt=sum(int(cy) for cy in _EXTENT.findall(xml)) / EMU_PER_PT,
                note_chars=note_chars,
                bookmark=bookmark.group(1) if bookmark else "",
            )
        )
    return blocks


def _row(xml: str, notes: dict[str, int]) -> Block:
    cells = tuple(len(_plain(cell)) for cell in _CELL.findall(xml)) or (0,)
    return Block(
        chars=sum(cells),
        cells=cells,
        note_chars=tuple(notes.get(n, 0) for n in _NOTE_REF.findall(xml)),
    )


def _run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{xml_text(one_line(text))}</w:t></w:r>'


def _paragraph(style: str, content: str, page_break: bool = False) -> str:
    brk = "<w:pageBreakBefore/>" if page_break else ""
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{brk}</w:pPr>{content}</w:p>'


def _cover(spec: Finish, styles: Styles) -> str:
    cover = styles.cover
    parts: list[str] = []
    if spec.logos:
        gap = '<w:r><w:t xml:space="preserve">    </w:t></w:r>'
        pictures = gap.join(_picture(logo, i) for i, logo in enumerate(spec.logos, start=1))
        parts.append(_paragraph(cover["Copertina loghi"], pictures))
    if one_line(spec.workshop):
        parts.append(_paragraph(cover["Copertina laboratorio"], _run(spec.workshop)))
    parts.append(_paragraph(styles.title, _run(spec.title)))
    if one_line(spec.subtitle):
        parts.append(_paragraph(styles.subtitle, _run(spec.subtitle)))
    if one_line(spec.when):
        parts.append(_paragraph(cover["Copertina luogo e date"], _run(spec.when)))
    promoters = [p for p in spec.promoters if one_line(p)]
    if promoters:
        parts.append(_paragraph(cover["Copertina promotori titolo"], _run(spec.promoters_label)))
        parts += [_paragraph(cover["Copertina promotori"], _run(p)) for p in promoters]
    parts.append(_paragraph(cover["Copertina stato"], _run(spec.status)))
    return "".join(parts)


def _picture(logo: Logo, index: int) -> str:
    """A logo inline in the text, as Word writes a picture; namespaces declared on the
    spot so that the piece stands whatever the document's root declares."""
    cx, cy = round(logo.width_mm * EMU_PER_MM), round(logo.height_mm * EMU_PER_MM)
    alt, drawing = xml_text(logo.alt), LOGO_DRAWING_ID + index
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    return (
        "<w:r><w:drawing>"
        '<wp:inline distT="0" distB="0" distL="0" distR="0" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
        f'<wp:extent cx="{cx}" cy="{cy}"/>'
        f'<wp:docPr id="{drawing}" name="Logo {index}" descr="{alt}"/>'
        f'<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1" xmlns:a="{a}"/>'
        f'</wp:cNvGraphicFramePr><a:graphic xmlns:a="{a}">'
        '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        f'<pic:nvPicPr><pic:cNvPr id="{drawing}" name="logo-tavolo-{index}" descr="{alt}"/>'
        '<pic:cNvPicPr><a:picLocks noChangeAspect="1"/></pic:cNvPicPr></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="rIdTavoloLogo{index}" xmlns:r="{R}"/>'
        "<a:stretch><a:fillRect/></a:stretch></pic:blipFill>"
        f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
        '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>'
        "</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )


def _field(instruction: str, cached: str) -> str:
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'<w:r><w:t>{cached}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def _index(title: str, headings: list[Heading], pages: dict[str, int], styles: Styles) -> str:
    entries = [_paragraph(styles.toc_heading, _run(title), page_break=True)]
    for heading in headings:
        page = _field(f"PAGEREF {heading.bookmark} \\h", str(pages.get(heading.bookmark, 2)))
        link = (
            f'<w:hyperlink w:anchor="{heading.bookmark}" w:history="1">{_run(heading.text)}'
            f"<w:r><w:tab/></w:r>{page}</w:hyperlink>"
        )
        entries.append(_paragraph(styles.toc[heading.level - 1], link))
    return "".join(entries)


def _with_front(document: str, front: str) -> str:
    """Cover and index first; the text starts on a new page."""
    body = re.search(r"<w:body\b[^>]*>", document)
    if body is None:
        raise ValueError("document.xml without w:body")
    start = body.end()
    rest = document[start:]
    first = _FIRST_BLOCK.search(rest)
    if first is None or not first.group(0).startswith("<w:p"):
        at = first.start() if first else len(rest)
        rest = rest[:at] + "<w:p><w:pPr><w:pageBreakBefore/></w:pPr></w:p>" + rest[at:]
    elif properties := _BEFORE_PAGE_BREAK.match(rest, first.end()):
        rest = rest[: properties.end()] + "<w:pageBreakBefore/>" + rest[properties.end() :]
    else:
        at = first.end()
        rest = rest[:at] + "<w:pPr><w:pageBreakBefore/></w:pPr>" + rest[at:]
    return document[:start] + front + rest


def _with_header_footer(document: str) -> str:
    """The body's section points at the header and the footer, and gives the first
    page, the cover, none of them."""
    start, end = _last_section(document)
    if start == -1:
        start = end = document.rindex("</w:body>")
        section = f"<w:sectPr>{_references()}<w:titlePg/></w:sectPr>"
        return document[:start] + section + document[end:]
    section = re.sub(r"<w:(?:header|footer)Reference\b[^>]*/>", "", document[start:end])
    # One section: Word numbers the notes 1, 2, 3... whether they restart at each section
    # or not, but LibreOffice reads "each section" as "each chapter" and starts again at
    # every Heading 1. The PDF numbers them through the document.
    section = re.sub(r'<w:numRestart w:val="eachSect"\s*/>', "", section)
    opening = section.index(">") + 1
    section = section[:opening] + _references() + section[opening:]
    if "<w:titlePg" not in section:
        after = _AFTER_TITLE_PAGE.search(section)
        at = after.start() if after else section.rindex("</w:sectPr>")
        section = section[:at] + "<w:titlePg/>" + section[at:]
    return document[:start] + section + document[end:]


def _references() -> str:
    return (
        f'<w:headerReference w:type="default" r:id="{HEADER_RID}" xmlns:r="{R}"/>'
        f'<w:footerReference w:type="default" r:id="{FOOTER_RID}" xmlns:r="{R}"/>'
    )


def _header(spec: Finish, styles: Styles) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:hdr xmlns:w="{W}" xmlns:r="{R}">'
        f"{_paragraph(styles.header, _run(shortened(spec.title)))}</w:hdr>"
    )


def _footer(spec: Finish, styles: Styles) -> str:
    fields = {"{page}": _field("PAGE", "1"), "{pages}": _field("NUMPAGES", "1")}
    content = "".join(
        fields.get(part) or f'<w:r><w:t xml:space="preserve">{xml_text(part)}</w:t></w:r>'
        for part in footer_parts(spec.page_footer)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:ftr xmlns:w="{W}" xmlns:r="{R}">{_paragraph(styles.footer, content)}</w:ftr>'
    )


def _relationships(rels: str, media: list[str]) -> str:
    added = [
        f'<Relationship Id="{HEADER_RID}" Type="{RELATIONSHIP}header" Target="{HEADER_PART}"/>',
        f'<Relationship Id="{FOOTER_RID}" Type="{RELATIONSHIP}footer" Target="{FOOTER_PART}"/>',
    ]
    added += [
        f'<Relationship Id="rIdTavoloLogo{i}" Type="{RELATIONSHIP}image" Target="{name}"/>'
        for i, name in enumerate(media, start=1)
    ]
    return rels.replace("</Relationships>", "".join(added) + "</Relationships>", 1)


def _content_types(types: str, logos: Iterable[Logo]) -> str:
    added = [
        f'<Override PartName="/word/{HEADER_PART}" ContentType="{HEADER_TYPE}"/>',
        f'<Override PartName="/word/{FOOTER_PART}" ContentType="{FOOTER_TYPE}"/>',
    ]
    for extension, mime in sorted({(logo.extension, logo.mime) for logo in logos}):
        if not re.search(rf'Extension="{extension}"', types, re.IGNORECASE):
            added.append(f'<Default Extension="{extension}" ContentType="{mime}"/>')
    return types.replace("</Types>", "".join(added) + "</Types>", 1)


def _settings(settings: str) -> str:
    """Word updates every field when it opens the file (it asks first): the index's page
    numbers become its own."""
    if not settings or "<w:updateFields" in settings:
        return settings
    after = _AFTER_UPDATE_FIELDS.search(settings)
    at = after.start() if after else settings.rindex("</w:settings>")
    return settings[:at] + '<w:updateFields w:val="true"/>' + settings[at:]


def _core(spec: Finish) -> str:
    stamp, creator = spec.timestamp, xml_text(one_line(spec.creator))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{xml_text(one_line(spec.title))}</dc:title>"
        f"<dc:subject>{xml_text(one_line(spec.subtitle))}</dc:subject>"
        f"<dc:creator>{creator}</dc:creator>"
        f"<dc:description>{xml_text(one_line(spec.workshop))}</dc:description>"
        f"<cp:lastModifiedBy>{creator}</cp:lastModifiedBy>"
        f"<dc:language>{xml_text(spec.language)}</dc:language>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )
