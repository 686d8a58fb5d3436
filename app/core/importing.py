"""Rules for turning an uploaded draft into sections, decided on plain data so that they
can be tested without a server: what the first bytes of a file say it is, when a zip
archive is too dangerous to open, which images are kept and how a file name may be
shown. Where the Markdown is cut into sections is app.core.splitting.

The file type is always read from the content. A name ending in ".docx" proves nothing:
a renamed PNG or a zip bomb arrives with exactly that name."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from app.core.invitations import N_, Message


class Kind(StrEnum):
    DOCX = "docx"
    ODT = "odt"
    TEXT = "text"


class Sniffed(StrEnum):
    ARCHIVE = "archive"  # a zip: the archive itself then says whether it is DOCX or ODT
    TEXT = "text"


ZIP_MAGIC = b"PK\x03\x04"
DOCX_MAIN_PART = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"

# Files people often pick by mistake, named so that the message can say what they picked.
_KNOWN_BINARIES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", N_("un'immagine PNG")),
    (b"\xff\xd8\xff", N_("un'immagine JPEG")),
    (b"GIF87a", N_("un'immagine GIF")),
    (b"GIF89a", N_("un'immagine GIF")),
    (b"%PDF-", N_("un PDF")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", N_("un documento di Word 97-2003 (.doc)")),
    (b"{\\rtf", N_("un documento RTF")),
    (b"PK\x05\x06", N_("un archivio zip vuoto")),
)
# Tab, line feed, form feed and carriage return are text; other control characters are not.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

UNSUPPORTED = N_(
    "Il file non è un documento DOCX, ODT, Markdown o di testo. Da Word o LibreOffice usa "
    "«Salva con nome» e scegli il formato DOCX o ODT."
)
KNOWN_BINARY = N_(
    "Il file è %(what)s, non un documento DOCX, ODT, Markdown o di testo. Da Word o "
    "LibreOffice usa «Salva con nome» e scegli il formato DOCX o ODT."
)


def sniff(data: bytes) -> Sniffed | Message:
    if not data:
        return Message(N_("Il file è vuoto."))
    if data.startswith(ZIP_MAGIC):
        return Sniffed.ARCHIVE
    for magic, what in _KNOWN_BINARIES:
        if data.startswith(magic):
            return Message(KNOWN_BINARY, {"what": what})
    if decode_text(data) is None:
        return Message(UNSUPPORTED)
    return Sniffed.TEXT


def decode_text(data: bytes) -> str | None:
    """UTF-8 first, then Windows-1252 (what Notepad and old Word save in Italy). A NUL
    byte or other control characters mean a binary file, whatever it decodes to."""
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return None
    if _CONTROL.search(text):
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def office_kind(content_types: bytes | None, mimetype: bytes | None) -> Kind | None:
    """DOCX declares its main part in [Content_Types].xml; ODT stores its media type,
    uncompressed, in an entry called "mimetype"."""
    if content_types is not None and DOCX_MAIN_PART in content_types:
        return Kind.DOCX
    if mimetype is not None and mimetype.strip() == ODT_MIMETYPE:
        return Kind.ODT
    return None


@dataclass(frozen=True)
class ArchiveEntry:
    name: str
    compressed: int  # bytes in the archive
    size: int  # bytes once unpacked, as the archive declares them


@dataclass(frozen=True)
class ArchiveLimits:
    max_entries: int = 1000
    max_total: int = 100 * 1024 * 1024
    max_ratio: int = 100
    # Below this an entry cannot hurt on its own, whatever its ratio (XML compresses well).
    ratio_floor: int = 1024 * 1024


def unsafe_entry_name(name: str) -> bool:
    """Names that would leave a directory if anything ever unpacked them by name."""
    if not name or "\x00" in name or name.startswith(("/", "\\")):
        return True
    if re.match(r"^[A-Za-z]:", name):
        return True
    return any(part == ".." for part in re.split(r"[/\\]", name))


def check_archive(entries: Iterable[ArchiveEntry], limits: ArchiveLimits) -> Message | None:
    """Decided on the sizes the archive declares, before a byte is unpacked: a zip bomb
    is refused without ever being expanded."""
    entries = list(entries)
    if len(entries) > limits.max_entries:
        return Message(
            N_(
                "L'archivio contiene %(n)d file, più dei %(max)d ammessi: non è un documento "
                "normale."
            ),
            {"n": len(entries), "max": limits.max_entries},
        )
    for entry in entries:
        if unsafe_entry_name(entry.name):
            return Message(
                N_("L'archivio contiene un percorso non ammesso: «%(name)s»."),
                {"name": display_name(entry.name)},
            )
    total = sum(entry.size for entry in entries)
    if total > limits.max_total:
        return Message(
            N_(
                "Il documento, una volta aperto, occuperebbe %(mb)d MB, più dei %(max)d MB ammessi."
            ),
            {"mb": total // 2**20, "max": limits.max_total // 2**20},
        )
    for entry in entries:
        if entry.size > limits.ratio_floor and entry.size > limits.max_ratio * max(
            entry.compressed, 1
        ):
            return Message(
                N_(
                    "L'archivio contiene un file compresso in modo anomalo (tipico delle "
                    "«bombe zip»): non viene aperto."
                )
            )
    return None


_DTD = re.compile(rb"<!\s*(?:doctype|entity)", re.IGNORECASE)


def declares_dtd(xml: bytes) -> bool:
    """A document type or entity declaration, in any of the encodings XML allows for
    ASCII markup (NUL bytes are dropped, so UTF-16 and UTF-32 are caught too). Word and
    LibreOffice never write one; it only serves entity expansion and external entities."""
    return _DTD.search(xml.replace(b"\x00", b"")) is not None


_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)
MEDIA_NAME = re.compile(r"^[0-9a-f]{20}\.(?:png|jpg|gif|webp)$")
MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


def image_extension(data: bytes) -> str | None:
    """Only formats every browser and the PDF renderer show; EMF, WMF, TIFF and SVG
    (which can carry scripts) are left out."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    for magic, extension in _IMAGE_MAGIC:
        if data.startswith(magic):
            return extension
    return None


