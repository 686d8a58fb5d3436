"""Hostile files, generated: mutations of real DOCX and ODT drafts (bytes flipped, cut
short, zip entries tampered with, entity declarations, sizes that lie) and Markdown made
of the characters that mean something to a parser. Every one is answered with a clear
refusal or becomes a document whose every page opens: never a server error.

And drafts as people write them, generated and saved as DOCX, ODT or Markdown: every
heading and every note of theirs comes through, whoever numbers the titles."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from functools import cache
from html import unescape

from hypothesis import event, given
from hypothesis import strategies as st

from app.core.outline import MAX_LEVEL
from app.core.render import render_markdown
from app.modules.imports import services
from tests import factories
from tests.fuzzing import budget
from tests.modules.imports import samples
from tests.modules.imports.conftest import upload
from tests.modules.people.helpers import Desk

# The refusal sits on the file field, as a sentence.
REFUSAL = re.compile(r'class="invalid-feedback[^"]*"[^>]*>\s*(?:<span[^>]*>)?([^<]+)<')
ALLOWED = {200, 302, 413, 415, 422}


@cache
def originals() -> dict[str, bytes]:
    markdown = samples.DRAFT + "\nUna nota in linea^[scritta qui] e un'altra[^casa].\n"
    return {
        "docx": samples.office(markdown, "docx"),
        "odt": samples.office(markdown, "odt"),
    }


def _answered(desk: Desk, data: bytes, name: str) -> None:
    """The whole path a person takes: upload, preview at every level, confirm, open."""
    response = upload(desk, data, name)
    event(f"HTTP {response.status_code}")
    assert response.status_code in ALLOWED, (response.status_code, response.text[-1500:])
    if response.status_code != 302:
        message = REFUSAL.search(response.text)
        assert message, response.text[-2000:]
        assert len(unescape(message.group(1)).strip()) > 10, message.group(1)
        return
    preview = response.headers["Location"].split("?")[0]
    for level in range(1, MAX_LEVEL + 1):
        page = desk.client.get(f"{preview}?livello={level}")
        assert page.status_code == 200, (level, page.status_code, page.text[-1500:])
    confirmed = desk.client.post(preview, data={"title": "Documento importato", "level": "2"})
    assert confirmed.status_code == 302, (confirmed.status_code, confirmed.text[-1500:])
    shown = desk.client.get(confirmed.headers["Location"])
    assert shown.status_code == 200, (shown.status_code, shown.text[-1500:])


def _entries(archive: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        return [(info.filename, source.read(info)) for info in source.infolist()]


def _zipped(entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            target.writestr(name, data)
    return out.getvalue()


ENTITY_TRICKS = [
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY % p SYSTEM "http://127.0.0.1/x"> %p;]>',
    b'<?xml version="1.0"?><!DOCTYPE d SYSTEM "file:///etc/passwd">',
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY x "y">]>'.encode("utf-16"),
    b"<!-- nessun prologo --><!ENTITY x SYSTEM 'file:///etc/hostname'>",
]


@st.composite
def tampered_archive(draw: st.DrawFn) -> bytes:
    """One real draft with one of its zip entries changed in a hostile way."""
    entries = _entries(originals()[draw(st.sampled_from(["docx", "odt"]))])
    index = draw(st.integers(0, len(entries) - 1))
    name, data = entries[index]
    how = draw(st.sampled_from(["flip", "cut", "drop", "rename", "entity", "duplicate", "empty"]))
    if how == "flip" and data:
        spots = draw(st.lists(st.integers(0, len(data) - 1), min_size=1, max_size=10))
        mutable = bytearray(data)
        for spot in spots:
            mutable[spot] = draw(st.integers(0, 255))
        entries[index] = (name, bytes(mutable))
    elif how == "cut":
        entries[index] = (name, data[: draw(st.integers(0, len(data)))])
    elif how == "drop":
        del entries[index]
    elif how == "rename":
        weird = ["../fuori.xml", "/assoluto.xml", "word/../../x", "C:\\x.xml", "a" * 300, ""]
        entries[index] = (draw(st.sampled_from(weird)) or "x", data)
    elif how == "entity":
        trick = draw(st.sampled_from(ENTITY_TRICKS))
        entries[index] = (name, trick + re.sub(rb"^<\?xml[^>]*\?>", b"", data))
    elif how == "duplicate":
        entries.append((name, data[::-1]))
    else:
        entries[index] = (name, b"")
    return _zipped(entries)


def _lying_sizes(archive: bytes, size: int) -> bytes:
    """Every entry of the central directory declares `size` bytes unpacked."""
    data = bytearray(archive)
    at = data.find(b"PK\x01\x02")
    while at != -1:
        struct.pack_into("<I", data, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


@budget(quick=30, long=600)
@given(
    fmt=st.sampled_from(["docx", "odt"]),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
    cut=st.none() | st.floats(0, 1),
)
def test_flipped_and_truncated_drafts(desk: Desk, fmt: str, flips, cut) -> None:  # type: ignore[no-untyped-def]
    data = bytearray(originals()[fmt])
    for where, value in flips:
        data[int(where * len(data))] = value
    if cut is not None:
        data = data[: int(cut * len(data))]
    _answered(desk, bytes(data), f"bozza.{fmt}")


@budget(quick=30, long=600)
@given(archive=tampered_archive())
def test_drafts_with_tampered_zip_entries(desk: Desk, archive: bytes) -> None:
    _answered(desk, archive, "bozza.docx")


@budget(quick=4, long=50)
@given(
    fmt=st.sampled_from(["docx", "odt"]),
    size=st.sampled_from([0, 1, 2**31 - 1, 2**32 - 1]),
)
def test_drafts_whose_archive_lies_about_sizes(desk: Desk, fmt: str, size: int) -> None:
    _answered(desk, _lying_sizes(originals()[fmt], size), f"bozza.{fmt}")


MARKDOWN_PIECES = [
    *"#*_`[]()!^:|->\\<&;\n \t1aè",
    "[^a]",
    "^[",
    "[^a]: ",
    "\n\n",
    "    ",
    "```",
    "![x](",
    "tavolo-media:",
    "&#0;",
    "&amp;",
    "<script>",
    "javascript:",
    "\u202e",
    "\ufeff",
    "| a | b |\n|---|---|\n",
    "# ",
    "\n---\n",
]


@budget(quick=100, long=3000)
@given(
    text=st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=200).map("".join),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]),
)
def test_generated_markdown(desk: Desk, text: str, encoding: str) -> None:
    _answered(desk, text.encode(encoding, errors="replace"), "bozza.md")


_NUMBERINGS = [
    lambda n, depth: "",
    lambda n, depth: ".".join(["1"] * (depth - 1) + [str(n)]) + " ",
    lambda n, depth: f"{n}. ",
    lambda n, depth: f"Capitolo {n}: ",
    lambda n, depth: f"{'ABCDEFGHIJ'[n % 10]}) ",
]


@st.composite
def written_draft(draw: st.DrawFn) -> tuple[str, list[str], list[str]]:
    """A title, headings on three levels (numbered by hand or not), notes called once,
    twice, from a heading, from a table, inline: each heading and each note carries a
    word of its own (`Hn` and `Nn`) that must come out of the import."""
    numbering = draw(st.sampled_from(_NUMBERINGS))
    lines = ["---", "title: Piano della città", "---", ""] if draw(st.booleans()) else []
    headings: list[str] = []
    notes: list[str] = []
    definitions: list[str] = []
    for n in range(1, draw(st.integers(1, 12)) + 1):
        depth = draw(st.integers(1, 3)) if n > 1 else 1
        call = draw(st.sampled_from(["", "heading", "text", "inline", "table", "twice"]))
        note = f"N{n}x"
        title = f"{numbering(n, depth)}Capitolo H{n}x"
        if call == "heading":
            title += f"[^n{n}]"
        lines += ["#" * depth + " " + title, ""]
        if call in ("text", "twice"):
            lines += [f"Testo del capitolo[^n{n}].", ""]
        elif call == "inline":
            lines += [f"Testo con nota in linea^[{note}].", ""]
        elif call == "table":
            lines += [f"| Voce[^n{n}] | Valore |", "|---|---|", "| a | 1 |", ""]
        else:
            lines += ["Testo senza note.", ""]
        if call in ("heading", "text", "table", "twice"):
            definitions.append(f"[^n{n}]: {note}")
        if call == "twice":
            lines += [f"Ancora la stessa nota[^n{n}].", ""]
        headings.append(f"H{n}x")
        if call:
            notes.append(note)
    return "\n".join([*lines, *definitions, ""]), headings, notes


@budget(quick=6, long=200)
@given(
    drawn=written_draft(),
    fmt=st.sampled_from(["md", "docx", "odt"]),
    level=st.integers(1, MAX_LEVEL),
    numbers=st.sampled_from(list(services.Numbers)),
)
def test_written_drafts_keep_every_heading_and_note(  # type: ignore[no-untyped-def]
    app, tmp_path_factory, drawn: tuple[str, list[str], list[str]], fmt: str, level: int, numbers
) -> None:
    markdown, headings, notes = drawn
    source = tmp_path_factory.mktemp("bozza") / f"bozza.{fmt}"
    if fmt == "md":
        source.write_text(markdown, encoding="utf-8")
    else:
        source.write_bytes(samples.office(markdown, fmt, images={}))
    document = services.import_file(None, factories.workshop(), source, level, numbers=numbers)
    text = "\n".join([document.title, *(f"{s.title}\n{s.body}" for s in document.sections)])
    for word in headings:
        assert word in text, (word, markdown, text)
    # Each note is shown with the section that calls it.
    html = "\n".join(
        render_markdown(s.body, f"s{s.position}", 2, document_id=document.id)
        for s in document.sections
    )
    for word in notes:
        assert word in html, (word, markdown, text)
