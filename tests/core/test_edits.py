from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from app.core.edits import apply_edits, edits

texts = st.text(max_size=200)


@given(texts, texts)
def test_edits_turn_one_text_into_the_other(current: str, target: str) -> None:
    assert apply_edits(current, edits(current, target)) == target


@given(texts, texts)
def test_edits_are_disjoint_and_last_first(current: str, target: str) -> None:
    found = edits(current, target)
    for later, earlier in pairwise(found):
        # An unchanged stretch always separates two edits.
        assert earlier.stop < later.start
    assert all(0 <= e.start <= e.stop <= len(current) for e in found)


@given(texts)
def test_no_edits_for_the_same_text(text: str) -> None:
    assert edits(text, text) == []


def test_a_change_in_one_paragraph_leaves_the_others_untouched() -> None:
    current = "Primo paragrafo sulla casa.\n\nSecondo paragrafo sul lavoro.\n\nTerzo."
    target = current.replace("sul lavoro", "sul lavoro dignitoso")
    [change] = edits(current, target)
    assert current[: change.start].endswith("sul lavoro")
    assert change.insert == " dignitoso"
    assert change.start == change.stop
