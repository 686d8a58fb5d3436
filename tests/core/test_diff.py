from hypothesis import given
from hypothesis import strategies as st

from app.core.diff import (
    Change,
    Chunk,
    Op,
    SectionText,
    compare_documents,
    new_side,
    old_side,
    tokenize,
    word_diff,
    words_added,
    words_removed,
)

# Italian text as people type it: accents (precomposed and combining), elisions,
# guillemets, numbers with Italian separators, emoji with modifiers and joiners.
ITALIAN = st.lists(
    st.sampled_from(
        [
            *"aeiouàèéìòùAEÈbcdlmnrstz0123456789 \n.,;:'’«»()-/€%?!",
            "e\u0301",
            "👩\u200d⚕️",
            "👍🏽",
            "🇮🇹",
            "\t",
            "dell'",
            "1.000,50",
        ]
    ),
    max_size=80,
).map("".join)
ANY = st.text(max_size=120)


@given(ITALIAN | ANY)
def test_tokens_cover_the_text_exactly(text: str) -> None:
    assert "".join(tokenize(text)) == text


@given(ITALIAN | ANY, ITALIAN | ANY)
def test_the_sides_of_a_diff_are_the_two_texts(old: str, new: str) -> None:
    chunks = word_diff(old, new)
    assert old_side(chunks) == old
    assert new_side(chunks) == new


def _boundaries(text: str) -> set[int]:
    cuts, at = {0}, 0
    for token in tokenize(text):
        at += len(token)
        cuts.add(at)
    return cuts


@given(ITALIAN, ITALIAN)
def test_a_diff_never_cuts_inside_a_token(old: str, new: str) -> None:
    chunks = word_diff(old, new)
    old_cuts, new_cuts = _boundaries(old), _boundaries(new)
    at_old = at_new = 0
    for chunk in chunks:
        if chunk.op is not Op.INSERT:
            at_old += len(chunk.text)
            assert at_old in old_cuts
        if chunk.op is not Op.DELETE:
            at_new += len(chunk.text)
            assert at_new in new_cuts


@given(ITALIAN)
def test_the_same_text_has_no_change(text: str) -> None:
    assert all(c.op is Op.EQUAL for c in word_diff(text, text))


def test_a_changed_word_is_replaced_whole() -> None:
    chunks = word_diff(
        "L'Azienda sanitaria locale garantisce l'accesso.",
        "L'Azienda ospedaliera locale garantisce l'accesso.",
    )
    assert Chunk(Op.DELETE, "sanitaria") in chunks
    assert Chunk(Op.INSERT, "ospedaliera") in chunks


def test_elision_accents_and_numbers_stay_whole() -> None:
    assert tokenize("dell'Azienda perché 1.000,50 € «così»") == [
        "dell'",
        "Azienda",
        " ",
        "perché",
        " ",
        "1.000,50",
        " ",
        "€",
        " ",
        "«",
        "così",
        "»",
    ]
    chunks = word_diff("Costo: 1.000,50 €.", "Costo: 1.200,50 €.")
    assert [c for c in chunks if c.op is not Op.EQUAL] == [
        Chunk(Op.DELETE, "1.000,50"),
        Chunk(Op.INSERT, "1.200,50"),
    ]


def test_combining_accents_and_emoji_are_not_split() -> None:
    assert tokenize("citta\u0300 👩\u200d⚕️👍🏽") == ["citta\u0300", " ", "👩\u200d⚕️", "👍🏽"]


def test_a_moved_paragraph_is_one_deletion_and_one_insertion() -> None:
    first = "La casa è un diritto di tutte e tutti."
    second = "Il lavoro dà dignità alle persone fragili."
    third = "La socialità si costruisce nei quartieri."
    chunks = word_diff(f"{first}\n\n{second}\n\n{third}", f"{second}\n\n{first}\n\n{third}")
    changed = [c for c in chunks if c.op is not Op.EQUAL]
    assert len(changed) == 2
    assert {c.op for c in changed} == {Op.INSERT, Op.DELETE}
    # Either paragraph may be the one that moved; it moves whole, nothing inside it.
    moved = {c.text.strip() for c in changed}
    assert moved in ({first}, {second})
    assert words_added(chunks) == words_removed(chunks) == len(moved.pop().split())


