from hypothesis import given
from hypothesis import strategies as st

from app.core.mentions import mentioned

MEMBERS = ["Anna Maria Rossi", "Anna Maria", "Luca Bianchi", "Nicolò D'Amico", "Anna"]

names = st.lists(
    st.text(st.characters(categories=["L"]), min_size=2, max_size=12), min_size=1, max_size=3
).map(" ".join)


def test_a_full_name_after_the_at_sign() -> None:
    assert mentioned("Ne parliamo con @Luca Bianchi domani.", MEMBERS) == {"Luca Bianchi"}


def test_the_longest_name_wins() -> None:
    assert mentioned("Chiedo a @Anna Maria Rossi.", MEMBERS) == {"Anna Maria Rossi"}


def test_case_accents_and_apostrophes() -> None:
    assert mentioned("@nicolò d'amico, @ANNA MARIA e @Anna", MEMBERS) == {
        "Nicolò D'Amico",
        "Anna Maria",
        "Anna",
    }


def test_a_name_that_is_only_the_start_of_a_word_is_not_a_mention() -> None:
    assert mentioned("Scrivo a @Annalisa e a luca bianchi senza chiocciola.", MEMBERS) == set()


def test_an_e_mail_address_is_not_a_mention() -> None:
    assert mentioned("Scrivete a info@comune.it", MEMBERS) == set()


@given(st.text(max_size=40), names, st.text(max_size=40))
def test_a_mentioned_name_is_always_found(before: str, name: str, after: str) -> None:
    after = " " + after
    assert name in mentioned(f"{before}@{name}{after}", [name])


@given(st.text(max_size=80), st.lists(names, max_size=4))
def test_only_known_names_come_back(text: str, members: list[str]) -> None:
    assert mentioned(text, members) <= {m.strip() for m in members}
