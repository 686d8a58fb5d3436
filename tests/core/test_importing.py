"""The rules of import on plain data: type by content, zip-bomb and path checks on the
sizes an archive declares, entity declarations in any encoding, file names that never
become paths, and the split of a text into sections that loses nothing."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from app.core.importing import (
    MEDIA_NAME,
    ArchiveEntry,
    ArchiveLimits,
    Kind,
    Sniffed,
    check_archive,
    declares_dtd,
    decode_text,
    display_name,
    excerpt,
    image_extension,
    media_name,
    office_kind,
    rewrite_images,
    sniff,
    title_from_filename,
    unsafe_entry_name,
)
from app.core.invitations import Message
from app.core.numbering import detect, without_number
from app.core.render import render_markdown
from app.core.splitting import Draft, front_matter, heading_levels, read_draft, split_sections
from tests.fuzzing import budget

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
LIMITS = ArchiveLimits(max_entries=10, max_total=1000, max_ratio=10, ratio_floor=100)


# --- type by content ----------------------------------------------------------------


def test_the_content_decides_not_the_name() -> None:
    assert sniff(b"PK\x03\x04rest") is Sniffed.ARCHIVE
    assert sniff("# Titolo\n\nÈ così.".encode()) is Sniffed.TEXT
    assert sniff("Perché sì".encode("cp1252")) is Sniffed.TEXT
    empty = sniff(b"")
    assert isinstance(empty, Message) and str(empty) == "Il file è vuoto."
    png = sniff(PNG)
    assert isinstance(png, Message) and "un'immagine PNG" in str(png)
    assert isinstance(sniff(b"testo\x00con NUL"), Message)
    assert isinstance(sniff(b"testo\x07campanello"), Message)


@given(st.binary(max_size=200))
def test_sniff_never_raises_and_text_has_no_nul(data: bytes) -> None:
    result = sniff(data)
    if result is Sniffed.TEXT:
        text = decode_text(data)
        assert text is not None and "\x00" not in text and "\r" not in text
    if b"\x00" in data and not data.startswith(b"PK\x03\x04"):
        assert isinstance(result, Message)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=200))
def test_any_printable_utf8_text_is_text(text: str) -> None:
    assert decode_text(text.encode()) == text


def test_office_kind_reads_the_declared_main_part() -> None:
    docx = (
        b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.wordprocessingml.document.main+xml"/>'
    )
    assert office_kind(docx, None) is Kind.DOCX
    assert office_kind(None, b"application/vnd.oasis.opendocument.text") is Kind.ODT
    assert office_kind(None, b"application/vnd.oasis.opendocument.spreadsheet") is None
    assert office_kind(b"<Types/>", None) is None


# --- archives -----------------------------------------------------------------------


def test_archive_limits() -> None:
    fine = [ArchiveEntry("word/document.xml", 50, 400), ArchiveEntry("a.png", 300, 300)]
    assert check_archive(fine, LIMITS) is None
    too_many = [ArchiveEntry(f"f{i}", 1, 1) for i in range(11)]
    assert "11 file" in str(check_archive(too_many, LIMITS))
    too_big = [ArchiveEntry("a", 400, 600), ArchiveEntry("b", 400, 600)]
    assert "occuperebbe" in str(check_archive(too_big, LIMITS))
    bomb = [ArchiveEntry("word/document.xml", 20, 900)]
    assert "bombe zip" in str(check_archive(bomb, LIMITS))
    escape = [ArchiveEntry("word/../../etc/passwd", 1, 1)]
    assert "percorso non ammesso" in str(check_archive(escape, LIMITS))


@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 2000)), min_size=0, max_size=15))
def test_an_accepted_archive_respects_every_limit(sizes: list[tuple[int, int]]) -> None:
    entries = [ArchiveEntry(f"part{i}.xml", c, s) for i, (c, s) in enumerate(sizes)]
    if check_archive(entries, LIMITS) is None:
        assert len(entries) <= LIMITS.max_entries
        assert sum(e.size for e in entries) <= LIMITS.max_total
        assert all(
            e.size <= LIMITS.ratio_floor or e.size <= LIMITS.max_ratio * max(e.compressed, 1)
            for e in entries
        )


def test_entry_names_that_would_leave_the_folder() -> None:
    for name in ("/etc/passwd", "\\windows\\x", "C:evil", "a/../../b", "..", "a\\..\\b", ""):
        assert unsafe_entry_name(name), name
    for name in ("word/document.xml", "[Content_Types].xml", "Pictures/1..2.png", "mimetype"):
        assert not unsafe_entry_name(name), name


def test_entity_declarations_in_any_encoding() -> None:
    xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r/>'
    assert declares_dtd(xxe.encode())
    assert declares_dtd(xxe.encode("utf-16"))
    assert declares_dtd(xxe.encode("utf-32"))
    assert declares_dtd(b"<! doctype html>")
    assert not declares_dtd(b'<?xml version="1.0"?><w:document><w:t>DOCTYPE</w:t></w:document>')


# --- images and names ---------------------------------------------------------------


def test_image_types_by_magic() -> None:
    assert image_extension(PNG) == "png"
    assert image_extension(b"\xff\xd8\xff\xe0") == "jpg"
    assert image_extension(b"GIF89a") == "gif"
    assert image_extension(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert image_extension(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert image_extension(b"\x01\x00\x00\x00EMF") is None


@given(
    st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    st.sampled_from(["png", "jpg", "gif", "webp"]),
)
def test_media_names_match_the_served_pattern(digest: str, extension: str) -> None:
    assert MEDIA_NAME.match(media_name(digest, extension))


@given(st.text(max_size=300))
def test_display_names_never_carry_a_path(filename: str) -> None:
    shown = display_name(filename)
    assert "/" not in shown and "\\" not in shown and "\x00" not in shown
    assert len(shown) <= 120


def test_title_from_the_file_name() -> None:
    assert title_from_filename("C:\\Bozze\\bozza_documento-finale v2.docx") == (
        "bozza documento finale v2"
    )
    assert title_from_filename("../../etc/passwd") == "passwd"


# --- splitting ----------------------------------------------------------------------

SAMPLE = """Testo prima di ogni titolo.

