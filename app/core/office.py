"""What pandoc leaves out of a DOCX or ODT, and an office expects of a document handed
to it: the cover (with the promoters' logos), an index already filled in, the running
header, «Pagina N di M» in the footer, the document's properties. The format-specific
halves are app/core/office_docx.py and app/core/office_odt.py; this file holds what they
share.

It runs in the export worker, after pandoc (loaded through app/core/standalone.py): the
standard library only, the package read entry by entry and copied through, only the
main XML parts held in memory, so the worker's memory limit holds."""

from __future__ import annotations

import datetime as dt
import math
import re
import shutil
import struct
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Characters XML 1.0 cannot carry, even escaped: C0 controls other than tab and line
# breaks, lone surrogates, U+FFFE and U+FFFF. A title pasted from anywhere may hold them;
# a file that carried one would not open.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACES = re.compile(r"\s+")
_FOOTER_FIELD = re.compile(r"(\{page\}|\{pages\})")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
MM_PER_INCH = 25.4
# A logo's size on the cover, as on the PDF's (print.css, .cover-logos img): its own
# size at 96 pixels per inch, at most 18 mm high and 45 mm wide.
LOGO_MAX_HEIGHT_MM = 18.0
LOGO_MAX_WIDTH_MM = 45.0
# Only the index's entries of these heading levels, as in the PDF and Word's default.
INDEX_LEVELS = 3
# A running header longer than this many characters is cut at a word: a title of a
# page's length would leave no room for the text under it.
HEADER_MAX = 90


