"""Numbers already written in imported headings: which ones read as numbers, when they
number a level (a habit of most of its headings, or a run counting on), and how they
leave a title when Tavolo numbers instead, never emptying it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.numbering import NONE, detect, leading_label, without_number
from app.core.outline import depths, numbers
from tests.fuzzing import budget

LABELLED = {
    "1 Premessa": "Premessa",
    "1. Premessa": "Premessa",
    "1.1 Obiettivi": "Obiettivi",
    "1.1. Obiettivi": "Obiettivi",
    "2.1.3) Strumenti": "Strumenti",
    "A) Abitare": "Abitare",
    "a. abitare": "abitare",
    "I. Introduzione": "Introduzione",
    "IV - Lavoro": "Lavoro",
    "Capitolo 2: Dati": "Dati",
    "Capitolo II – Storia": "Storia",
    "CAPITOLO 1. Servizi": "Servizi",
    "Sezione 3. Fine": "Fine",
    "Parte prima – Il contesto": "Il contesto",
    "Art. 5 - Finalità": "Finalità",
    "Allegato A: Tabelle": "Tabelle",
    "APPENDICE 1. Acronimi": "Acronimi",
}
NOT_LABELLED = [
    "2030: la città che vogliamo",
    "1.000 alloggi in dieci anni",
    "I percorsi attuativi",
    "A proposito di casa",
    "Titolo e sottotitolo",
    "3D e realtà aumentata",
    "1,5 milioni di euro",
    "Partecipazione",
    "Executive Summary",
    "A.S.L. di Lodi",
]


def test_numbers_that_read_as_numbers() -> None:
    for title, rest in LABELLED.items():
        label = leading_label(title)
        assert label is not None and label.rest == rest, title
    for title in NOT_LABELLED:
        assert leading_label(title) is None, title
    # A number alone is still a number; the title it leaves is empty.
    for alone in ("Parte prima", "Art. 5", "Allegato A", "3."):
        label = leading_label(alone)
        assert label is not None and label.rest == "", alone


def _levels(titles: list[str], level: int = 1) -> list[tuple[int, str]]:
    return [(level, title) for title in titles]


def test_numbering_is_a_habit_of_a_level() -> None:
    numbered = detect(_levels(["1. Premessa", "2. Obiettivi", "3. Azioni", "Allegati"]))
    assert numbered and numbered.example == "1. Premessa"
    assert without_number(numbered, 1, "2. Obiettivi") == "Obiettivi"
    assert without_number(numbered, 1, "Allegati") == "Allegati"
    # One title that starts with a number is a title.
    for odd in ("2030: la città", "1.000 alloggi", "10 azioni per il clima"):
        assert not detect(_levels(["Premessa", odd, "Obiettivi", "Azioni"])), odd
    # Numbers that do not count on are not numbering either.
    assert not detect(_levels(["10 azioni", "12 obiettivi", "Premessa"]))
    assert not detect(_levels(["1. Uno", "1. Uno bis"]))


def test_a_run_of_chapters_among_unnumbered_headings() -> None:
    """The national plan: «CAPITOLO 1.» to «CAPITOLO 9.» among sixty headings, and an
    «APPENDICE 1.» that is a number only once but unmistakably."""
    titles = ["Executive Summary", "Strategia"]
    for n in range(1, 10):
        titles += [f"CAPITOLO {n}. Tema {n}", "Contesto normativo", "Obiettivi", "Cosa fare"]
    titles += ["Ringraziamenti", "APPENDICE 1. Acronimi"]
    found = detect(_levels(titles))
    assert found.example == "CAPITOLO 1. Tema 1"
    assert without_number(found, 1, "CAPITOLO 4. Tema 4") == "Tema 4"
    assert without_number(found, 1, "APPENDICE 1. Acronimi") == "Acronimi"
    assert without_number(found, 1, "Contesto normativo") == "Contesto normativo"
    assert without_number(NONE, 1, "CAPITOLO 4. Tema 4") == "CAPITOLO 4. Tema 4"


def test_letters_and_roman_numbers_are_numbers_only_where_they_count() -> None:
    found = detect(_levels(["A) Casa", "B) Lavoro", "C) Scuola", "D. Lgs. 50/2016"]))
    assert without_number(found, 1, "C) Scuola") == "Scuola"
    roman = detect(_levels(["I. Casa", "II. Lavoro", "III. Scuola"]))
    assert without_number(roman, 1, "II. Lavoro") == "Lavoro"
    # Elsewhere in the document a letter is part of the title.
    assert without_number(roman, 2, "D. Lgs. 50/2016") == "D. Lgs. 50/2016"


_WORD = st.text(alphabet="abcdefghilmnopqrstuvzàèéìòù", min_size=1, max_size=10)
_TITLE = st.lists(_WORD, min_size=1, max_size=5).map(" ".join)
_SEPARATORS = st.sampled_from([" ", ". ", " - ", " – ", ") ", ": "])


@budget(quick=200, long=5000)
@given(
    st.lists(st.tuples(st.integers(1, 3), _TITLE), min_size=2, max_size=30),
    _SEPARATORS,
)
def test_tavolo_numbers_read_back_are_numbering(
    outline: list[tuple[int, str]], separator: str
) -> None:
    """A document exported with Tavolo's numbers and imported again: every level with
    two or more headings is numbered, and each title comes back as it was."""
    levels = depths([level for level, _title in outline])
    labelled = [
        (level, f"{number}{separator}{title}")
        for level, number, (_asked, title) in zip(levels, numbers(levels), outline, strict=True)
    ]
    found = detect(labelled)
    for level in set(levels):
        if levels.count(level) >= 2:
            assert any(lvl == level for lvl, _kind in found.kinds), (level, labelled)
    for (level, text), (_asked, title) in zip(labelled, outline, strict=True):
        if levels.count(level) >= 2:
            assert without_number(found, level, text) == title


@given(st.lists(st.tuples(st.integers(1, 3), _TITLE), max_size=30))
def test_plain_titles_are_left_alone(outline: list[tuple[int, str]]) -> None:
    found = detect(outline)
    for level, title in outline:
        assert without_number(found, level, title) == title or leading_label(title)


@given(st.text(max_size=60), st.integers(1, 3))
def test_a_title_is_never_emptied(title: str, level: int) -> None:
    everything = detect([(level, title), (level, title)])
    stripped = without_number(everything, level, title)
    assert stripped.strip() or stripped == title
    assert title.strip().endswith(stripped) or stripped == title
