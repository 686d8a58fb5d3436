"""From uploaded bytes to Markdown and images, with every check made before pandoc sees
the file: size, type by content, and for DOCX/ODT the archive's entries. pandoc then
runs with --sandbox in a child process with a time and a memory limit, so that a file
built to exhaust it costs the laptop a few seconds, not the workshop."""

from __future__ import annotations

import hashlib
import io
import logging
import shutil
import signal
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pypandoc

from app.core.importing import (
    UNSUPPORTED,
    ArchiveEntry,
    ArchiveLimits,
    Kind,
    Sniffed,
    check_archive,
    declares_dtd,
    decode_text,
    image_extension,
    media_name,
    office_kind,
    rewrite_images,
    sniff,
)
from app.core.invitations import N_, Message

log = logging.getLogger(__name__)

FILTER = Path(__file__).with_name("pandoc_filter.lua")
# GitHub-flavoured Markdown is the pandoc dialect closest to the renderer (CommonMark,
# pipe tables, footnotes, strikethrough). Without raw HTML: the renderer would print it
# as text; the filter turns figures and merged table cells into plain Markdown instead.
OUTPUT_FORMAT = "gfm-raw_html"
# Where images point until the document exists and has an id; the renderer does not
# accept this scheme, so such an image can never reach a reader by mistake.
MEDIA_REF = "tavolo-media:"
EXTRACTED = "extracted"
CHUNK = 1024 * 1024
# The limits are set in the child itself, between fork and pandoc: preexec_fn is not
# safe in a server with threads, a fresh interpreter is.
_LAUNCHER = (
    "import os, resource, sys\n"
    "memory = int(sys.argv[1]) * 2**20\n"
    "resource.setrlimit(resource.RLIMIT_AS, (memory, memory))\n"
    "cpu = int(sys.argv[2])\n"
    "resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)


class ImportRefused(Exception):
    """A file that will not become a document; the message says why, for people."""

    def __init__(self, message: Message, status: int = 422) -> None:
        super().__init__(str(message))
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    archive: ArchiveLimits
    timeout: float
    memory_mb: int
    split_seconds: float

    @classmethod
    def from_config(cls, config: Any) -> Limits:
        return cls(
            max_bytes=config["IMPORT_MAX_BYTES"],
            archive=ArchiveLimits(
                max_entries=config["IMPORT_ZIP_MAX_ENTRIES"],
                max_total=config["IMPORT_ZIP_MAX_TOTAL"],
                max_ratio=config["IMPORT_ZIP_MAX_RATIO"],
            ),
            timeout=config["IMPORT_TIMEOUT_SECONDS"],
            memory_mb=config["IMPORT_MEMORY_MB"],
            split_seconds=config["IMPORT_SPLIT_SECONDS"],
        )


@dataclass(frozen=True)
class Converted:
    kind: Kind
    markdown: str  # images point at MEDIA_REF + name
    images: tuple[str, ...]  # files in <workdir>/media
    dropped: int  # images left out: a format browsers and the PDF cannot show
    title: str | None = None  # the title in the file's properties


def too_big(limits: Limits) -> ImportRefused:
    return ImportRefused(
        Message(
            N_("Il file supera %(mb)s MB, il massimo consentito."),
            {"mb": f"{limits.max_bytes / 2**20:g}"},
        ),
        413,
    )


def convert(data: bytes, limits: Limits, workdir: Path) -> Converted:
    """`workdir` must be empty and is the caller's to remove; images end up in its
    "media" folder under names made from their content."""
    if len(data) > limits.max_bytes:
        raise too_big(limits)
    sniffed = sniff(data)
    if isinstance(sniffed, Message):
        raise ImportRefused(sniffed, 422 if not data else 415)
    if sniffed is Sniffed.TEXT:
        return Converted(Kind.TEXT, decode_text(data) or "", (), 0)
    kind, title = inspect_archive(data, limits.archive)
    source = workdir / f"source.{kind.value}"
    source.write_bytes(data)
    try:
        markdown = run_pandoc(source, kind, limits)
        return _keep_images(markdown, kind, workdir, title)
    finally:
        source.unlink(missing_ok=True)
        shutil.rmtree(workdir / EXTRACTED, ignore_errors=True)


def inspect_archive(data: bytes, limits: ArchiveLimits) -> tuple[Kind, str | None]:
    """The kind of document, and the title its properties give (File > Properties in
    Word and LibreOffice), read only once every entry is known to declare no DTD."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            problem = check_archive(
                [ArchiveEntry(i.filename, i.compress_size, i.file_size) for i in infos], limits
            )
            if problem:
                raise ImportRefused(problem)
            if any(info.flag_bits & 0x1 for info in infos):
                raise ImportRefused(
                    Message(N_("Il documento è protetto da password: toglila e riprova."))
                )
            kind = office_kind(_entry(archive, "[Content_Types].xml"), _entry(archive, "mimetype"))
            if kind is None:
                raise ImportRefused(Message(UNSUPPORTED), 415)
            for info in infos:
                _refuse_dtd(archive, info)
            return kind, _properties_title(archive, kind)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as error:
        log.info("Unreadable archive: %s", error)
        raise ImportRefused(
            Message(N_("Il file è danneggiato: non si riesce ad aprirlo come documento."))
        ) from error


def _entry(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    with archive.open(info) as stream:
        return stream.read(min(info.file_size, CHUNK))


_PROPERTIES = {Kind.DOCX: "docProps/core.xml", Kind.ODT: "meta.xml"}
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"


def _properties_title(archive: zipfile.ZipFile, kind: Kind) -> str | None:
    xml = _entry(archive, _PROPERTIES[kind])
    if xml is None:
        return None
    try:
        found = ElementTree.fromstring(xml).find(f".//{_DC_TITLE}")
    except ElementTree.ParseError:
        return None
    text = " ".join((found.text or "").split()) if found is not None else ""
    return text or None


def _refuse_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Refusing a document type declaration is safer than parsing it safely: the XML is
    read by pandoc, whose parser and its handling of entities we do not configure, and
    by whatever opens an export later. Looking for the declaration itself depends on no
    parser's settings, and Word and LibreOffice never write one, so no real document is
    refused. Every entry is read, not only those named .xml: a part can be called
    anything. Python's reader stops at the size the archive declared, which was checked,
    and a stream that lies about it fails its checksum. pandoc, which unpacks on its own,
    is held by the memory limit."""
    tail = b""
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            if declares_dtd(tail + chunk):
                raise ImportRefused(
                    Message(
                        N_(
                            "Il documento contiene dichiarazioni XML non ammesse (DOCTYPE o "
                            "ENTITY), usate per leggere file del server: non viene aperto."
                        )
                    )
                )
            tail = chunk[-64:]


def run_pandoc(source: Path, kind: Kind, limits: Limits) -> str:
    command = [
        sys.executable,
        "-I",
        "-S",
        "-c",
        _LAUNCHER,
        str(limits.memory_mb),
        str(max(1, int(limits.timeout + 0.999))),
        pypandoc.get_pandoc_path(),
        "--sandbox",
        # The metadata (a paragraph in the Title style, subtitle, authors) comes out as
        # a YAML block at the top instead of being dropped.
        "--standalone",
        "--from",
        kind.value,
        "--to",
        OUTPUT_FORMAT,
        "--wrap=none",
        "--lua-filter",
        str(FILTER),
        f"--extract-media={EXTRACTED}",
        source.name,
    ]
    try:
        done = subprocess.run(
            command,
            cwd=source.parent,
            capture_output=True,
            timeout=limits.timeout,
            # Anything pandoc writes stays in the work folder, removed with it.
            env={"LANG": "C.UTF-8", "TMPDIR": str(source.parent)},
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ImportRefused(
            Message(
                N_(
                    "La conversione ha superato il tempo massimo (%(s)s secondi): il documento "
                    "è troppo grande o troppo complesso. Prova a dividerlo in più file."
                ),
                {"s": f"{limits.timeout:g}"},
            )
        ) from error
    if done.returncode != 0:
        raise ImportRefused(_failure(done.returncode, done.stderr))
    return done.stdout.decode("utf-8", errors="replace")


_OUT_OF_MEMORY = (-signal.SIGSEGV, -signal.SIGKILL, -signal.SIGABRT, 251)


def _failure(returncode: int, stderr: bytes) -> Message:
    log.warning("pandoc failed (%s): %s", returncode, stderr[-2000:])
    if returncode == -signal.SIGXCPU:
        return Message(
            N_(
                "La conversione ha superato il tempo massimo: il documento è troppo grande o "
                "troppo complesso. Prova a dividerlo in più file."
            )
        )
    if returncode in _OUT_OF_MEMORY or b"out of memory" in stderr or b"Heap exhausted" in stderr:
        return Message(
            N_(
                "La conversione ha superato la memoria consentita: il documento è troppo "
                "grande o troppo complesso. Prova a dividerlo in più file."
            )
        )
    return Message(
        N_(
            "Il documento non si è potuto convertire. Aprilo con Word o LibreOffice, salvalo "
            "di nuovo e riprova."
        )
    )


def _keep_images(markdown: str, kind: Kind, workdir: Path, title: str | None) -> Converted:
    """Images in a format everyone can show are stored by content; the others are
    replaced by their description, and counted so the preview can say so."""
    media = workdir / "media"
    media.mkdir(exist_ok=True)
    names: dict[str, str | None] = {}
    for path in sorted((workdir / EXTRACTED).rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        extension = image_extension(data)
        name = media_name(hashlib.sha256(data).hexdigest(), extension) if extension else None
        if name:
            (media / name).write_bytes(data)
        names[path.relative_to(workdir).as_posix()] = name
    dropped = 0

    def _replace(alt: str, src: str) -> str | None:
        nonlocal dropped
        if src not in names:
            return None
        name = names[src]
        if name is None:
            dropped += 1
            return alt
        return f"![{alt}]({MEDIA_REF}{name})"

    markdown = rewrite_images(markdown, _replace)
    kept = tuple(sorted({n for n in names.values() if n}))
    return Converted(kind, markdown, kept, dropped, title)