def xml_text(text: str) -> str:
    """`text` as XML character data or attribute value: escaped, and without the
    characters XML cannot hold."""
    text = _NOT_XML.sub("", text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


def unescaped(xml_chars: str) -> str:
    """The text of XML character data: its five named entities and character
    references resolved."""

    def entity(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        return _NAMED[name]

    return _ENTITY.sub(entity, xml_chars)


def one_line(text: str) -> str:
    return _SPACES.sub(" ", _NOT_XML.sub("", text)).strip()


def shortened(text: str, limit: int = HEADER_MAX) -> str:
    text = one_line(text)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,.;:–-") + "…"


def footer_parts(template: str) -> list[str]:
    """ "Pagina {page} di {pages}" → ["Pagina ", "{page}", " di ", "{pages}"]: the words
    of the document's language around the two fields."""
    return [part for part in _FOOTER_FIELD.split(template) if part]


@dataclass(frozen=True)
class Logo:
    data: bytes
    kind: str  # "png" or "jpg"
    width_mm: float
    height_mm: float
    alt: str

    @property
    def mime(self) -> str:
        return "image/png" if self.kind == "png" else "image/jpeg"

    @property
    def extension(self) -> str:
        return "png" if self.kind == "png" else "jpeg"


def logo(data: bytes, alt: str) -> Logo | None:
    """A cover logo from a PNG or JPEG file, at the size the PDF gives it; None for any
    other file (the upload accepts only these two, checked by their first bytes)."""
    found = image_size(data)
    if found is None:
        return None
    kind, width, height = found
    width_mm, height_mm = width * MM_PER_INCH / 96, height * MM_PER_INCH / 96
    scale = min(1.0, LOGO_MAX_HEIGHT_MM / height_mm, LOGO_MAX_WIDTH_MM / width_mm)
    return Logo(data, kind, width_mm * scale, height_mm * scale, one_line(alt))


_PNG = b"\x89PNG\r\n\x1a\n"
# JPEG markers that carry the frame's size (SOF0–SOF15 but DHT, JPG and DAC).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def image_size(data: bytes) -> tuple[str, int, int] | None:
    """("png" or "jpg", width, height) read from the file's header, or None."""
    if data.startswith(_PNG) and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return ("png", width, height) if width and height else None
    if data.startswith(b"\xff\xd8\xff"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[str, int, int] | None:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:
            at += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in _SOF and at + 9 <= len(data):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return ("jpg", width, height) if width and height else None
        if length < 2:
            return None
        at += 2 + length
    return None


@dataclass(frozen=True)
class Finish:
    """What the worker adds to pandoc's file, every text already in the document's
    language and formatted (dates, status line)."""

    title: str
    subtitle: str
    workshop: str
    when: str  # place and dates, as on the PDF's cover
    promoters_label: str  # "Promosso da"
    promoters: tuple[str, ...]
    status: str  # "Bozza di lavoro · 6 dicembre 2026"
    index_title: str  # "Indice"
    page_footer: str  # "Pagina {page} di {pages}"
    language: str
    creator: str
    created: dt.datetime  # the moment of the export, in UTC
    logos: tuple[Logo, ...] = field(default=())

    @property
    def timestamp(self) -> str:
        """W3C date and time in UTC, as DOCX and ODT properties want it."""
        moment = self.created.astimezone(dt.UTC) if self.created.tzinfo else self.created
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def zip_time(self) -> tuple[int, int, int, int, int, int]:
        moment = self.created.astimezone(dt.UTC) if self.created.tzinfo else self.created
        return (max(1980, moment.year), moment.month, moment.day, moment.hour, moment.minute, 0)


def finish_from_job(job: Mapping[str, object], logos: Iterable[Logo]) -> Finish:
    """The worker's job (JSON) as a `Finish`; the logos were read by the worker."""

    def text(key: str) -> str:
        value = job.get(key)
        return value if isinstance(value, str) else ""

    promoters = job.get("promoters")
    return Finish(
        title=text("title"),
        subtitle=text("subtitle"),
        workshop=text("workshop"),
        when=text("when"),
        promoters_label=text("promoters_label"),
        promoters=tuple(p for p in promoters if isinstance(p, str))
        if isinstance(promoters, list)
        else (),
        status=text("status"),
        index_title=text("index_title"),
        page_footer=text("page_footer") or "{page} / {pages}",
        language=text("language") or "it",
        creator=text("creator"),
        created=dt.datetime.fromisoformat(text("created")),
        logos=tuple(logos),
    )


@dataclass(frozen=True)
class Heading:
    """A heading of the text that the index lists: where it points and what it says."""

    level: int
    bookmark: str
    text: str


def rewrite(
    source: zipfile.ZipFile,
    target: Path,
    changed: Mapping[str, bytes],
    added: Mapping[str, bytes],
    when: tuple[int, int, int, int, int, int],
) -> None:
    """The package again, with `changed` parts replaced and `added` ones at the end, each
    entry dated `when` (pandoc dates its own 1980-01-01, the oldest a zip file can say).
    Unchanged parts (images above all) are copied through, never held whole. The ODF
    `mimetype` entry stays first and uncompressed, as ODF readers require."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as output:
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, when)
            entry.compress_type = (
                zipfile.ZIP_STORED if item.filename == "mimetype" else zipfile.ZIP_DEFLATED
            )
            entry.external_attr = 0o644 << 16
            if item.filename in changed:
                output.writestr(entry, changed[item.filename])
                continue
            entry.file_size = item.file_size  # lets zipfile choose between zip and zip64
            with source.open(item) as reader, output.open(entry, "w") as out:
                shutil.copyfileobj(reader, out, 1024 * 1024)
        for name, data in added.items():
            entry = zipfile.ZipInfo(name, when)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            output.writestr(entry, data)


# Page estimate for the numbers an index shows before the reader's office lays the text
# out (see `PageEstimate`). Figures for the reference documents' styles: A4, Arial 11 pt
# for the text, 9 pt for the notes.
@dataclass(frozen=True)
class Block:
    """A piece of the text as the estimate sees it: a paragraph (`cells` empty) or a
    table row (the characters of each cell)."""

    chars: int
    heading: int = 0  # level, 0 for body text
    cells: tuple[int, ...] = ()
    picture_pt: float = 0.0
    note_chars: tuple[int, ...] = ()
    bookmark: str = ""


@dataclass(frozen=True)
class PageEstimate:
    """Which page each heading falls on, estimated from the length of what comes before
    it: paragraphs of whole lines, headings with their space, table rows as tall as
    their fullest cell, pictures, notes at the foot of the page. It is what a reader
    sees only if the office never lays the index out: LibreOffice computes the page
    numbers itself, Word when it updates the fields on opening."""

    page_pt: float = 700.0
    line_pt: float = 14.5
    chars_per_line: int = 92
    paragraph_gap_pt: float = 5.0
    heading_pt: tuple[float, ...] = (46.0, 36.0, 32.0, 30.0, 28.0, 28.0)
    note_line_pt: float = 11.5
    note_chars_per_line: int = 115
    row_pad_pt: float = 5.0

    def pages(self, blocks: Iterable[Block], first_page: int) -> dict[str, int]:
        found: dict[str, int] = {}
        page, used = first_page, 0.0
        for block in blocks:
            height = self._height(block)
            if used and used + height > self.page_pt:
                page += int((used + height) // self.page_pt) if height > self.page_pt else 1
                used = height % self.page_pt if height > self.page_pt else height
            else:
                used += height
            if block.bookmark:
                found[block.bookmark] = page
        return found

    def index_pages(self, entries: Iterable[Heading]) -> int:
        lines = sum(max(1, math.ceil(len(h.text) / (self.chars_per_line - 8))) for h in entries)
        return max(1, math.ceil((lines * self.line_pt + 40) / self.page_pt))

    def _height(self, block: Block) -> float:
        notes = sum(
            math.ceil(max(1, chars) / self.note_chars_per_line) * self.note_line_pt
            for chars in block.note_chars
        )
        if block.cells:
            width = max(8, self.chars_per_line // len(block.cells) - 2)
            lines = max(math.ceil(max(1, chars) / width) for chars in block.cells)
            return lines * self.line_pt * 0.95 + self.row_pad_pt + notes
        lines = math.ceil(block.chars / self.chars_per_line) if block.chars else 0
        if block.heading:
            level = min(block.heading, len(self.heading_pt)) - 1
            return self.heading_pt[level] + max(0, lines - 1) * self.line_pt * 1.3 + notes
        return max(1, lines) * self.line_pt + self.paragraph_gap_pt + block.picture_pt + notes
