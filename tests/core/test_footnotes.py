"""Notes placed after words of a section at export time: the calls change nothing else
of the text, as markdown-it (the PDF) and pandoc (DOCX, ODT) read it, and a text with no
notes leaves as it came."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import subprocess
from dataclasses import replace

import pypandoc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.anchoring import Anchor, anchor_at
from app.core.export import (
    ExportSource,
    NotedSection,
    SourceSection,
    TextPart,
    document_markdown,
    fill_parts,
    fill_sections,
    part_marker,
)
from app.core.footnotes import LABEL, WORD_JOINER, BodyNote, annotate
from app.core.render import render_markdown
from app.modules.exports.assembly import PANDOC_FROM

NOTE = "Fonte: Laboratorio 3 – «Abitare», versione «Bozza 2»"

# Pieces of a line, chosen for what can go wrong right after them: code, links kept by
# their brackets, escapes, pandoc's superscripts, subscripts, spans and smart dashes.
PIECES = [
    "parola",
    "fondo",
    "**forte**",
    "*enfasi*",
    "_sotto_",
    "`codice qui`",
    "[link](https://esempio.it/a)",
    "[rif]",
    "[voce]",
    "<https://esempio.it>",
    "fine.",
    "virgola,",
    "\\*",
    "a\\",
    "x^2^",
    "H~2~O",
    "[^a]",
    "!",
    "]",
    "^",
    "«citazione»",
    '"virgolette"',
    "--",
    "...",
    ":smile:",
    "{.classe}",
    "&amp;",
    "~~barrato~~",
    "(tra parentesi)",
]


def _line(parts: list[tuple[str, str]]) -> str:
    # A line that starts with braces is attributes to pandoc, which drops a paragraph of
    # nothing else: no text of a synthesis reads so.
    line = "".join(p + s for p, s in parts).strip()
    return f"parola {line}" if line.startswith("{") else line


lines = st.lists(
    st.tuples(st.sampled_from(PIECES), st.sampled_from([" ", " ", ""])), min_size=1, max_size=6
).map(_line)
blocks = st.one_of(
    st.lists(lines, min_size=1, max_size=3).map("\n".join),
    st.tuples(lines, lines).map(lambda ls: f"{ls[0]}  \n{ls[1]}"),
    st.tuples(st.integers(1, 3), lines).map(lambda h: "#" * h[0] + " " + h[1]),
    st.tuples(lines, st.sampled_from(["===", "---"])).map("\n".join),
    st.lists(lines, min_size=1, max_size=3).map(lambda ls: "\n".join(f"- {x}" for x in ls)),
    st.lists(lines, min_size=1, max_size=3).map(
        lambda ls: "\n".join(f"{i}. {x}" for i, x in enumerate(ls, 1))
    ),
    st.tuples(lines, lines).map(lambda ls: f"- {ls[0]}\n\n  {ls[1]}\n  - {ls[0]}"),
    st.tuples(lines, lines, lines, st.booleans()).map(
        lambda t: f"| {t[0]} | {t[1]} |\n|---|---|\n| {t[2]} | {t[0]}" + (" |" if t[3] else "")
    ),
    st.lists(lines, min_size=1, max_size=2).map(lambda ls: "\n".join(f"> {x}" for x in ls)),
    lines.map(lambda x: f"```\n{x}\n```"),
    lines.map(lambda x: f"    {x}"),
    st.just("[rif]: https://esempio.it/rif"),
    st.just("***"),
)
# The writers' note comes last: a note that calls itself (a line of it, or a block
# indented under it, holding "[^a]") sends pandoc round in circles until its memory
# runs out, with or without notes of the export.
bodies = st.tuples(
    st.lists(blocks, min_size=1, max_size=5),
    st.sampled_from(["\n\n", "\n\n", "\n"]),
    st.sampled_from(["", "\n\n[^a]: Nota di chi scrive."]),
).map(lambda b: b[1].join(b[0]) + b[2] + "\n")


@st.composite
def noted_bodies(draw: st.DrawFn, max_notes: int = 3) -> tuple[str, list[BodyNote]]:
    """A text and notes on spans of it: any span, ending anywhere, words or markup."""
    body = draw(bodies)
    notes = []
    for _ in range(draw(st.integers(1, max_notes))):
        start = draw(st.integers(0, len(body) - 1))
        end = draw(st.integers(start + 1, len(body)))
        if body[start:end].strip():
            notes.append(BodyNote(anchor_at(body, start, end), NOTE))
    return body, notes


def _calls_placed(text: str) -> int:
    definitions = len(re.findall(rf"^\[\^{LABEL}[^\]]*\]:", text, re.MULTILINE))
    calls = text.count(f"[^{LABEL}") - definitions
    assert calls == definitions  # every call has its note, every note its call
    return calls


def _without_calls(rendered: str) -> str:
    rendered = rendered.replace(WORD_JOINER, "")
    rendered = re.sub(r'<sup class="footnote-ref">.*?</sup>', "", rendered)
    return re.sub(r'\s*<hr class="footnotes-sep">.*', "", rendered, flags=re.DOTALL).strip()


def _calls_in_headings(rendered: str) -> int:
    headings = re.findall(r"<h\d[^>]*>.*?</h\d>", rendered, flags=re.DOTALL)
    return sum(h.count("footnote-ref") for h in headings)


@given(bodies, st.lists(st.sampled_from(["", "  ", "\n\t"]), max_size=3))
def test_a_text_without_notes_leaves_byte_for_byte(body: str, blanks: list[str]) -> None:
    assert annotate(body, []) is body
    empty = [BodyNote(Anchor(body.strip()[:5] or "x", "", "", 0), blank) for blank in blanks]
    assert annotate(body, empty) is body
    # Sections without notes go into pandoc's input as they always did, markers or not.
    sections = (SourceSection("1", "Proposte", 1, body), SourceSection("2", "Altro", 1, body))
    source = ExportSource(
        1, "Sintesi", "", "it", "Tavolo", "Lodi", None, None, (), sections, "draft", None,
        dt.datetime(2026, 3, 5, 14, 22),
    )  # fmt: skip
    with_markers = document_markdown(source, "5 marzo 2026", noted=lambda i: f"MARKER{i}")
    assert with_markers == document_markdown(source, "5 marzo 2026")


@given(noted_bodies(max_notes=2))
def test_the_worker_places_the_notes_where_the_server_left_their_sections(
    case: tuple[str, list[BodyNote]],
) -> None:
    """pandoc's input with a section's notes placed by the export worker is the input
    the section would have had with the notes in its text; the PDF's part likewise."""
    body, notes = case
    with_notes = SourceSection("1", "Proposte", 2, body, tuple(notes))
    source = ExportSource(
        1, "Sintesi", "", "it", "Tavolo", "Lodi", None, None, (), (with_notes,), "draft", None,
        dt.datetime(2026, 3, 5, 14, 22),
    )  # fmt: skip
    marked = annotate(body, notes)
    expected = document_markdown(replace(source, sections=(replace(with_notes, body=marked),)), "")
    markdown = document_markdown(source, "", noted=lambda i: f"tavolo-{i}")
    filled = fill_sections(markdown, [NotedSection("tavolo-0", body, 2, "s1", tuple(notes))], str)
    assert filled == expected
    travelled = [
        NotedSection.from_dict(NotedSection("tavolo-0", body, 2, "s1", tuple(notes)).as_dict())
    ]
    assert fill_sections(markdown, travelled, str) == expected
    part = TextPart(part_marker(0), body, "s1", 2, True, None, tuple(notes))
    again = TextPart.from_dict(part.as_dict())
    assert again == part
    plain = TextPart(part_marker(0), marked, "s1", 2, True)
    assert fill_parts(part.marker, [again]) == fill_parts(plain.marker, [plain])


