"""The two optional columns of a list of people: the lab each person works in, named by
the title of one of the workshop's documents however it is typed, and whether they lead
it. A row that names no lab of the workshop is a row problem like any other."""

from __future__ import annotations

import csv
import io
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.invitations import (
    LEADS_NO,
    LEADS_YES,
    ExistingMember,
    LabPlace,
    lab_key,
    parse_invitations,
    parse_leads,
)
from app.core.permissions import Role

LABS = ("Casa della Comunità di Lodi", "Casa della Comunità di Codogno", "Salute mentale")
HEADER = ["nome", "email", "ruolo", "laboratorio", "conduce"]


def _csv(header: list[str], body: list[tuple[str, ...]], delimiter: str = ";") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


def _problems(result) -> dict[int, list[str]]:  # type: ignore[no-untyped-def]
    return {row.line: [str(p) for p in row.problems] for row in result.bad_rows}


@st.composite
def typed_like(draw, title: str) -> str:  # type: ignore[no-untyped-def]
    """The title as someone may type it in a spreadsheet: any case, spaces doubled or
    non-breaking between the words, spaces around."""
    words = [
        "".join(draw(st.sampled_from([c.lower(), c.upper()])) for c in word)
        for word in title.split()
    ]
    gaps = [draw(st.sampled_from([" ", "  ", "\u00a0", " \u00a0 "])) for _ in words[1:]]
    inner = words[0] + "".join(gap + word for gap, word in zip(gaps, words[1:], strict=True))
    return draw(st.sampled_from(["", " ", "  "])) + inner + draw(st.sampled_from(["", " "]))


def _spelled(word: str) -> st.SearchStrategy[str]:
    return st.sampled_from([word, word.upper(), word.capitalize(), f" {word} "])


yes = st.sampled_from(sorted(LEADS_YES | {"sì", "Sì", "SÌ", "sí"})).flatmap(_spelled)
no = st.sampled_from(sorted(LEADS_NO)).flatmap(_spelled)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), count=st.integers(1, 8))
def test_each_row_goes_to_the_lab_it_names_however_the_title_is_typed(data, count) -> None:
    body, expected = [], []
    for n in range(count):
        title = data.draw(st.sampled_from(LABS))
        leads = data.draw(st.booleans())
        role = data.draw(st.sampled_from(["", "partecipante", "facilitatore"]))
        cell = data.draw(yes if leads else no)
        body.append((f"Persona {n}", f"p{n}@example.org", role, data.draw(typed_like(title)), cell))
        expected.append(LabPlace(title, leads))
    result = parse_invitations(_csv(HEADER, body), labs=LABS)
    assert result.ok, _problems(result)
    assert [row.lab for row in result.rows] == expected


cells = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=40
).map(str.strip)


@settings(max_examples=200, deadline=None)
@given(typed=cells.filter(lambda t: t and lab_key(t) not in {lab_key(x) for x in LABS}))
def test_a_title_no_document_has_is_refused_on_its_row_and_nothing_is_imported(
    typed: str,
) -> None:
    text = _csv(
        ["nome", "email", "laboratorio"],
        [("Anna", "anna@example.org", "Salute mentale"), ("Bruno", "bruno@example.org", typed)],
    )
    result = parse_invitations(text, labs=LABS)
    assert not result.ok
    assert _problems(result) == {3: [f"Nessun documento di questo tavolo si chiama «{typed}»."]}
    assert result.rows[1].lab is None and result.rows[1].invitee is None
    assert result.rows[0].lab == LabPlace("Salute mentale", False)


def _unaccented(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=12), yes, no))
def test_conduce_is_yes_no_or_a_problem(text: str) -> None:
    answer = parse_leads(text)
    word = text.strip().casefold()
    if word in LEADS_YES:
        assert answer is True
    elif word in LEADS_NO:
        assert answer is False
    if answer is not None:
        assert _unaccented(word) in (LEADS_YES if answer else LEADS_NO)


