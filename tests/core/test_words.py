"""Word counts must match what a writer counting by hand (or in Word) would get, since
regional forms reject texts over "max 600 parole"."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.words import count_words, limit_status

WORD = st.text(alphabet="abcdefghilmnopqrstuvzàèéìòù", min_size=1, max_size=12)


def test_italian_elision_counts_two_words():
    assert count_words("dell'ASL e l'abitare") == 5


def test_numbers_and_hyphenated_words_count_once():
    assert count_words("Spesi 1.234,50 euro nel socio-sanitario") == 5


def test_markdown_punctuation_is_not_counted():
    text = "## Titolo\n\n- **uno** e _due_\n- [tre](https://example.org/a-b-c)\n\n> citazione"
    assert count_words(text) == 6


def test_list_numbers_footnote_marks_and_autolinks_are_not_words():
    text = "1. Primo punto[^1]\n2) Secondo\n\n[^1]: Nota.\n\nVedi <https://example.org/x-y>"
    assert count_words(text) == 6


@given(st.lists(WORD, max_size=50))
def test_plain_words_are_counted_one_by_one(words):
    assert count_words(" ".join(words)) == len(words)


@given(st.lists(WORD, min_size=1, max_size=30), st.sampled_from(["**", "_", "~~", "`"]))
def test_emphasis_does_not_change_the_count(words, mark):
    plain = " ".join(words)
    assert count_words(f"{mark}{plain}{mark}") == count_words(plain)


@given(st.lists(WORD, max_size=20), st.lists(WORD, max_size=20))
def test_counts_add_up_across_paragraphs(first, second):
    a, b = " ".join(first), " ".join(second)
    assert count_words(f"{a}\n\n{b}") == count_words(a) + count_words(b)


def test_limit_status_names_each_band():
    assert limit_status(10, None) == "none"
    assert limit_status(10, 0) == "none"
    assert limit_status(100, 600) == "ok"
    assert limit_status(540, 600) == "near"
    assert limit_status(600, 600) == "near"
    assert limit_status(601, 600) == "over"


@given(st.integers(0, 5000), st.integers(0, 5000), st.integers(1, 3000))
def test_limit_status_never_improves_with_more_words(a, b, limit):
    order = ["ok", "near", "over"]
    low, high = sorted((a, b))
    assert order.index(limit_status(low, limit)) <= order.index(limit_status(high, limit))