# Il documento

Premessa.

## Abitare

Casa[^1] per tutti.

```
# non è un titolo
```

### Dettaglio

Dettagli.

Lavoro
------

Fine.

[^1]: La nota sulla casa.
"""


def test_split_at_level_two_keeps_deeper_headings_in_the_body() -> None:
    sections = split_sections(SAMPLE, 2, "Premessa", "Senza titolo")
    assert [(s.title, s.level) for s in sections] == [
        ("Premessa", 1),
        ("Il documento", 1),
        ("Abitare", 2),
        ("Lavoro", 2),
    ]
    abitare = sections[2].body
    assert "# non è un titolo" in abitare and "### Dettaglio" in abitare
    # The note left the end of the text for the section that refers to it.
    assert abitare.endswith("[^1]: La nota sulla casa.")
    assert "[^1]:" not in sections[3].body
    html = render_markdown(abitare, prefix="s1")
    assert "La nota sulla casa." in html and 'class="footnote-ref"' in html


def test_split_levels_and_counts() -> None:
    assert [s.title for s in split_sections(SAMPLE, 1, "P", "?")] == ["P", "Il documento"]
    assert len(split_sections(SAMPLE, 3, "P", "?")) == 5
    only_text = split_sections("Solo testo.\n", 1, "Introduzione", "?")
    assert [(s.title, s.body) for s in only_text] == [("Introduzione", "Solo testo.")]
    assert split_sections("#\n\nx\n", 1, "P", "Senza titolo")[0].title == "Senza titolo"


_LINE = st.one_of(
    st.sampled_from(
        [
            "",
            "testo",
            "altro testo",
            "- punto",
            "> citazione",
            "| a | b |",
            "```",
            "testo[^a]",
            "[^a]: nota",
            "[^b]: altra nota",
            "    continua la nota",
            "testo[^b] e[^a]",
            "testo^[nota in linea]",
            "^[nota in linea con [^a] dentro]",
            "[^a]: nota con ^[una in linea]",
        ]
    ),
    st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 4), st.sampled_from(["A", "B"])),
)


@given(st.lists(_LINE, max_size=30), st.integers(1, 3))
def test_splitting_loses_no_line_and_respects_the_level(lines: list[str], level: int) -> None:
    markdown = "\n".join(lines)
    sections = split_sections(markdown, level, "Premessa", "Senza titolo")
    assert sections
    assert all(1 <= s.level <= level for s in sections)
    kept = [line for s in sections for line in s.body.split("\n") if line.strip()]
    headings = sum(1 for s in sections) - (1 if sections[0].title == "Premessa" else 0)
    source = [line for line in lines if line.strip()]
    assert len(kept) + headings == len(source)


def test_inline_notes_stay_where_they_are_written() -> None:
    markdown = "# A\n\nTesto^[in linea] e[^x].\n\n# B\n\nAltro.\n\n[^x]: La nota x.\n"
    first, second = split_sections(markdown, 1, "Premessa", "Senza titolo")
    assert first.body == "Testo^[in linea] e[^x].\n\n[^x]: La nota x."
    assert second.body == "Altro."


# Characters with a meaning in Markdown, and enough words to give them something to act on.
_MARKDOWN = st.lists(
    st.sampled_from([*"#*_`[]()!^:|->\\<&;\n \t1aè", "[^a]", "^[", "[^a]: ", "\n\n", "    "]),
    max_size=120,
).map("".join)


@budget(quick=200, long=20000)
@given(_MARKDOWN, st.integers(1, 4))
def test_any_markdown_splits_without_error(markdown: str, level: int) -> None:
    sections = split_sections(markdown, level, "Premessa", "Senza titolo")
    assert sections
    draft = read_draft(markdown)
    assert draft.title is None or draft.title.strip()


# --- every token shape, and hostile drafts --------------------------------------------


def _everything(draft_title: str | None, sections: list) -> str:  # type: ignore[type-arg]
    return "\n".join([draft_title or "", *(f"{s.title}\n{s.body}" for s in sections)])


def test_notes_of_every_shape_stay_in_the_text() -> None:
    markdown = (
        "# Capitolo[^h] con ![logo](tavolo-media:ab.png) e^[nota nel titolo]\n\n"
        "Testo[^doppia], mai definita[^manca], vuota[^vuota], senza etichetta [^] e [^ a].\n\n"
        "| cella[^t] | b |\n|---|---|\n| ^[in tabella] | d |\n\n"
        "# Secondo\n\n"
        "Ancora[^doppia].\n\n"
        "[^h]: Nota del titolo.\n"
        "[^doppia]: Prima definizione.\n"
        "[^doppia]: Seconda definizione.\n"
        "[^vuota]:\n"
        "[^t]: Nota della tabella.\n"
        "[^orfana]: Nessuno la chiama.\n"
    )
    first, second = split_sections(markdown, 1, "Premessa", "Senza titolo")
    assert first.title == "Capitolo con logo e"
    # What the heading held that a title cannot: its references and its picture.
    assert first.body.startswith(
        "[^h] ![logo](tavolo-media:ab.png) ^[nota nel titolo]\n\nTesto[^doppia]"
    )
    for moved in ("[^h]: Nota del titolo.", "[^t]: Nota della tabella.", "[^vuota]:"):
        assert moved in first.body
    # Defined twice: the definition the renderer shows goes with the first reference,
    # the other stays where it was written; both are kept.
    assert "[^doppia]: Seconda definizione." in first.body
    assert "[^doppia]: Prima definizione." in second.body
    assert "[^orfana]: Nessuno la chiama." in second.body
    html = render_markdown(first.body, prefix="s1")
    assert "Nota del titolo." in html and "nota nel titolo" in html


def test_headings_with_attributes_breaks_and_nesting() -> None:
    markdown = (
        "## CAPITOLO 1. Servizi {#capitolo-1.-servizi}\n\n"
        "Un titolo\nsu due righe\n==========\n\n"
        + "> " * 40
        + "# Citato in profondità\n\n"
        + "".join("  " * n + "- voce\n" for n in range(30))
        + "\n<div>\n\n# Dentro un blocco HTML\n\n</div>\n\n"
        "```\n# in un blocco di codice mai chiuso\n"
    )
    sections = split_sections(markdown, 3, "Premessa", "Senza titolo")
    assert [(s.title, s.level) for s in sections] == [
        ("CAPITOLO 1. Servizi", 2),
        ("Un titolo su due righe", 1),
        ("Dentro un blocco HTML", 1),
    ]
    assert "# Citato in profondità" in sections[1].body
    assert "# in un blocco di codice mai chiuso" in sections[2].body


def test_a_heading_too_long_for_a_title_is_kept_whole() -> None:
    words = " ".join(f"parola{n}" for n in range(80))
    [section] = split_sections(f"# {words}[^n]\n\nTesto.\n\n[^n]: Nota.", 1, "P", "?", 100)
    assert len(section.title) <= 100 and section.title.endswith("…")
    assert section.body.startswith(f"{words}[^n]\n\nTesto.")
    assert section.body.endswith("[^n]: Nota.")


# --- the document's title -------------------------------------------------------------


def test_the_title_line_above_the_chapters_is_the_title() -> None:
    draft = read_draft("Comune di Lodi\n\n# Piano^[del 2025]\n\nIntro.\n\n## Uno\n\n## Due\n")
    assert draft.title == "Piano"
    sections = split_sections(draft.markdown, 1, "Premessa", "?")
    assert [(s.title, s.level) for s in sections] == [("Premessa", 1), ("Uno", 1), ("Due", 1)]
    assert sections[0].body == "Comune di Lodi\n\n^[del 2025]\n\nIntro."


def test_chapters_are_not_a_title() -> None:
    for markdown in (
        "# 1. Premessa\n\nTesto.\n\n# 2. Obiettivi\n",  # two chapters of one level
        "# Solo\n\nTesto.\n",  # one heading, nothing below it
        "# Uno\n\n## Sotto\n\n# Due\n",
        "## Prima\n\n# Dopo, più in alto\n",
        "Un paragrafo lungo prima del titolo. " * 10 + "\n\n# Titolo\n\n## Capitolo\n",
    ):
        draft = read_draft(markdown)
        assert draft.title is None and draft.markdown == markdown, markdown


def test_the_title_from_metadata() -> None:
    markdown = (
        "---\ntitle: 'Piano *urbano* 2025'\nsubtitle: Bozza\nauthor: [Anna, Marco]\n"
        "lang: it\n---\n\n# Piano *urbano* 2025\n\n# Uno\n\nTesto.\n"
    )
    draft = read_draft(markdown, known_title="Titolo nelle proprietà")
    assert draft.title == "Piano urbano 2025"
    # The repeated title goes; subtitle and authors open the text; settings do not.
    assert draft.markdown == "Bozza\n\nAnna\n\nMarco\n\n# Uno\n\nTesto.\n"
    # The file's properties count when the text gives no title; a first paragraph
    # that repeats it (LibreOffice's Title style, read as a paragraph) is not kept twice.
    odt = read_draft("Titolo ODT\n\n# Uno\n\n## Sotto\n", known_title=" Titolo  ODT ")
    assert odt == Draft("Titolo ODT", "\n# Uno\n\n## Sotto\n")


def test_text_that_only_looks_like_metadata_stays() -> None:
    for markdown in (
        "---\nSolo una riga\n---\n\nTesto.",
        "---\ntitle: [non chiusa\n---\n",
        "---\ndata: 2025-13-45\ntitle: x\n---\n",
        "---\naltro: campo\n---\n",
        "---\ntitle: senza fine\n",
    ):
        assert front_matter(markdown) == ({}, markdown), markdown
        assert read_draft(markdown).markdown == markdown


def test_metadata_that_stands_for_billions_of_values() -> None:
    laughs = "".join(f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]\n" for n in range(1, 10))
    markdown = f"---\nl0: &l0 [ha]\n{laughs}title: *l9\nauthor: &me [Anna, *me]\n---\nTesto.\n"
    draft = read_draft(markdown)
    assert draft.title is not None and len(draft.title) <= 300
    assert set(draft.title.split()) <= {"ha", "ha…"}
    assert draft.markdown.startswith("Anna\n\n") and draft.markdown.endswith("Testo.\n")


_LABELS = st.sampled_from(["1", "a", "nota", "x-y", "ü", "1.1", "doppia"])


@st.composite
def _hostile_block(draw: st.DrawFn, n: int) -> tuple[str, list[str], list[str]]:
    """One block with the words `T{n}q` (a heading's) and `N{n}q` (a note's) that
    must come out of the split somewhere, as a title or as text."""
    title, note = f"T{n}q", f"N{n}q"
    label = draw(_LABELS)
    kind = draw(
        st.sampled_from(
            [
                "atx",
                "setext",
                "paragraph",
                "definition",
                "quote",
                "list",
                "html",
                "table",
                "fence",
                "front",
                "noise",
            ]
        )
    )
    if kind == "atx":
        decoration = draw(
            st.sampled_from(
                [
                    "",
                    " {#id-x}",
                    " {.unnumbered}",
                    " {-}",
                    " ##",
                    f"[^{label}]",
                    f"^[{note}]",
                    " ![logo](tavolo-media:ab.png)",
                    " *corsivo*",
                    " \\#",
                    " `codice`",
                    "   ",
                ]
            )
        )
        marks = "#" * draw(st.integers(1, 7))
        text = " " * draw(st.integers(0, 3)) + f"{marks} {title}{decoration}"
        return text, [title], [note] if note in decoration else []
    if kind == "setext":
        return f"{title}\naltra riga\n" + draw(st.sampled_from(["===", "---", "-"])), [title], []
    if kind == "paragraph":
        refs = draw(
            st.lists(st.sampled_from([f"[^{label}]", f"^[{note}]", "[^]", "[^ a]", "\\[^a]"]))
        )
        return "Testo" + "".join(refs), [], [note] if any(note in r for r in refs) else []
    if kind == "definition":
        tail = draw(st.sampled_from(["", "\n\n    continua", "\nriga pigra", "\n    # T0 no"]))
        body = draw(st.sampled_from([note, "", f"^[{note}] dentro", f"[^{label}] {note}"]))
        return f"[^{label}]: {body}{tail}", [], [note] if note in body else []
    if kind == "quote":
        quoted = "> " * draw(st.integers(1, 40))
        if draw(st.booleans()):
            return f"{quoted}# {title}", [title], []
        return f"{quoted}[^{label}]: {note}", [], [note]
    if kind == "list":
        depth = draw(st.integers(1, 30))
        items = "".join("  " * d + "- voce\n" for d in range(depth))
        return items + "  " * depth + f"- # {title}^[{note}]", [title], [note]
    if kind == "html":
        return (
            draw(st.sampled_from([f"<div>\n# {title}\n</div>", f"<!--\n# {title}\n-->"])),
            [title],
            [],
        )
    if kind == "table":
        return f"| a[^{label}] | {title} |\n|---|---|\n| ^[{note}] | d |", [title], [note]
    if kind == "fence":
        closing = draw(st.sampled_from(["\n```", "", "\n~~~"]))
        return f"```\n# {title}{closing}", [title], []
    if kind == "front":
        return (
            draw(
                st.sampled_from(
                    [f"---\ntitle: {title}\nauthor: [x]\n---", f"---\ntitle: [{title}\n---"]
                )
            ),
            [title],
            [],
        )
    return draw(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)), [], []


_PIECES = [*"#*_`[]()!^:|->\\<&;\n \t1aè{}", "[^a]", "^[", "[^a]: ", "\n\n", "    ", "\r", "\x00"]


@st.composite
def _hostile_draft(draw: st.DrawFn) -> tuple[str, list[str], list[str]]:
    blocks = [draw(_hostile_block(n)) for n in range(draw(st.integers(0, 12)))]
    separators = [draw(st.sampled_from(["\n\n", "\n", "\r\n\r\n", "\n\n\n"])) for _ in blocks]
    text = "".join(block + sep for (block, _h, _n), sep in zip(blocks, separators, strict=True))
    headings = [word for _b, words, _n in blocks for word in words]
    notes = [word for _b, _h, words in blocks for word in words]
    return text, headings, notes


@budget(quick=150, long=10000)
@given(_hostile_draft(), st.integers(1, 3), st.sampled_from([None, "Dalle proprietà"]))
def test_hostile_drafts_keep_every_heading_and_note(
    drawn: tuple[str, list[str], list[str]], level: int, known: str | None
) -> None:
    markdown, headings, notes = drawn
    draft = read_draft(markdown, known)
    sections = split_sections(draft.markdown, level, "Premessa", "Senza titolo")
    assert sections and all(1 <= s.level <= level and s.title for s in sections)
    everything = _everything(draft.title, sections)
    for word in [*headings, *notes]:
        assert word in everything, (word, markdown)
    found = detect(heading_levels(draft.markdown))
    for section in sections:
        assert without_number(found, section.level, section.title)


_WORDS = st.text(alphabet="abcdefghilmnopqrstuvzàèéìòù ABCDEFGHILMNOPQRSTUVZ", max_size=30)
_TITLE = _WORDS.map(lambda t: " ".join(t.split())).filter(bool)


@given(
    st.lists(st.tuples(st.integers(1, 3), _TITLE), min_size=1, max_size=15),
    st.booleans(),
    st.integers(1, 3),
)
def test_a_well_formed_outline_becomes_its_sections(
    chapters: list[tuple[int, str]], titled: bool, level: int
) -> None:
    """Chapters under a title line, or two or more chapters at the top level."""
    chapters = [(1, chapters[0][1]), *chapters[1:], (1, "Conclusioni")]
    lines = ["# Il piano", "", "Introduzione.", ""] if titled else []
    for n, (depth, title) in enumerate(chapters):
        lines += ["#" * (depth + titled) + f" {title}", "", f"Testo {n}.", ""]
    draft = read_draft("\n".join(lines))
    assert draft.title == ("Il piano" if titled else None)
    sections = split_sections(draft.markdown, level, "Premessa", "Senza titolo")
    expected = [(title, depth) for depth, title in chapters if depth <= level]
    assert [(s.title, s.level) for s in sections] == [("Premessa", 1)] * titled + expected
    owner = -1
    for n, (depth, _title) in enumerate(chapters):
        owner += depth <= level
        assert f"Testo {n}." in sections[owner + titled].body


# --- images and excerpts ------------------------------------------------------------


@given(st.text(max_size=200))
def test_rewriting_nothing_changes_nothing(markdown: str) -> None:
    assert rewrite_images(markdown, lambda alt, src: None) == markdown


def test_rewrite_images_sees_alt_and_src() -> None:
    text = 'Prima ![Logo \\] ASST](m/a.png "titolo") e ![](<m/b c.png>) dopo.'
    seen: list[tuple[str, str]] = []

    def _keep(alt: str, src: str) -> str:
        seen.append((alt, src))
        return f"[{src}]"

    assert rewrite_images(text, _keep) == "Prima [m/a.png] e [m/b c.png] dopo."
    assert seen == [("Logo \\] ASST", "m/a.png"), ("", "m/b c.png")]


def test_excerpt_takes_whole_paragraphs() -> None:
    body = "Primo paragrafo.\n\nSecondo paragrafo.\n\nTerzo."
    assert excerpt(body, 36) == ("Primo paragrafo.\n\nSecondo paragrafo.", True)
    assert excerpt(body, 1000) == (body, False)
    long_text, more = excerpt("parola " * 200, 50)
    assert more and long_text.endswith(" …") and len(long_text) <= 52
    assert re.fullmatch(r"(parola ?)+…", long_text)