def test_conduce_reads_a_spreadsheets_yes() -> None:
    assert [parse_leads(w) for w in ("Sì", "SÌ", "sí", " x ", "VERO", "1", "true")] == [True] * 7
    assert [parse_leads(w) for w in ("", "No", "FALSO", "0")] == [False] * 4
    assert [parse_leads(w) for w in ("forse", "2", "sìsì", "conduce")] == [None] * 4


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_case_and_spacing_never_tell_two_titles_apart(data) -> None:
    title = data.draw(st.sampled_from(LABS))
    assert lab_key(data.draw(typed_like(title))) == lab_key(title)
    assert len({lab_key(t) for t in LABS}) == len(LABS)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_arbitrary_lists_with_labs_never_raise(text: str) -> None:
    result = parse_invitations(
        "nome;email;laboratorio;conduce\n" + text,
        {"a@example.org": ExistingMember(Role.OBSERVER)},
        LABS,
    )
    assert result.ok or result.problems or result.bad_rows
    assert all(row.lab is None or row.lab.title in LABS for row in result.rows)


def test_the_header_names_the_lab_columns_in_italian_or_english() -> None:
    text = "Nome;E-mail;Laboratorio;Conduce\nAnna;anna@example.org;salute mentale;x\n"
    [row] = parse_invitations(text, labs=LABS).rows
    assert row.lab == LabPlace("Salute mentale", True)
    english = "name,email,lab,leads\nAnna,anna@example.org,Salute mentale,\n"
    [row] = parse_invitations(english, labs=LABS).rows
    assert row.lab == LabPlace("Salute mentale", False)


def test_without_a_header_a_list_still_has_five_columns() -> None:
    result = parse_invitations("Anna;anna@example.org;;;;Salute mentale", labs=LABS)
    [row] = result.rows
    assert row.lab is None and not row.ok
    assert str(row.problems[0]).startswith("La riga ha più di cinque valori")


def test_what_a_lab_row_cannot_say_is_explained_on_its_line() -> None:
    existing = {"oscar@example.org": ExistingMember(Role.OBSERVER)}
    text = _csv(
        HEADER,
        [
            ("Anna", "anna@example.org", "", "Salute mentale", "forse"),
            ("Bruno", "bruno@example.org", "", "", "sì"),
            ("Carla", "carla@example.org", "osservatore", "Salute mentale", "sì"),
            ("Oscar", "oscar@example.org", "", "Salute mentale", "x"),
            ("Dario", "dario@example.org", "", "Laboratorio 7", ""),
            ("Elsa", "elsa@example.org", "", "Salute mentale", "no"),
        ],
    )
    result = parse_invitations(text, existing, LABS)
    assert _problems(result) == {
        2: [
            "«forse» nella colonna conduce non si capisce: scrivi «sì» per chi conduce il "
            "laboratorio, altrimenti lascia vuoto."
        ],
        3: ["Per condurre un laboratorio, scrivine il titolo nella colonna laboratorio."],
        4: [
            "Chi segue il tavolo come osservatore non conduce un laboratorio: indica "
            "partecipante o facilitatore come ruolo."
        ],
        # An observer already in the workshop, whose blank role cell keeps them one.
        5: [
            "Chi segue il tavolo come osservatore non conduce un laboratorio: indica "
            "partecipante o facilitatore come ruolo."
        ],
        6: ["Nessun documento di questo tavolo si chiama «Laboratorio 7»."],
    }
    assert result.rows[-1].lab == LabPlace("Salute mentale", False)
    # Oscar made a participant by the same row may lead.
    promoted = _csv(HEADER, [("Oscar", "oscar@example.org", "partecipante", "Salute mentale", "x")])
    assert parse_invitations(promoted, existing, LABS).ok


def test_two_documents_with_the_same_title_are_no_lab_to_guess() -> None:
    text = _csv(HEADER, [("Anna", "anna@example.org", "", "salute mentale", "")])
    result = parse_invitations(text, labs=(*LABS, "SALUTE  MENTALE"))
    assert _problems(result) == {
        2: [
            "Più documenti di questo tavolo si chiamano «salute mentale»: rinominane uno, "
            "poi controlla di nuovo l'elenco."
        ]
    }


def test_a_blank_lab_cell_leaves_the_lab_as_it_is() -> None:
    existing = {"anna@example.org": ExistingMember(Role.PARTICIPANT)}
    body = [("Anna", "anna@example.org", "", "", ""), ("Bea", "b@example.org", "", "", "no")]
    text = _csv(HEADER, body)
    result = parse_invitations(text, existing, LABS)
    assert result.ok
    assert [row.lab for row in result.rows] == [None, None]