@given(noted_bodies())
def test_calls_change_nothing_else_of_the_text(case: tuple[str, list[BodyNote]]) -> None:
    """Headings, lists, tables, code, links and the writers' own notes render as they
    did; each call placed is a call, with its note; none lands in a heading."""
    body, notes = case
    marked = annotate(body, notes)
    before, after = render_markdown(body, "s1"), render_markdown(marked, "s1")
    assert _without_calls(after) == _without_calls(before)
    calls = _calls_placed(marked)
    assert after.count('class="footnote-ref"') == before.count('class="footnote-ref"') + calls
    assert _calls_in_headings(after) == _calls_in_headings(before)
    assert calls <= len(notes)


def _pandoc(text: str) -> list[object]:
    done = subprocess.run(
        [pypandoc.get_pandoc_path(), f"--from={PANDOC_FROM}", "--to=json", "+RTS", "-M300m"],
        input=text.encode(),
        capture_output=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)["blocks"]


def _plain(node: object) -> object:
    """pandoc's reading without its notes, adjacent words joined again."""
    if isinstance(node, list):
        kept: list[object] = []
        for item in node:
            if isinstance(item, dict) and item.get("t") == "Note":
                continue
            item = _plain(item)
            if isinstance(item, dict) and item.get("t") == "Str":
                if not item["c"]:
                    continue
                last = kept[-1] if kept else None
                if isinstance(last, dict) and last.get("t") == "Str":
                    kept[-1] = {"t": "Str", "c": last["c"] + item["c"]}
                    continue
            kept.append(item)
        return kept
    if isinstance(node, dict):
        if node.get("t") == "Str":
            return {"t": "Str", "c": node["c"].replace(WORD_JOINER, "")}
        return {key: _plain(value) for key, value in node.items()}
    return node


