from hypothesis import assume, given
from hypothesis import strategies as st

from app.core.merge import Outcome, merge, proposal

SENTENCE = "Le aziende sanitarie e i comuni finanziano insieme la casa, il lavoro e la socialità."
BASE = (
    "Il budget di salute sostiene progetti di vita personalizzati. "
    f"{SENTENCE} "
    "Le cooperative sociali accompagnano le persone nei primi due anni."
)

WORDS = ["casa", "lavoro", "comune", "servizi", "rete", "è", "più", "città", "🏠", "—", "\n"]
texts = st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join)
# Words written before the amended text, never inside it: where the amendment goes is
# then never ambiguous.
PREAMBLE = ["premessa", "sessione", "mattino", "Regione", "«", "»"]
preambles = st.lists(st.sampled_from(PREAMBLE), min_size=1, max_size=30).map(" ".join)


def test_a_change_on_the_text_it_was_written_on_is_clean() -> None:
    proposed = BASE.replace("nei primi due anni", "per almeno tre anni")
    result = merge(BASE, proposed, BASE)
    assert result.outcome is Outcome.CLEAN
    assert result.text == proposed


def test_a_change_after_the_text_moved_on_around_it_is_fuzzy() -> None:
    proposed = BASE.replace("nei primi due anni", "per almeno tre anni")
    current = "Premessa scritta durante la sessione del mattino. " + BASE.replace(
        "progetti di vita", "progetti di vita autonoma"
    )
    result = merge(BASE, proposed, current)
    assert result.outcome is Outcome.FUZZY
    assert result.text == (
        "Premessa scritta durante la sessione del mattino. "
        + proposed.replace("progetti di vita", "progetti di vita autonoma")
    )


def test_the_context_may_be_lightly_edited_but_not_the_replaced_words() -> None:
    proposed = BASE.replace("la casa, il lavoro", "l'abitare, il lavoro")
    current = BASE.replace("insieme la casa", "insieme: la casa")
    result = merge(BASE, proposed, current)
    assert result.outcome is Outcome.FUZZY
    assert "insieme: l'abitare, il lavoro" in result.text


def test_a_rewritten_passage_is_a_conflict_and_nothing_is_applied() -> None:
    proposed = BASE.replace("nei primi due anni", "per almeno tre anni").replace(
        "Il budget di salute", "Lo strumento del budget di salute"
    )
    current = BASE.replace("nei primi due anni", "nei primi diciotto mesi")
    result = merge(BASE, proposed, current)
    assert result.outcome is Outcome.CONFLICT
    assert not result.applied
    [hunk] = result.conflicts
    assert hunk.removed in "nei primi due anni" and hunk.inserted in "per almeno tre anni"
    assert hunk.removed and hunk.inserted
    # The best effort keeps the change that could be placed and the live rewrite.
    assert result.text.startswith("Lo strumento del budget di salute")
    assert "nei primi diciotto mesi" in result.text


def test_a_deleted_passage_is_a_conflict() -> None:
    proposed = BASE.replace("Le cooperative sociali", "Gli enti del terzo settore")
    current = BASE.split("Le cooperative")[0]
    assert merge(BASE, proposed, current).outcome is Outcome.CONFLICT


def test_a_long_replacement_is_found_by_its_ends() -> None:
    proposed = BASE.replace(SENTENCE, "I comuni finanziano la casa; le aziende sanitarie la cura.")
    current = "Titolo\n\n" + BASE + " Nota finale."
    result = merge(BASE, proposed, current)
    assert result.outcome is Outcome.FUZZY
    assert result.text == "Titolo\n\n" + proposed + " Nota finale."


def test_a_long_replaced_passage_edited_inside_is_a_conflict() -> None:
    proposed = BASE.replace(SENTENCE, "I comuni finanziano la casa.")
    current = BASE.replace("la casa, il lavoro", "l'abitare, il lavoro")
    assert merge(BASE, proposed, current).outcome is Outcome.CONFLICT


def test_proposal_replaces_the_passage() -> None:
    start = BASE.index("casa")
    assert proposal(BASE, start, start + 4, "abitazione") == BASE.replace("casa", "abitazione")
    assert proposal("", 0, 0, "Nuovo testo") == "Nuovo testo"


@given(texts, texts)
def test_applying_to_the_base_itself_yields_exactly_the_proposal(base: str, proposed: str) -> None:
    result = merge(base, proposed, base)
    assert result.outcome is Outcome.CLEAN
    assert result.text == proposed


@given(preambles, texts, texts)
def test_text_written_before_the_base_is_kept(prefix: str, base: str, proposed: str) -> None:
    assume(base.strip() and base != proposed)
    current = prefix + "\n\n" + base
    result = merge(base, proposed, current)
    assert result.applied
    assert result.text == prefix + "\n\n" + proposed


@given(texts, st.integers(0, 400), st.integers(0, 400), texts)
def test_proposal_is_base_with_the_passage_replaced(
    base: str, start: int, end: int, replacement: str
) -> None:
    assume(start <= end <= len(base))
    text = proposal(base, start, end, replacement)
    assert text[:start] == base[:start]
    assert text[start : start + len(replacement)] == replacement
    assert text[start + len(replacement) :] == base[end:]
