"""Pure parts of exporting: the seal, file names, annexes and the joined Markdown."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from app.core.export import (
    ColophonLabels,
    ExportSource,
    Format,
    Participant,
    SourceSection,
    TextPart,
    canonical_text,
    colophon_markdown,
    document_markdown,
    escape_markdown,
    export_filename,
    fill_parts,
    footnotes_in_place,
    italian_quotes,
    part_marker,
    participants_markdown,
    prefix_footnotes,
    shift_headings,
    text_sha256,
)
from app.core.render import render_markdown

WHEN = dt.datetime(2026, 3, 5, 14, 22)
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
sections = st.lists(
    st.builds(
        SourceSection,
        number=st.from_regex(r"[1-9](\.[1-9]){0,2}", fullmatch=True),
        title=texts,
        depth=st.integers(1, 3),
        body=texts,
    ),
    max_size=6,
)


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


@given(sections)
def test_the_seal_ignores_line_endings(parts: list[SourceSection]) -> None:
    # The same text as typed on Windows: every line break, whatever it was, as CRLF (a
    # CR already before an LF would otherwise make an extra, empty line).
    windows = [SourceSection(s.number, s.title, s.depth, _crlf(s.body)) for s in parts]
    assert text_sha256(parts) == text_sha256(windows)


@given(sections, texts)
def test_the_seal_changes_with_the_text(parts: list[SourceSection], extra: str) -> None:
    changed = [*parts, SourceSection("9", "Aggiunta", 1, extra)]
    assert text_sha256(parts) != text_sha256(changed)
    assert re.fullmatch(r"[0-9a-f]{64}", text_sha256(parts))


@given(texts, st.one_of(st.none(), texts), st.sets(st.text(max_size=40), max_size=5))
def test_file_names_are_slugs_that_never_collide(
    title: str, version: str | None, taken: set[str]
) -> None:
    name = export_filename(12, title, version, WHEN, Format.PDF, taken)
    assert name not in taken
    assert re.fullmatch(r"12-[a-z0-9-]+\.pdf", name)
    assert "2026-03-05-1422" in name
    assert "/" not in name and ".." not in name


def test_file_name_says_document_version_and_date() -> None:
    name = export_filename(7, "Patto per la Socialità", "Versione finale", WHEN, Format.DOCX)
    assert name == "7-patto-per-la-socialita-versione-finale-2026-03-05-1422.docx"
    again = export_filename(
        7, "Patto per la Socialità", "Versione finale", WHEN, Format.DOCX, {name}
    )
    assert again == "7-patto-per-la-socialita-versione-finale-2026-03-05-1422-2.docx"


@given(texts)
def test_escaped_text_renders_as_itself(text: str) -> None:
    """A name in an annex is never read as Markdown: what comes out is the name."""
    html = render_markdown(f"x {escape_markdown(text)}")
    assert re.findall(r"<(\w+)", html) == ["p"]


def test_participants_are_grouped_by_category_and_organisation() -> None:
    people = [
        Participant("Marco Bianchi", "Comune di Codogno", "Comune"),
        Participant("Anna Rossi", "Cooperativa *Il Ponte*", "Terzo settore"),
        Participant("Giulia Ferrari", "ASST di Lodi", "Azienda sanitaria"),
        Participant("Luca Conti", "Comune di Codogno", "Comune"),
        Participant("Sara Neri", "", ""),
    ]
    text = participants_markdown(people, "Altri", "A titolo personale")
    assert text.index("Azienda sanitaria") < text.index("Comune") < text.index("Terzo settore")
    assert "- Comune di Codogno: Luca Conti, Marco Bianchi" in text
    assert "Cooperativa \\*Il Ponte\\*" in text
    assert "**Altri**" in text and "A titolo personale: Sara Neri" in text
    assert "<em>" not in render_markdown(text)


@given(st.text(alphabet="#` ~abc\n", max_size=60), st.integers(1, 3))
def test_shifting_never_touches_fenced_code_and_stops_at_six(body: str, above: int) -> None:
    shifted = shift_headings(body, above)
    assert len(shifted.split("\n")) == len(body.split("\n"))
    for before, after in zip(body.split("\n"), shifted.split("\n"), strict=True):
        assert after == before or after.lstrip(" ").startswith("#")
        assert not after.lstrip(" ").startswith("#######") or after == before


def test_shifting_headings_and_footnotes() -> None:
    body = "## Obiettivi\n\nTesto[^1].\n\n```\n# non un titolo\n```\n\n### Dettagli\n\n[^1]: Nota."
    shifted = prefix_footnotes(shift_headings(body, 2), "s3")
    assert shifted.startswith("### Obiettivi")
    assert "\n#### Dettagli\n" in shifted
    assert "# non un titolo" in shifted and "### non" not in shifted
    assert "[^s3-1]" in shifted and "[^1]" not in shifted


def test_document_markdown_has_metadata_numbers_and_annexes() -> None:
    source = ExportSource(
        document_id=1,
        title='Il "patto": salute',
        subtitle="",
        language="it",
        workshop_title="Tavolo",
        place="Lodi",
        starts_on=None,
        ends_on=None,
        promoters=(),
        sections=(
            SourceSection("1", "Abitare", 1, "Testo[^1].\n\n[^1]: Nota uno."),
            SourceSection("1.1", "Casa", 2, "#### Sotto\n\nAltro[^1].\n\n[^1]: Nota due."),
        ),
        status="draft",
        version_name=None,
        created_at=WHEN,
    )
    text = document_markdown(source, "5 marzo 2026")
    assert text.startswith('---\ntitle: "Il \\"patto\\": salute"\nlang: "it"')
    assert "# 1 Abitare" in text and "## 1.1 Casa" in text and "### Sotto" in text
    assert "[^s1-1]: Nota uno." in text and "[^s2-1]: Nota due." in text

    # A document that keeps its file's numbers: the titles alone, and the seal of a
    # numbered document is what it always was.
    own = replace(
        source,
        sections=tuple(replace(s, number="") for s in source.sections),
    )
    plain = document_markdown(own, "5 marzo 2026")
    assert "\n# Abitare\n" in plain and "\n## Casa\n" in plain
    assert canonical_text(own.sections).startswith("Abitare\n\nTesto")
    assert canonical_text(source.sections).startswith("1 Abitare\n\nTesto")


def test_colophon_carries_version_date_and_seal() -> None:
    labels = ColophonLabels("Versione", "testo corrente", "Data", "SHA-256", "Nota.")
    text = colophon_markdown(None, "05/03/2026 14:22", "ab" * 32, labels)
    assert "Versione: testo corrente" in text and "`" + "ab" * 32 + "`" in text


def test_italian_quotes() -> None:
    html = render_markdown('Il "budget di salute" dell\'ASST e `a="b"`.\n\n    x = "y"')
    typeset = italian_quotes(html)
    assert "Il «budget di salute» dell’ASST" in typeset
    assert 'a="b"' in typeset or "a=&quot;b&quot;" in typeset
    assert "«y»" not in typeset


@given(texts)
def test_quotes_keep_the_markup_and_every_other_character(text: str) -> None:
    html = render_markdown(text)
    typeset = italian_quotes(html)
    tags = re.findall(r"<[^>]*>", html)
    assert re.findall(r"<[^>]*>", typeset) == tags
    assert italian_quotes(typeset) == typeset
    plain = re.sub(r"<[^>]*>", "", typeset)
    assert '"' not in plain.replace("&quot;", '"') or "<code>" in html or "<pre>" in html


def test_notes_move_to_where_they_are_called() -> None:
    html = render_markdown("Testo[^1] e altro[^a].\n\n[^1]: Nota *uno*.\n\n[^a]: Nota due.", "s1")
    moved = footnotes_in_place(html)
    assert "footnotes" not in moved and "footnote-ref" not in moved
    assert 'Testo<span class="footnote">Nota <em>uno</em>.</span> e altro' in moved
    assert '<span class="footnote">Nota due.</span>' in moved


def test_notes_with_blocks_or_called_twice_stay_at_the_end() -> None:
    twice = render_markdown("Uno[^1] due[^1].\n\n[^1]: Nota.", "s1")
    assert footnotes_in_place(twice) == twice
    listed = render_markdown("Uno[^1].\n\n[^1]: Nota:\n\n    - a\n    - b", "s1")
    assert footnotes_in_place(listed) == listed


@given(
    st.lists(
        st.sampled_from(
            ["Testo", "[^1]", "[^2]", "\n\n", "*x*", "[^1]: Nota uno.", "\n\n[^2]: Due", "- voce"]
        ),
        max_size=12,
    )
)
def test_moving_notes_keeps_every_word(parts: list[str]) -> None:
    html = render_markdown("".join(parts), "s1")
    moved = footnotes_in_place(html)
    words = lambda h: sorted(re.sub(r"<[^>]*>|↩︎|\[\d+(:\d+)?\]", " ", h).split())  # noqa: E731
    assert moved == html or words(moved) == words(html)


@given(st.lists(texts, min_size=1, max_size=4))
def test_every_part_fills_its_own_marker_and_stays_escaped(bodies: list[str]) -> None:
    parts = [TextPart(part_marker(i), body, f"s{i}", 2, True) for i, body in enumerate(bodies)]
    page = "<main>" + "".join(f"<section>{p.marker}</section>" for p in parts) + "</main>"
    filled = fill_parts(page, parts)
    assert "tavolo-part-" not in filled
    assert filled.count("<section>") == len(bodies)
    assert "<script" not in filled


def test_a_part_is_rendered_like_the_document_page() -> None:
    part = TextPart(part_marker(0), '# Casa\n\nIl "patto"[^1].\n\n[^1]: Nota.', "s1", 2, True)
    filled = fill_parts(f"<div>{part.marker}</div>", [part])
    assert '<h3 id="s1-casa">Casa</h3>' in filled
    assert 'Il «patto»<span class="footnote">Nota.</span>' in filled