def _notes(node: object) -> int:
    if isinstance(node, list):
        return sum(_notes(item) for item in node)
    if isinstance(node, dict):
        return (node.get("t") == "Note") + sum(_notes(v) for v in node.values())
    return 0


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(noted_bodies())
def test_pandoc_reads_the_same_text_with_its_calls(case: tuple[str, list[BodyNote]]) -> None:
    """The DOCX and the ODT: pandoc, whose Markdown knows more than markdown-it
    (superscripts, spans, smart dashes, links to headings), reads the same text."""
    body, notes = case
    marked = annotate(body, notes)
    before, after = _pandoc(body), _pandoc(marked)
    assert _plain(after) == _plain(before)
    assert _notes(after) == _notes(before) + _calls_placed(marked)


@given(st.lists(st.sampled_from(["Serve", "un", "fondo", "per", "gli", "affitti"]), min_size=1))
def test_words_that_end_a_paragraph_get_their_call_right_after_them(words: list[str]) -> None:
    passage = " ".join(words) + "."
    body = f"Premessa della sintesi.\n\n{passage}\n\nAltro testo.\n"
    start = body.index(passage)
    marked = annotate(body, [BodyNote(anchor_at(body, start, start + len(passage)), NOTE)])
    assert f"\n{passage}[^{LABEL}-1]\n\nAltro testo.\n" in marked
    assert marked.endswith(f"\n\n[^{LABEL}-1]: {NOTE}\n")


def test_words_inside_a_line_get_their_call_before_the_space_or_the_comma() -> None:
    body = "Le cooperative gestiscono alloggi, per i giovani e le famiglie.\n"
    notes = [
        BodyNote(anchor_at(body, 0, len("Le cooperative")), "Uno"),
        BodyNote(anchor_at(body, 0, len("Le cooperative gestiscono alloggi")), "Due"),
    ]
    assert annotate(body, notes).startswith(
        f"Le cooperative[^{LABEL}-1] gestiscono alloggi[^{LABEL}-2], per i giovani"
    )


def test_calls_keep_out_of_code_links_tables_bars_and_headings() -> None:
    body = (
        "## Casa e lavoro\n\n"
        "Vedi `il codice` e [il piano](https://esempio.it/piano).\n\n"
        "| Ente | Impegno |\n|---|---|\n| Comune | Fondo |\n"
    )
    spans = ["## Casa", "Vedi `il", "[il piano](https://esem", "| Comune | Fondo |"]
    notes = [BodyNote(anchor_at(body, body.index(s), body.index(s) + len(s)), NOTE) for s in spans]
    marked = annotate(body, notes)
    assert "## Casa e lavoro\n" in marked  # no line of its own in the heading: no call
    assert f"(https://esempio.it/piano).[^{LABEL}-2][^{LABEL}-3]\n" in marked
    assert f"| Comune | Fondo[^{LABEL}-4] |\n" in marked
    assert _calls_placed(marked) == 3


def test_a_link_by_its_label_stays_a_link_before_its_call() -> None:
    body = "Vedi il [piano]\n\n[piano]: https://esempio.it/piano\n"
    end = body.index("]") + 1
    marked = annotate(body, [BodyNote(anchor_at(body, 0, end), NOTE)])
    assert f"Vedi il [piano]{WORD_JOINER}[^{LABEL}-1]\n" in marked
    assert '<a href="https://esempio.it/piano"' in render_markdown(marked)


def test_words_no_longer_in_the_text_get_no_call() -> None:
    body = "La sintesi è stata riscritta in plenaria.\n"
    gone = BodyNote(Anchor("Serve un fondo di garanzia.", "", "", 0), NOTE)
    assert annotate(body, [gone]) is body


def test_a_code_block_never_closed_takes_no_notes() -> None:
    body = "Testo.\n\n```\ncodice senza fine"
    assert annotate(body, [BodyNote(anchor_at(body, 0, 6), NOTE)]) is body


def test_labels_of_the_writers_are_never_taken() -> None:
    body = f"Testo[^{LABEL}-1] mio.\n\n[^{LABEL}-1]: Nota di chi scrive.\n"
    marked = annotate(body, [BodyNote(anchor_at(body, 0, 5), NOTE)])
    assert f"[^{LABEL}1-1]: {NOTE}" in marked
    rendered = render_markdown(marked)
    assert "Nota di chi scrive." in rendered and "Laboratorio 3" in rendered


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=80))
def test_a_note_is_its_text_never_markup(text: str) -> None:
    """A lab's title goes into the note as it was typed: no emphasis, link, list or
    tag can come out of it."""
    body = "Testo della sintesi.\n"
    marked = annotate(body, [BodyNote(anchor_at(body, 0, 5), text)])
    flat = " ".join(text.split())
    if not flat:
        assert marked is body
        return
    rendered = render_markdown(marked)
    note = re.search(r'<li id="fn1" class="footnote-item"><p>(.*?) <a href', rendered, re.DOTALL)
    assert note is not None
    assert "<" not in note.group(1)
    assert html.unescape(note.group(1)) == flat.replace("\x00", "\ufffd")
