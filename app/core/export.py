"""The pure half of exporting a document: what the exported text is, how it is hashed,
how the exported file is named, and how the Markdown handed to pandoc is assembled.

The same `ExportSource` feeds every format, so the PDF, the DOCX and the Markdown file
of one export carry the same text and the same SHA-256 in their colophon."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.core.footnotes import BodyNote, annotate
from app.core.importing import MEDIA_NAME, MEDIA_TYPES
from app.core.render import NOTE_LABEL_MAX, escape_markdown, render_markdown, slugify


class Format(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    ODT = "odt"
    MARKDOWN = "md"
    HTML = "html"

    @property
    def mimetype(self) -> str:
        return _MIMETYPES[self]


_MIMETYPES = {
    Format.PDF: "application/pdf",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Format.ODT: "application/vnd.oasis.opendocument.text",
    Format.MARKDOWN: "text/markdown; charset=utf-8",
    Format.HTML: "text/html; charset=utf-8",
}

# The formats the institutions download from the public page.
PUBLIC_FORMATS = (Format.PDF, Format.DOCX)


@dataclass(frozen=True)
class SourceSection:
    number: str  # "2.1": numbering of the outline, shared with the document page
    title: str
    depth: int  # 1 for a top-level section, after the outline smoothed level jumps
    body: str  # Markdown as typed
    notes: tuple[BodyNote, ...] = field(default=())


@dataclass(frozen=True)
class Annex:
    """A part after the text (participants, votes, commitments...), written in
    Markdown so that every format renders it the way it renders the sections."""

    key: str
    title: str
    body: str


@dataclass(frozen=True)
class CoverLogo:
    """A logo on the cover: a media file of the document, and the organisation's name,
    read aloud in place of the picture."""

    file_name: str
    alt: str


@dataclass(frozen=True)
class ExportSource:
    document_id: int
    title: str
    subtitle: str
    language: str
    workshop_title: str
    place: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    promoters: tuple[str, ...]
    sections: tuple[SourceSection, ...]
    status: str  # draft, frozen or published: which text this is
    version_name: str | None
    created_at: dt.datetime
    annexes: tuple[Annex, ...] = field(default=())
    logos: tuple[CoverLogo, ...] = field(default=())

    @property
    def text_sha256(self) -> str:
        return text_sha256(self.sections)


@dataclass(frozen=True)
class ExportOptions:
    format: Format
    annexes: frozenset[str] = frozenset()
    notes: frozenset[str] = frozenset()  # keys of the note providers asked for
    colophon: bool = True
    pdf_archival: bool = False  # PDF/A-2b
    pdf_tagged: bool = True  # tagged PDF (PDF/UA-1)


def numbered(number: str, title: str) -> str:
    """The heading "2.1 Obiettivi", or the title alone in a document that keeps its own
    numbers."""
    return f"{number} {title}" if number else title


def canonical_text(sections: Iterable[SourceSection]) -> str:
    """The text the seal is computed on: numbers, titles and bodies, nothing about the
    moment or the format of the export, so a DOCX and a PDF of the same frozen text
    show the same SHA-256, and anyone can recompute it from the Markdown export."""
    parts = [f"{numbered(s.number, s.title)}\n\n{_normalised_body(s.body)}" for s in sections]
    return "\n\n".join(parts) + "\n"


def _normalised_body(body: str) -> str:
    # Line endings differ between the browsers people type in; the text does not.
    return body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")


def text_sha256(sections: Iterable[SourceSection]) -> str:
    return hashlib.sha256(canonical_text(sections).encode("utf-8")).hexdigest()


def export_filename(
    document_id: int,
    title: str,
    version_name: str | None,
    when: dt.datetime,
    fmt: Format,
    taken: Iterable[str] = (),
) -> str:
    """ "12-piano-di-salute-versione-finale-2026-11-23-1422.pdf": what, which text and
    when, readable in a mail attachment; only slugs and digits, so no title ever
    becomes a path; a counter keeps two exports of the same minute apart."""
    parts = [str(document_id), slugify(title, fallback="documento", max_length=60)]
    if version_name:
        parts.append(slugify(version_name, fallback="versione", max_length=40))
    parts.append(when.strftime("%Y-%m-%d-%H%M"))
    stem = "-".join(parts)
    used = set(taken)
    candidate, n = f"{stem}.{fmt.value}", 2
    while candidate in used:
        candidate, n = f"{stem}-{n}.{fmt.value}", n + 1
    return candidate


@dataclass(frozen=True)
class Participant:
    name: str
    organisation: str
    category: str
    present: bool = True  # False: invited, and never marked present in the register


def participants_markdown(
    participants: Sequence[Participant],
    no_category: str,
    no_organisation: str,
    absent_mark: str = "",
) -> str:
    """Grouped by stakeholder category, then organisation, then name, each sorted
    ignoring case and accents as an Italian reader expects ("Èupolis" near "Ente").
    The name of someone invited who was never in the room carries `absent_mark`."""
    groups: dict[str, dict[str, list[str]]] = {}
    for p in participants:
        category = p.category.strip() or no_category
        organisation = p.organisation.strip() or no_organisation
        name = p.name.strip() if p.present else f"{p.name.strip()} {absent_mark}".rstrip()
        groups.setdefault(category, {}).setdefault(organisation, []).append(name)
    lines: list[str] = []
    for category in sorted(groups, key=_sort_key):
        lines.append(f"**{escape_markdown(category)}**\n")
        for organisation in sorted(groups[category], key=_sort_key):
            names = ", ".join(
                escape_markdown(n) for n in sorted(groups[category][organisation], key=_sort_key)
            )
            lines.append(f"- {escape_markdown(organisation)}: {names}")
        lines.append("")
    return "\n".join(lines).strip() + "\n" if lines else ""


def _sort_key(text: str) -> str:
    return slugify(text, fallback="", max_length=300) + "\x00" + text.casefold()


@dataclass(frozen=True)
class ColophonLabels:
    version: str
    live_text: str
    date: str
    sha: str
    note: str


def colophon_markdown(
    version_name: str | None, date_text: str, sha256: str, labels: ColophonLabels
) -> str:
    return (
        f"- {labels.version}: {escape_markdown(version_name or labels.live_text)}\n"
        f"- {labels.date}: {escape_markdown(date_text)}\n"
        f"- {labels.sha}: `{sha256}`\n\n"
        f"{labels.note}\n"
    )


_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# A label as long as the renderer reads one: unbounded, "[^[^[^…" is read to the end
# of the text from every bracket.
_FOOTNOTE = re.compile(rf"\[\^([^\]\s]{{1,{NOTE_LABEL_MAX}}})\]")


def shift_headings(body: str, above: int) -> str:
    """Headings typed inside a section go right below the section's own heading (level
    `above`) once the sections are joined into one file, whether the writer started at
    "#" or at "##": the same rule the document page follows. Fenced code is left alone;
    levels stop at 6."""
    lines = body.split("\n")
    found = _heading_lines(lines)
    if not found:
        return body
    shift = above + 1 - min(len(match.group(2)) for _, match in found)
    for index, match in found:
        level = min(6, len(match.group(2)) + shift)
        lines[index] = match.group(1) + "#" * level + lines[index][match.end() :]
    return "\n".join(lines)


def _heading_lines(lines: list[str]) -> list[tuple[int, re.Match[str]]]:
    found: list[tuple[int, re.Match[str]]] = []
    fence: str | None = None
    for index, line in enumerate(lines):
        opener = _FENCE.match(line)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
        elif opener:
            fence = opener.group(1)
        elif match := _ATX.match(line):
            found.append((index, match))
    return found


def prefix_footnotes(body: str, prefix: str) -> str:
    """Each section numbers its notes from 1; joined into one file, "[^1]" of the
    second section would otherwise point at the first section's note."""
    return _FOOTNOTE.sub(lambda m: f"[^{prefix}-{m.group(1)}]", body)


