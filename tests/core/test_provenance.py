"""A pulled passage through the edits of both texts: where it sits in the synthesis,
whether its lab changed it, and which of a lab's paragraphs are used."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.anchoring import anchor_at, locate
from app.core.provenance import SourceState, append, check_source, paragraphs, replace
from tests.core.test_anchoring import PASSAGE, around, passage

# A lab's sentence, its words not repeated: a refined proposal is found by its words.
sentence = st.lists(st.sampled_from(PASSAGE), min_size=6, max_size=10, unique=True).map(" ".join)

# Paragraphs of the text around, separated as people separate them.
blocks = st.lists(around.filter(str.strip), max_size=5).map("\n\n".join)


@given(blocks, passage)
def test_an_appended_passage_is_a_paragraph_of_its_own_and_found_again(
    body: str, pulled: str
) -> None:
    placed = append(body, pulled)
    assert placed.text.startswith(body.rstrip("\n"))
    assert placed.anchor.quote == pulled
    start, end = locate(placed.anchor, placed.text)  # type: ignore[misc]
    assert placed.text[start:end] == pulled
    if body.strip():
        assert placed.text[:start].endswith("\n\n")


@given(blocks, passage, around, around, passage)
def test_an_update_replaces_the_passage_where_it_is_after_writing_around_it(
    body: str, pulled: str, before: str, after: str, newer: str
) -> None:
    placed = append(body, pulled)
    # Others keep writing in the synthesis, before and after the passage.
    edited = f"{before}\n\n{placed.text}\n{after}"
    updated = replace(edited, placed.anchor, newer)
    assert updated is not None
    start = edited.index(pulled, len(before))
    assert updated.text == edited[:start] + newer + edited[start + len(pulled) :]
    assert updated.anchor.quote == newer
    assert locate(updated.anchor, updated.text) == (start, start + len(newer))


def test_a_passage_deleted_from_the_synthesis_is_not_updated() -> None:
    placed = append("Premessa.", "Le cooperative gestiscono gli alloggi dei giovani.")
    assert replace("Premessa.", placed.anchor, "Nuove parole.") is None
    with pytest.raises(ValueError):
        replace(placed.text, placed.anchor, "")
    with pytest.raises(ValueError):
        append("Premessa.", "\n \n")


@given(around, passage, around, around, around)
def test_writing_around_the_source_leaves_it_the_same(
    before: str, pulled: str, after: str, more_before: str, more_after: str
) -> None:
    source = f"{before} {pulled} {after}"
    anchor = anchor_at(source, len(before) + 1, len(before) + 1 + len(pulled))
    later = f"{more_before}\n\n{source}\n\n{more_after}"
    for then in (None, source):
        check = check_source(anchor, pulled, later, then)
        assert check.state is SourceState.SAME and check.current == pulled


@given(around, sentence, around)
def test_a_lab_changing_the_passage_is_told_and_its_new_words_given(
    before: str, pulled: str, after: str
) -> None:
    source = f"{before} {pulled} {after}"
    anchor = anchor_at(source, len(before) + 1, len(before) + 1 + len(pulled))
    # A word added inside the passage, as a lab does when it refines a proposal.
    middle = pulled.index(" ") if " " in pulled else len(pulled)
    changed_passage = pulled[:middle] + " sostenibile" + pulled[middle:]
    later = f"{before}\n\n{source.replace(pulled, changed_passage, 1)}"
    check = check_source(anchor, pulled, later, then=source)
    assert check.state is SourceState.CHANGED and check.current == changed_passage
    # Without the text as it was, the words are searched for, and still found changed.
    assert check_source(anchor, pulled, later).state is SourceState.CHANGED


@given(around, passage, around)
def test_a_lost_source_is_marked_never_mistaken(before: str, pulled: str, after: str) -> None:
    source = f"{before} {pulled} {after}"
    anchor = anchor_at(source, len(before) + 1, len(before) + 1 + len(pulled))
    assert check_source(anchor, pulled, None).state is SourceState.LOST
    for then in (None, source):
        gone = check_source(anchor, pulled, f"{before} {after}", then)
        assert gone.state is SourceState.LOST and gone.current is None


@given(
    st.lists(st.sampled_from(["casa", "lavoro", "", " ", "\t", "rete di servizi"]), max_size=30),
    st.lists(st.tuples(st.integers(0, 200), st.integers(1, 40)), max_size=4),
)
def test_paragraphs_cover_every_written_line_once_and_say_which_are_used(
    lines: list[str], spans: list[tuple[int, int]]
) -> None:
    text = "\n".join(lines)
    used = [(start, start + length) for start, length in spans]
    found = paragraphs(text, used)
    # In order, apart, each a block without blank lines, trimmed of spaces.
    assert all(a.end < b.start for a, b in itertools.pairwise(found))
    for p in found:
        block = text[p.start : p.end]
        assert block == block.strip() and block
        assert all(line.strip() for line in block.split("\n"))
        assert p.used == any(a < p.end and p.start < b for a, b in used)
    # Every character that is not blank belongs to one paragraph.
    covered = {i for p in found for i in range(p.start, p.end)}
    assert {i for i, c in enumerate(text) if not c.isspace()} <= covered


def test_a_passage_written_again_from_scratch_is_lost_not_changed() -> None:
    source = "Premessa.\n\nI tirocini durano almeno sei mesi.\n\nFine."
    start = source.index("I tirocini")
    pulled = "I tirocini durano almeno sei mesi."
    anchor = anchor_at(source, start, start + len(pulled))
    rewritten = source.replace(pulled, "Tutt'altro testo, scritto da capo ieri.")
    assert check_source(anchor, pulled, rewritten, source).state is SourceState.LOST
    reworded = source.replace(pulled, "I tirocini durano almeno otto mesi.")
    changed = check_source(anchor, pulled, reworded, source)
    assert changed.state is SourceState.CHANGED
    assert changed.current == "I tirocini durano almeno otto mesi."