def test_word_counts_follow_the_italian_rules() -> None:
    chunks = word_diff("Il piano.", "Il piano dell'ASL di Torino.")
    assert words_added(chunks) == 4
    assert words_removed(chunks) == 0


def _s(id_: int, title: str, body: str, level: int = 1) -> SectionText:
    return SectionText(id_, title, level, body)


def test_documents_are_compared_section_by_section() -> None:
    old = [
        _s(1, "Abitare", "La casa."),
        _s(2, "Lavoro", "Il lavoro."),
        _s(3, "Socialità", "Incontri."),
        _s(4, "Governance", "Regole."),
    ]
    new = [
        _s(1, "Abitare e casa", "La casa."),
        _s(3, "Socialità", "Incontri nei quartieri."),
        _s(4, "Governance", "Regole."),
        _s(5, "Allegati", "Elenco."),
    ]
    result = compare_documents(old, new)
    by_id = {s.id: s for s in result.sections}
    assert [s.id for s in result.sections] == [1, 2, 3, 4, 5]
    assert by_id[1].renamed and by_id[1].change is Change.CHANGED
    assert by_id[2].change is Change.REMOVED and by_id[2].removed_words == 2
    assert by_id[3].added_words == 2
    assert by_id[4].change is Change.UNCHANGED
    assert by_id[5].change is Change.ADDED and by_id[5].added_words == 1
    assert (result.count(Change.ADDED), result.count(Change.REMOVED)) == (1, 1)
    assert result.moved == 0


def test_moving_one_section_moves_only_that_one() -> None:
    old = [_s(i, f"S{i}", "Testo.") for i in (1, 2, 3, 4)]
    new = [old[1], old[2], old[0], old[3]]
    result = compare_documents(old, new)
    assert {s.id for s in result.sections if s.moved} == {1}
    assert result.moved == 1


@given(
    st.permutations([1, 2, 3, 4, 5, 6]),
    st.sets(st.integers(1, 6)),
    st.sets(st.integers(7, 9)),
)
def test_every_section_appears_once(order: list[int], dropped: set[int], added: set[int]) -> None:
    old = [_s(i, f"S{i}", f"Testo {i}.") for i in range(1, 7)]
    new = [_s(i, f"S{i}", f"Testo {i}.") for i in order if i not in dropped]
    new += [_s(i, f"S{i}", "Nuovo.") for i in sorted(added)]
    result = compare_documents(old, new)
    ids = [s.id for s in result.sections]
    assert sorted(ids) == sorted({*range(1, 7), *added})
    # The new document's order is kept.
    assert [i for i in ids if i not in dropped] == [s.id for s in new]


def test_an_unchanged_section_is_reported_unchanged_without_being_diffed() -> None:
    body = "La casa è un diritto.\n\n" * 2000
    same = "".join(["La casa è un diritto.\n\n"] * 2000)
    assert same == body and same is not body
    result = compare_documents([_s(1, "Abitare", body)], [_s(1, "Abitare", same)])
    (section,) = result.sections
    assert section.change is Change.UNCHANGED
    assert (section.added_words, section.removed_words) == (0, 0)
    # The very string of the section, not one rebuilt from diff operations.
    assert len(section.chunks) == 1 and section.chunks[0].text is body


def test_a_word_edited_in_a_long_paragraph_is_cut_at_the_word() -> None:
    paragraph = " ".join(["l'Azienda sanitaria garantisce l'accesso"] * 200)
    chunks = word_diff(paragraph, paragraph.replace("garantisce", "assicura", 1))
    assert [c for c in chunks if c.op is not Op.EQUAL] == [
        Chunk(Op.DELETE, "garantisce"),
        Chunk(Op.INSERT, "assicura"),
    ]