def section_markdown(body: str, depth: int, prefix: str) -> str:
    """A section's text as the joined file holds it, below its heading."""
    return prefix_footnotes(shift_headings(body.strip(), depth), prefix)


def document_markdown(
    source: ExportSource,
    date_text: str,
    title_block: bool = True,
    noted: Callable[[int], str] | None = None,
) -> str:
    """One Markdown file with a YAML header pandoc reads (title, subtitle, language,
    date): the Markdown export and the input of DOCX and ODT. Without `title_block` the
    header names the language only: DOCX and ODT get their cover after pandoc
    (app/core/office.py), and pandoc's title block would come before it. With `noted`,
    a section that has notes stands as `noted(its index)`, a line that `fill_sections`
    later replaces with its text and notes; without, notes are left out."""
    meta: dict[str, str | None] = {"lang": source.language}
    if title_block:
        meta = {
            "title": source.title,
            "subtitle": source.subtitle or None,
            "lang": source.language,
            "date": date_text,
        }
    # JSON is YAML: every string is quoted and escaped, whatever the title contains.
    header = "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in meta.items() if v)
    parts = [f"---\n{header}\n---\n"]
    for i, section in enumerate(source.sections):
        heading = "#" * min(6, section.depth)
        if noted is not None and section.notes:
            body = noted(i)
        else:
            body = section_markdown(section.body, section.depth, f"s{i + 1}")
        title = numbered(section.number, escape_markdown(section.title))
        parts.append(f"{heading} {title}\n\n{body}\n")
    for annex in source.annexes:
        parts.append(f"# {escape_markdown(annex.title)}\n\n{annex.body.strip()}\n")
    return "\n".join(parts)


