"""What is still open before freezing or publishing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.checklist import Kind, SectionFacts, open_items
from app.core.render import placeholders_in_html, render_markdown
from app.core.words import count_words, goes_over


def _section(n: int, words: int, limit: int | None = None, hints: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    return SectionFacts(f"sezione-{n}", f"Sezione {n}", words, limit, hints)


def test_a_clean_document_has_nothing_open() -> None:
    assert open_items([_section(1, 120, 600), _section(2, 40)]) == []


def test_each_kind_names_its_sections_in_order() -> None:
    items = open_items(
        [
            _section(1, 635, 600),
            _section(2, 0),
            _section(3, 80, None, ("[Ente]", "[Data]")),
        ],
        open_votes=1,
        pending_amendments=2,
        open_comments=3,
    )
    assert [(i.kind, i.count) for i in items] == [
        (Kind.PLACEHOLDERS, 2),
        (Kind.OVER_LIMIT, 1),
        (Kind.EMPTY, 1),
        (Kind.OPEN_VOTES, 1),
        (Kind.PENDING_AMENDMENTS, 2),
        (Kind.OPEN_COMMENTS, 3),
    ]
    assert items[0].where[0].detail == "[Ente], [Data]"
    assert items[1].where[0].detail == "635/600"
    assert items[2].where[0].title == "Sezione 2"


@given(st.lists(st.tuples(st.integers(0, 2000), st.one_of(st.none(), st.integers(1, 1500)))))
def test_a_section_is_over_its_limit_exactly_when_it_has_more_words(sections) -> None:  # type: ignore[no-untyped-def]
    facts = [_section(i, words, limit) for i, (words, limit) in enumerate(sections)]
    over = next((i for i in open_items(facts) if i.kind is Kind.OVER_LIMIT), None)
    expected = [f for f in facts if f.word_limit and f.words > f.word_limit]
    assert (over.count if over else 0) == len(expected)


def test_placeholders_are_the_templates_bracketed_hints_in_italics() -> None:
    text = (
        "Chi: _[Ente]_, quando: *[Data]*.\n\n"
        "- _[Azione, soggetto che la porta avanti, tempi]_\n\n"
        "Non lo sono: _un [inciso] in corsivo_, **[grassetto]**, `_[codice]_`, "
        "[un link](https://example.org), una nota[^1], _[]_.\n\n"
        "[^1]: _[Nota]_ nella nota.\n"
    )
    html = render_markdown(text)
    assert placeholders_in_html(html) == [
        "[Ente]",
        "[Data]",
        "[Azione, soggetto che la porta avanti, tempi]",
        "[Nota]",
    ]


@given(st.text(alphabet='_*[] \nEnte`<&"', max_size=300))
def test_every_flagged_hint_is_read_back_as_written(text: str) -> None:
    html = render_markdown(text)
    hints = placeholders_in_html(html)
    assert len(hints) == html.count('class="tv-placeholder"')
    for hint in hints:
        assert hint in text and hint.startswith("[") and hint.endswith("]") and hint[1:-1].strip()


@given(st.text(max_size=200), st.text(max_size=200), st.one_of(st.none(), st.integers(0, 60)))
def test_a_change_goes_over_a_hard_limit_only_by_growing_past_it(before, after, limit) -> None:  # type: ignore[no-untyped-def]
    over = goes_over(before, after, limit)
    if limit is None:
        assert not over
    else:
        assert over == (count_words(after) > limit and count_words(after) > count_words(before))
    assert not goes_over(after, after, limit)