def media_name(sha256_hex: str, extension: str) -> str:
    """Named by content: the same picture twice is stored once, and the name reveals
    nothing of the file it came from."""
    return f"{sha256_hex[:20]}.{extension}"


def display_name(filename: str, max_length: int = 120) -> str:
    """A file name fit to be shown (escaped) and nothing more: it never becomes a path."""
    base = re.split(r"[/\\]", filename or "")[-1]
    base = unicodedata.normalize("NFC", _CONTROL.sub("", base)).strip()
    return base[:max_length]


def title_from_filename(filename: str) -> str:
    """ "bozza_documento-finale v2.docx" → "bozza documento finale v2"."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", display_name(filename))
    return re.sub(r"[\s_-]+", " ", stem).strip()


# No part of an image may run past the "[" of the next one: from each "![" the pattern
# would otherwise read to the end of the text, and 80 KB of "![" took 100 s.
_IMAGE = re.compile(
    r"!\[(?P<alt>(?:\\.|[^\\\[\]\n])*)\]"
    r"\((?P<src><[^<>\[\n]*>|[^()\[<\s]+)(?P<title>\s+\"(?:\\.|[^\"\\\[\n])*\")?\)"
)


def rewrite_images(markdown: str, replace: Callable[[str, str], str | None]) -> str:
    """Calls `replace(alt, src)` for each inline image; its answer (Markdown) takes the
    image's place, None leaves the image as it was."""

    def _one(match: re.Match[str]) -> str:
        src = match.group("src")
        if src.startswith("<"):
            src = src[1:-1]
        answer = replace(match.group("alt"), src)
        return match.group(0) if answer is None else answer

    return _IMAGE.sub(_one, markdown)


def excerpt(body: str, max_chars: int = 500) -> tuple[str, bool]:
    """The first paragraphs of a body, whole, up to about `max_chars`; True when more
    follows. A first paragraph longer than that is cut at a line or a word."""
    blocks = [b for b in re.split(r"\n\s*\n", body.strip()) if b.strip()]
    taken: list[str] = []
    used = 0
    for block in blocks:
        if taken and used + len(block) > max_chars:
            break
        taken.append(block)
        used += len(block)
    # A heading with nothing after it would announce text the excerpt does not show.
    while len(taken) > 1 and taken[-1].lstrip().startswith("#"):
        taken.pop()
    if taken and len(taken[0]) > max_chars:
        cut = taken[0][:max_chars]
        taken = [cut.rsplit(" ", 1)[0] if " " in cut else cut]
        return taken[0] + " …", True
    return "\n\n".join(taken), len(taken) < len(blocks)


_NOTE_REF = re.compile(r"\[\^([^\[\]\s]+)\](?!:)")


def without_orphan_notes(text: str) -> str:
    """An excerpt without the references to notes whose text lies beyond it, which
    would show as a bare "[^1]"."""
    return _NOTE_REF.sub(lambda m: m.group(0) if f"[^{m.group(1)}]:" in text else "", text)