_QUOTE_TAG = re.compile(r"(<[^>]*>)")
_QUOTE_ENTITIES = (("&quot;", '"'), ("&#34;", '"'), ("&#x27;", "'"), ("&#39;", "'"))
_BLOCKS = frozenset({"p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"})


def italian_quotes(html: str) -> str:
    """Typewriter quotes of the rendered text become «caporali» and apostrophes ’, as
    in Italian institutional print; code and tag attributes are left untouched. Double
    quotes alternate opening and closing within a paragraph, cell or heading, even
    across emphasis. The renderer's own typographer stays off: the document page shows
    what was typed, and only the exported document gets the typography."""
    out: list[str] = []
    in_code = 0
    open_quote = False
    for part in _QUOTE_TAG.split(html):
        if part.startswith("<"):
            tag = re.sub(r"[\s/>].*", "", part[1:].lstrip("/")).lower()
            if tag in ("code", "pre"):
                in_code += -1 if part.startswith("</") else 1
            elif tag in _BLOCKS:
                open_quote = False
            out.append(part)
        elif in_code > 0:
            out.append(part)
        else:
            text, open_quote = _quotes_in_text(part, open_quote)
            out.append(text)
    return "".join(out)


def _quotes_in_text(text: str, open_quote: bool) -> tuple[str, bool]:
    for entity, char in _QUOTE_ENTITIES:
        text = text.replace(entity, char)
    chars: list[str] = []
    for char in text:
        if char == '"':
            chars.append("»" if open_quote else "«")
            open_quote = not open_quote
        else:
            chars.append("’" if char == "'" else char)
    return "".join(chars), open_quote


_NOTES_BLOCK = re.compile(
    r'\s*<hr class="footnotes-sep">\s*<section class="footnotes">\s*'
    r'<ol class="footnotes-list">(.*?)</ol>\s*</section>\s*',
    re.DOTALL,
)
_NOTE_ITEM = re.compile(r'<li id="([^"]+)" class="footnote-item">(.*?)</li>', re.DOTALL)
_NOTE_REF = re.compile(
    r'<sup class="footnote-ref"><a href="#([^"]+)" id="[^"]+"[^>]*>[^<]*</a></sup>'
)
_BACKREF = re.compile(r'\s*<a href="#[^"]*" class="footnote-backref"[^>]*>[^<]*</a>')
_NOTE_BLOCKS = re.compile(r"<(?:ul|ol|pre|table|blockquote|h[1-6]|hr)[\s>]")


def footnotes_in_place(html: str) -> str:
    """Notes moved from the end of a section to where they are called, as
    `<span class="footnote">`, which the print stylesheet floats to the foot of the page
    (CSS `float: footnote`). A section whose notes hold lists, tables or code, or call one
    note twice, keeps them gathered at its end: a footnote is a few lines of text."""
    block = _NOTES_BLOCK.search(html)
    if block is None:
        return html
    notes: dict[str, str] = {}
    for note_id, content in _NOTE_ITEM.findall(block.group(1)):
        content = _BACKREF.sub("", content).strip()
        if _NOTE_BLOCKS.search(content) or "footnote-ref" in content:
            return html
        notes[note_id] = (
            re.sub(r"</p>\s*<p>", "<br>", content).removeprefix("<p>").removesuffix("</p>")
        )
    text = html[: block.start()] + html[block.end() :]
    calls = _NOTE_REF.findall(text)
    if len(calls) != len(set(calls)) or set(calls) != set(notes):
        return html
    return _NOTE_REF.sub(lambda m: f'<span class="footnote">{notes[m.group(1)]}</span>', text)


