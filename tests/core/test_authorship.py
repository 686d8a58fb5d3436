from collections import Counter
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from app.core.authorship import Span, attribute, insertion_authors, word_counts
from app.core.diff import Op, token_diff, tokenize, word_diff

WORDS = st.lists(
    st.sampled_from(["casa", "lavoro", "dell'", "ASL", "è", "1.000", "«sì»", " ", "\n\n", "."]),
    max_size=30,
).map("".join)


@given(st.lists(st.tuples(st.sampled_from(["anna", "bruno", None]), WORDS), max_size=6), WORDS)
def test_the_spans_spell_the_last_text(states: list, base: str) -> None:  # type: ignore[type-arg]
    spans = attribute(states, base)
    assert "".join(s.text for s in spans) == (states[-1][1] if states else base)
    # Neighbours always differ in author: the spans are as few as possible.
    assert all(a.author != b.author for a, b in pairwise(spans))


def test_inserted_words_belong_to_who_typed_them() -> None:
    spans = attribute(
        [
            ("anna", "La casa è un diritto."),
            ("bruno", "La casa è un diritto di tutte e tutti."),
            ("carla", "La casa popolare è un diritto di tutte e tutti."),
        ]
    )
    assert spans == [
        Span("La casa ", "anna"),
        Span("popolare ", "carla"),
        # A space goes with the word before it: colours change between words.
        Span("è un diritto ", "anna"),
        Span("di tutte e tutti", "bruno"),
        Span(".", "anna"),
    ]


def test_the_starting_text_has_no_author() -> None:
    spans = attribute([("anna", "Testo del modello, completato.")], base="Testo del modello.")
    assert spans[0] == Span("Testo del modello", None)
    assert word_counts(spans) == {None: 3, "anna": 1}


def test_a_word_deleted_and_typed_again_belongs_to_who_typed_it_again() -> None:
    spans = attribute(
        [("anna", "Servizi sanitari."), ("bruno", "Servizi."), ("carla", "Servizi sanitari.")]
    )
    assert Span("sanitari", "carla") in spans


def test_words_are_counted_per_author() -> None:
    spans = attribute([("anna", "Uno due"), ("bruno", "Uno due tre quattro dell'ASL")])
    assert word_counts(spans) == {"anna": 2, "bruno": 4}


def _reference(states: list, base: str) -> list:  # type: ignore[type-arg]
    """The plain algorithm, whole texts every time: what the trimmed one must equal."""
    tokens = tokenize(base)
    authors: list = [None] * len(tokens)
    for author, text in states:
        new_tokens, new_authors, at = tokenize(text), [], 0
        for op, part in token_diff(tokens, new_tokens):
            if op is Op.INSERT:
                new_authors += [author] * len(part)
            else:
                if op is Op.EQUAL:
                    new_authors += authors[at : at + len(part)]
                at += len(part)
        tokens, authors = new_tokens, new_authors
    return [(t, a) for t, a in zip(tokens, authors, strict=True) if not t.isspace()]


@given(st.lists(st.tuples(st.sampled_from(["anna", "bruno", None]), WORDS), max_size=6), WORDS)
def test_replaying_only_the_changed_lines_credits_like_the_whole_texts(
    states: list,  # type: ignore[type-arg]
    base: str,
) -> None:
    spans = attribute(states, base)
    credited = [(t, s.author) for s in spans for t in tokenize(s.text) if not t.isspace()]
    expected = _reference(states, base)
    assert [t for t, _ in credited] == [t for t, _ in expected]
    # The same words to the same people. Where a text repeats itself ("casa casa"), which
    # copy is the new one is a matter of alignment, and the two may choose differently.
    assert Counter(credited) == Counter(expected)


def _insertions(chunks: list) -> list[str]:  # type: ignore[type-arg]
    return [c.text for c in chunks if c.op is Op.INSERT]


def test_each_insertion_names_who_wrote_it() -> None:
    base = "La casa è un diritto."
    states = [
        ("anna", "La casa popolare è un diritto."),
        ("bruno", "La casa popolare è un diritto di tutte."),
        ("carla", "La casa popolare è un diritto di tutte e tutti."),
    ]
    chunks = word_diff(base, states[-1][1])
    assert _insertions(chunks) == ["popolare ", " di tutte e tutti"]
    # The second insertion holds words of two people, named in the order they wrote.
    assert insertion_authors(chunks, states, base) == [("anna",), ("bruno", "carla")]


def test_text_nobody_typed_names_nobody() -> None:
    chunks = word_diff("Testo.", "Testo del modello.")
    assert insertion_authors(chunks, [(None, "Testo del modello.")], "Testo.") == [()]
    assert insertion_authors(chunks, [], "Testo.") == [()]


def test_a_word_typed_then_changed_belongs_to_both() -> None:
    states = [("anna", "Servizi sanitari."), ("bruno", "Servizi sanitarie.")]
    chunks = word_diff("Servizi.", "Servizi sanitarie.")
    assert insertion_authors(chunks, states, "Servizi.") == [("anna", "bruno")]


@given(st.lists(st.tuples(st.sampled_from(["anna", "bruno", None]), WORDS), max_size=6), WORDS)
def test_insertions_are_credited_only_to_people_who_changed_the_text(
    states: list,  # type: ignore[type-arg]
    base: str,
) -> None:
    last = states[-1][1] if states else base
    chunks = word_diff(base, last)
    credits = insertion_authors(chunks, states, base)
    assert len(credits) == len(_insertions(chunks))
    changed, previous = set(), base
    for author, text in states:
        if text != previous and author is not None:
            changed.add(author)
        previous = text
    assert {a for who in credits for a in who} <= changed


@given(WORDS, WORDS)
def test_one_person_writing_is_credited_with_every_insertion(base: str, text: str) -> None:
    chunks = word_diff(base, text)
    credits = insertion_authors(chunks, [("anna", text)], base)
    assert all(who == ("anna",) for who in credits)
