import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.core.anchoring import Anchor, anchor_at, locate

# Words of the text around a passage, and words of the passage itself: two vocabularies,
# so that a deleted passage cannot be "found" again in what surrounds it by chance.
AROUND = ["casa", "lavoro", "comune", "servizi", "rete", "territorio", "è", "più", "🏠", "—"]
PASSAGE = [
    "abitare",
    "sostenibilità",
    "cooperativa",
    "giovani",
    "anziani",
    "perché",
    "città",
    "🤝",
    "qualità",
    "inclusione",
]

around = st.lists(st.sampled_from(AROUND), max_size=40).map(" ".join)
passage = st.lists(st.sampled_from(PASSAGE), min_size=6, max_size=20).map(" ".join)


def anchored(before: str, quote: str, after: str) -> Anchor:
    text = f"{before} {quote} {after}"
    start = len(before) + 1
    return anchor_at(text, start, start + len(quote))


@given(around, passage, around)
def test_an_unchanged_text_gives_back_the_same_span(before: str, quote: str, after: str) -> None:
    anchor = anchored(before, quote, after)
    text = f"{before} {quote} {after}"
    assert locate(anchor, text) == (anchor.start, anchor.start + len(quote))


@given(around, passage, around, around, around)
def test_the_passage_is_found_after_edits_around_it(
    before: str, quote: str, after: str, new_before: str, new_after: str
) -> None:
    anchor = anchored(before, quote, after)
    text = f"{new_before} {quote} {new_after}"
    start = len(new_before) + 1
    assert locate(anchor, text) == (start, start + len(quote))


@settings(max_examples=200)
@given(around, passage, around, st.data())
def test_a_lightly_edited_passage_is_still_found(
    before: str, quote: str, after: str, data: st.DataObject
) -> None:
    anchor = anchored(before, quote, after)
    original = quote.split(" ")
    # A passage where one word makes up a third or more matches itself shifted by a
    # word, and with nothing around it neither end can be told from its neighbours:
    # no window is more right than the next, and the property below means nothing there.
    assume(max(original.count(word) for word in original) < len(original) / 3)
    words = list(original)
    # One word in six replaced by another word of the passage's vocabulary.
    for _ in range(max(1, len(words) // 6)):
        index = data.draw(st.integers(0, len(words) - 1))
        words[index] = data.draw(st.sampled_from(PASSAGE))
    edited = " ".join(words)
    text = f"{before} {edited} {after}"
    start = len(before) + 1
    similar = 1 - _distance(quote, edited) / max(len(quote), len(edited))
    assume(similar >= 0.8)
    found = locate(anchor, text)
    assert found is not None
    # The window found covers most of the edited passage. A word replaced at either end
    # may be left out: nothing in the text tells it from the words around the passage.
    first = start + (len(words[0]) + 1 if words[0] != original[0] else 0)
    last = start + len(edited) - (len(words[-1]) + 1 if words[-1] != original[-1] else 0)
    overlap = min(found[1], last) - max(found[0], first)
    assert overlap >= 0.8 * (last - first)


@given(around, passage, around)
def test_a_deleted_passage_is_orphaned(before: str, quote: str, after: str) -> None:
    anchor = anchored(before, quote, after)
    assert locate(anchor, f"{before} {after}") is None


@given(st.text(max_size=60), st.text(max_size=60), st.text(max_size=60))
def test_locate_never_fails_and_stays_inside_the_text(before: str, quote: str, text: str) -> None:
    assume(quote)
    whole = before + quote
    anchor = anchor_at(whole, len(before), len(whole))
    found = locate(anchor, text)
    if found is not None:
        assert 0 <= found[0] < found[1] <= len(text)


def test_a_repeated_quote_is_told_apart_by_its_context() -> None:
    text = "Per la casa servono fondi. Per il lavoro servono fondi. Fine."
    second = text.index("servono fondi", 20)
    anchor = anchor_at(text, second, second + len("servono fondi"))
    edited = "Premessa nuova e lunga. " + text
    start = edited.index("servono fondi", 40)
    assert locate(anchor, edited) == (start, start + len("servono fondi"))


def test_italian_text_with_accents_and_emoji() -> None:
    text = "L'accessibilità è una priorità 🚲 per la città di Ferrara, più di tutto."
    start = text.index("priorità 🚲")
    anchor = anchor_at(text, start, start + len("priorità 🚲 per la città"))
    edited = "Premessa. " + text.replace("per la città", "per la nostra città")
    found = locate(anchor, edited)
    assert found is not None
    assert edited[found[0] : found[1]] == "priorità 🚲 per la nostra città"


def test_a_long_passage_edited_in_the_middle() -> None:
    quote = (
        "Il Comune si impegna a realizzare entro il 2027 una rete di alloggi temporanei "
        "per giovani lavoratori, in collaborazione con le cooperative sociali del territorio."
    )
    text = f"Introduzione.\n\n{quote}\n\nConclusione."
    start = text.index(quote)
    anchor = anchor_at(text, start, start + len(quote))
    edited_quote = quote.replace("entro il 2027", "entro il 2028").replace("rete", "rete stabile")
    edited = f"Introduzione ampliata con nuove frasi.\n\n{edited_quote}\n\nConclusione."
    found = locate(anchor, edited)
    assert found is not None
    assert edited[found[0] : found[1]] == edited_quote


def test_a_rewritten_passage_is_orphaned() -> None:
    text = "Primo. La sanità territoriale va rafforzata nei piccoli comuni. Ultimo."
    start = text.index("La sanità")
    anchor = anchor_at(text, start, text.index(" Ultimo"))
    assert locate(anchor, "Primo. Servono più autobus la sera. Ultimo.") is None


@pytest.mark.parametrize(("start", "end"), [(3, 3), (-1, 2), (0, 100), (5, 2)])
def test_an_impossible_span_is_refused(start: int, end: int) -> None:
    with pytest.raises(ValueError):
        anchor_at("Un testo breve.", start, end)


def _distance(a: str, b: str) -> int:
    from diff_match_patch import diff_match_patch

    engine = diff_match_patch()
    return engine.diff_levenshtein(engine.diff_main(a, b, False))


@pytest.mark.parametrize(
    ("quote", "edited"),
    [
        # The tail pattern, matched roughly, lands past the end of the text.
        (
            "abitare sostenibilità abitare cooperativa giovani città 🤝",
            "abitare sostenibilità sostenibilità cooperativa giovani città 🤝",
        ),
        # A word grown inside the tail pulls the 32-character pattern's match far off.
        (
            "abitare sostenibilità giovani cooperativa 🤝 abitare cooperativa",
            "abitare sostenibilità giovani cooperativa inclusione abitare cooperativa",
        ),
    ],
)
def test_a_passage_grown_near_its_end_is_found_whole(quote: str, edited: str) -> None:
    found = locate(anchored("", quote, ""), f" {edited} ")
    assert found is not None
    assert found[0] == 1
    assert found[1] - 1 >= len(edited)