@dataclass(frozen=True)
class TextPart:
    """A piece of Markdown of the exported document (a section, an annex) waiting to be
    rendered where `marker` stands in the page. The page itself is cheap to lay out;
    rendering the text is the costly part, left to whoever fills the page: the export
    worker for the PDF, so that the server never spends long stretches on it."""

    marker: str
    markdown: str
    prefix: str
    heading_level: int
    notes_at_foot: bool
    document_id: int | None = None  # whose media files the text may show
    notes: tuple[BodyNote, ...] = ()  # placed in the text before it is rendered

    def as_dict(self) -> dict[str, object]:
        return {
            "marker": self.marker,
            "markdown": self.markdown,
            "prefix": self.prefix,
            "heading_level": self.heading_level,
            "notes_at_foot": self.notes_at_foot,
            "document_id": self.document_id,
            "notes": [note.as_dict() for note in self.notes],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TextPart:
        notes = tuple(BodyNote.from_dict(note) for note in data.get("notes") or ())
        return cls(**{**data, "notes": notes})


def part_marker(index: int) -> str:
    """An HTML comment: Jinja leaves it as is, and no rendered text can contain one
    (comments are escaped like any other markup typed by people)."""
    return f"<!--tavolo-part-{index}-->"


def fill_parts(html: str, parts: Sequence[TextPart]) -> str:
    """Renders each part (app/core/render.py, with its notes placed, notes at the foot of
    the page when asked, Italian quotes) and puts it in place of its marker."""
    for part in parts:
        markdown = annotate(part.markdown, part.notes) if part.notes else part.markdown
        rendered = render_markdown(
            markdown, part.prefix, part.heading_level, document_id=part.document_id
        )
        if part.notes_at_foot:
            rendered = footnotes_in_place(rendered)
        html = html.replace(part.marker, italian_quotes(rendered), 1)
    return html


@dataclass(frozen=True)
class NotedSection:
    """A section of pandoc's input whose notes the export worker places, for the same
    reason it renders the PDF's text: reading a text again may cost seconds."""

    marker: str  # the line that stands for it (`document_markdown(noted=...)`)
    body: str  # as typed
    depth: int
    prefix: str
    notes: tuple[BodyNote, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "marker": self.marker,
            "body": self.body,
            "depth": self.depth,
            "prefix": self.prefix,
            "notes": [note.as_dict() for note in self.notes],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NotedSection:
        return cls(**{**data, "notes": tuple(BodyNote.from_dict(note) for note in data["notes"])})


def fill_sections(
    markdown: str, sections: Sequence[NotedSection], images: Callable[[str], str]
) -> str:
    """Each section with its notes placed, made ready as `document_markdown` makes the
    others, its images inlined by `images`, in place of its marker."""
    for section in sections:
        body = section_markdown(
            annotate(section.body, section.notes), section.depth, section.prefix
        )
        markdown = markdown.replace(section.marker, images(body), 1)
    return markdown


# A media file's name (app.core.importing.MEDIA_NAME): only those are the document's
# own images, and only raster ones.
_IMAGE_FILE = r"([0-9a-f]{20}\.(?:png|jpg|gif|webp))(?![\w.])"


def media_reader(folder: Path) -> Callable[[str], bytes | None]:
    """The bytes of one of a document's own media files (`folder`) by its name; None for
    any other name, or a file that is not there: the only files an export inlines."""
    folder = folder.resolve()

    def read(name: str) -> bytes | None:
        path = (folder / name).resolve()
        if not (MEDIA_NAME.match(name) and path.is_relative_to(folder) and path.is_file()):
            return None
        return path.read_bytes()

    return read


def inline_images(text: str, opener: str, prefix: str, read: Callable[[str], bytes | None]) -> str:
    """The document's own images (`{opener}{prefix}<media file>`, as in `](/documents/
    4/media/…png`) as data: URIs, read by `read` (None: no such file, left as it is);
    any other address is left to the renderer, which refuses it."""
    pattern = re.compile(re.escape(f"{opener}{prefix}") + _IMAGE_FILE)

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        data = read(name)
        if data is None:
            return match.group(0)
        mime = MEDIA_TYPES[name.rsplit(".", 1)[1]]
        return f"{opener}data:{mime};base64,{base64.b64encode(data).decode()}"

    return pattern.sub(replace, text)
