from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.outline import Entry, build, depths, numbers

LEVELS = st.lists(st.integers(min_value=-1, max_value=6), max_size=40)


def test_numbers_of_a_plain_outline():
    assert numbers([1, 2, 2, 1, 2, 3, 1]) == ["1", "1.1", "1.2", "2", "2.1", "2.1.1", "3"]


def test_a_jump_becomes_one_level_deeper():
    assert depths([1, 3, 3, 1]) == [1, 2, 2, 1]
    assert depths([1, 3, 2]) == [1, 2, 2]
    assert numbers([1, 3, 3, 1]) == ["1", "1.1", "1.2", "2"]


def test_the_first_section_is_top_level_whatever_it_says():
    assert numbers([3, 3, 1]) == ["1", "2", "3"]
    assert numbers([2, 3, 1]) == ["1", "1.1", "2"]


def test_after_a_jump_back_the_section_nests_under_the_closest_smaller_level():
    assert numbers([1, 3, 2, 3]) == ["1", "1.1", "1.2", "1.2.1"]


def test_nested_outline():
    outline = build([("Premessa", 1), ("Abitare", 1), ("Casa", 2), ("Lavoro", 1)])
    assert [e.title for e in outline.roots] == ["Premessa", "Abitare", "Lavoro"]
    assert [(c.title, c.number) for c in outline.roots[1].children] == [("Casa", "2.1")]


def test_a_document_that_keeps_its_own_numbers_gets_none():
    outline = build([("1. Premessa", 1), ("1.1 Casa", 2), ("2. Lavoro", 1)], numbered=False)
    assert [(e.number, e.depth) for e in outline.entries] == [("", 1), ("", 2), ("", 1)]
    assert [c.title for c in outline.roots[0].children] == ["1.1 Casa"]


def _preorder(entries: list[Entry]) -> list[Entry]:
    result: list[Entry] = []
    for entry in entries:
        result.append(entry)
        result.extend(_preorder(entry.children))
    return result


@given(LEVELS)
def test_depths_never_jump_and_never_go_deeper_than_asked(levels):
    result = depths(levels)
    assert len(result) == len(levels)
    for i, depth in enumerate(result):
        assert 1 <= depth <= max(levels[i], 1)
        assert depth <= (result[i - 1] + 1 if i else 1)


@given(st.lists(st.integers(min_value=0, max_value=3), max_size=40))
def test_a_well_formed_outline_keeps_its_levels(steps):
    # Step 0 goes one level deeper, 1 stays, 2 and 3 climb back up.
    levels: list[int] = []
    for step in steps:
        levels.append(max(1, levels[-1] + 1 - step) if levels else 1)
    assert depths(levels) == levels


@given(LEVELS)
def test_equal_levels_in_a_row_are_siblings(levels):
    result = depths(levels)
    for i in range(1, len(levels)):
        if max(levels[i], 1) == max(levels[i - 1], 1):
            assert result[i] == result[i - 1]


@given(LEVELS)
def test_numbers_are_unique_and_each_has_its_parent_before_it(levels):
    result = numbers(levels)
    assert len(set(result)) == len(result)
    for i, number in enumerate(result):
        parts = number.split(".")
        assert len(parts) == depths(levels)[i]
        assert all(int(p) >= 1 for p in parts)
        if len(parts) > 1:
            assert ".".join(parts[:-1]) in result[:i]


@given(LEVELS)
def test_top_level_numbers_count_up_from_one(levels):
    top = [n for n in numbers(levels) if "." not in n]
    assert top == [str(i) for i in range(1, len(top) + 1)]


@given(LEVELS)
def test_tree_keeps_the_order_and_nests_one_level_at_a_time(levels):
    outline = build([(f"s{i}", level) for i, level in enumerate(levels)])
    assert [e.index for e in _preorder(outline.roots)] == list(range(len(levels)))
    assert [e.index for e in outline.entries] == list(range(len(levels)))
    assert all(root.depth == 1 for root in outline.roots)
    for entry in outline.entries:
        for child in entry.children:
            assert child.depth == entry.depth + 1
            assert child.number.startswith(entry.number + ".")
