"""Reading pasted and uploaded lists of people: lenient about form, strict about content."""

from __future__ import annotations

import codecs
import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.invitations import (
    MAX_ROWS,
    ROLE_NAMES,
    ExistingMember,
    Invitee,
    RowStatus,
    decode_upload,
    field_problems,
    parse_invitations,
    validate_invitee,
)
from app.core.permissions import Role

ITALIAN_HEADER = ["nome", "e-mail", "organizzazione", "categoria", "ruolo"]
ENGLISH_HEADER = ["Name", "Email", "Organisation", "Stakeholder category", "Role"]


def _cell(max_size: int) -> st.SearchStrategy[str]:
    """Any printable text a spreadsheet cell may hold, separators and quotes included."""
    characters = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
    return st.text(characters, max_size=max_size).map(str.strip)


emails = st.builds(
    lambda local, domain, tld: f"{local}@{domain}.{tld}",
    st.from_regex(r"[a-zA-Z0-9]([a-zA-Z0-9_+-]{0,12}[a-zA-Z0-9])?", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9]{0,10}(-[a-z0-9]{1,5})?", fullmatch=True),
    st.sampled_from(["it", "org", "eu", "com"]),
)
roles = st.sampled_from(["", *ROLE_NAMES]).flatmap(
    lambda name: st.sampled_from([name, name.upper(), name.capitalize()])
)
rows = st.tuples(_cell(60).filter(bool), emails, _cell(80), _cell(40), roles)


def _csv(header: list[str], body: list[tuple[str, ...]], delimiter: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


@settings(max_examples=150, deadline=None)
@given(
    body=st.lists(rows, min_size=1, max_size=12, unique_by=lambda r: r[1].lower()),
    delimiter=st.sampled_from([";", ","]),
    header=st.sampled_from([ITALIAN_HEADER, ENGLISH_HEADER]),
)
def test_valid_rows_round_trip_through_csv(body, delimiter, header) -> None:
    result = parse_invitations(_csv(header, body, delimiter))
    assert result.ok, [(r.line, [str(p) for p in r.problems]) for r in result.bad_rows]
    assert result.invitees == [
        Invitee(name, email.lower(), org, category, ROLE_NAMES.get(role.lower(), Role.PARTICIPANT))
        for name, email, org, category, role in body
    ]
    assert all(row.status is RowStatus.NEW for row in result.rows)


@settings(max_examples=100, deadline=None)
@given(
    body=st.lists(rows, min_size=1, max_size=8, unique_by=lambda r: r[1].lower()),
    data=st.data(),
)
def test_a_repeated_address_is_flagged_on_the_later_row_only(body, data) -> None:
    original = data.draw(st.integers(0, len(body) - 1))
    name, email, *rest = body[original]
    repeated = (name, f"  {email.upper()} ", *rest)
    at = data.draw(st.integers(original + 1, len(body)))
    body = [*body[:at], repeated, *body[at:]]
    result = parse_invitations(_csv(ITALIAN_HEADER, body, ";"))
    assert not result.ok
    [bad] = result.bad_rows
    assert bad.line == at + 2  # the header is line 1
    assert [str(p) for p in bad.problems] == [
        f"L'indirizzo {email.lower()} compare già alla riga {original + 2}."
    ]


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=400))
def test_arbitrary_text_never_raises(text: str) -> None:
    result = parse_invitations(text, {"a@example.org": ExistingMember(Role.FACILITATOR)})
    assert result.ok or result.problems or result.bad_rows


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_decode(data: bytes) -> None:
    assert isinstance(decode_upload(data), str)


def test_italian_excel_file_in_windows_1252_with_semicolons() -> None:
    data = "Nome;Ente;E-mail\r\nNiccolò Perù;Città di Lodi;n.peru@example.org\r\n".encode("cp1252")
    [row] = parse_invitations(decode_upload(data)).rows
    assert (row.name, row.organisation, row.email) == (
        "Niccolò Perù",
        "Città di Lodi",
        "n.peru@example.org",
    )


def test_utf8_with_bom_and_utf16_from_excel_unicode_text() -> None:
    text = "nome,email\nÀgata Ünal,agata@example.org\n"
    assert decode_upload(codecs.BOM_UTF8 + text.encode()) == text
    unicode_text = text.replace(",", "\t")
    assert decode_upload(unicode_text.encode("utf-16")) == unicode_text
    [row] = parse_invitations(unicode_text).rows
    assert row.invitee == Invitee("Àgata Ünal", "agata@example.org")


def test_a_list_without_header_uses_the_documented_order() -> None:
    result = parse_invitations(
        "Giulia Ferrari; g.ferrari@example.org; ASST di Lodi; Sanità; osservatrice"
    )
    assert result.invitees == [
        Invitee("Giulia Ferrari", "g.ferrari@example.org", "ASST di Lodi", "Sanità", Role.OBSERVER)
    ]


def test_each_bad_row_says_what_is_wrong_on_which_line() -> None:
    text = (
        "nome;email;ruolo\n"
        "Giulia Ferrari;g.ferrari@example.org;partecipante\n"
        "\n"
        ";senza.nome@example.org;\n"
        "Marco Bianchi;marco.bianchi@;\n"
        "Anna Rossi;anna@example.org;capo\n"
        "Luca Conti;;osservatore;in più\n"
    )
    result = parse_invitations(text)
    assert not result.ok
    problems = {row.line: [str(p) for p in row.problems] for row in result.bad_rows}
    assert problems == {
        4: ["Manca il nome."],
        5: ["«marco.bianchi@» non è un indirizzo e-mail valido."],
        6: ["Ruolo «capo» non riconosciuto: usa facilitatore, partecipante o osservatore."],
        7: [
            "La riga ha più valori delle colonne dell'intestazione (3).",
            "Manca l'indirizzo e-mail.",
        ],
    }
    assert result.rows[0].ok


def test_wrong_and_missing_columns_are_reported_before_any_row() -> None:
    result = parse_invitations("nome;telefono\nGiulia;333\n")
    assert result.rows == ()
    assert [str(p) for p in result.problems] == [
        "Colonna «telefono» non riconosciuta: le colonne possibili sono nome, email, "
        "organizzazione, categoria, ruolo, laboratorio, conduce.",
        "Manca la colonna email.",
    ]
    assert [str(p) for p in parse_invitations("nome,email,Email\n").problems] == [
        "La colonna email compare due volte."
    ]


def test_empty_input_header_only_and_too_many_rows() -> None:
    assert "vuoto" in str(parse_invitations("  \n\n").problems[0])
    assert "solo l'intestazione" in str(parse_invitations("nome;email\n").problems[0])
    many = "nome;email\n" + "".join(f"P{i};p{i}@example.org\n" for i in range(MAX_ROWS + 1))
    assert str(parse_invitations(many).problems[0]).startswith(f"L'elenco ha {MAX_ROWS + 1} righe")
    assert parse_invitations(many.replace(f"P{MAX_ROWS};p{MAX_ROWS}@example.org\n", "")).ok


def test_a_line_break_inside_a_cell_points_at_a_missing_quote() -> None:
    result = parse_invitations('nome;email\n"Giulia;g@example.org\nMarco;m@example.org\n')
    [row] = result.rows
    assert row.line == 2
    assert any("virgoletta" in str(p) for p in row.problems)


def test_members_already_there_are_updated_and_blank_cells_keep_their_data() -> None:
    existing = {
        "g.ferrari@example.org": ExistingMember(Role.FACILITATOR, "ASST di Lodi", "Sanità"),
        "revocata@example.org": ExistingMember(Role.OBSERVER, active=False),
        "altra@example.org": ExistingMember(Role.FACILITATOR),
    }
    text = (
        "nome;email;ente;ruolo\nGiulia;G.Ferrari@example.org;;\nRita;revocata@example.org;Comune;\n"
    )
    result = parse_invitations(text, existing)
    assert result.ok
    assert [row.status for row in result.rows] == [RowStatus.UPDATE, RowStatus.REACTIVATE]
    assert result.invitees == [
        Invitee("Giulia", "g.ferrari@example.org", "ASST di Lodi", "Sanità", Role.FACILITATOR),
        Invitee("Rita", "revocata@example.org", "Comune", "", Role.OBSERVER),
    ]


def test_a_list_that_would_demote_every_facilitator_is_refused() -> None:
    existing = {"unica@example.org": ExistingMember(Role.FACILITATOR)}
    demoting = parse_invitations(
        "nome;email;ruolo\nUnica;unica@example.org;partecipante\n", existing
    )
    assert not demoting.ok
    assert "senza facilitatori" in str(demoting.problems[0])
    handing_over = (
        "nome;email;ruolo\nUnica;unica@example.org;partecipante\nNuova;n@example.org;facilitatore\n"
    )
    assert parse_invitations(handing_over, existing).ok


def test_markup_in_a_name_is_kept_exactly() -> None:
    text = 'nome,email\n"<script>alert(1)</script> & Co",x@example.org\n'
    [invitee] = parse_invitations(text).invitees
    assert invitee.name == "<script>alert(1)</script> & Co"


def test_validate_invitee_for_the_command_line() -> None:
    assert validate_invitee("Giulia", "g@example.org", "facilitatore") == []
    assert validate_invitee("Giulia", "g@example.org", "observer") == []
    assert validate_invitee(" ", "non-una-mail", "capo") == [
        "Manca il nome.",
        "«non-una-mail» non è un indirizzo e-mail valido.",
        "Ruolo «capo» non riconosciuto: usa facilitatore, partecipante o osservatore.",
    ]
    [too_long] = validate_invitee("x" * 201, "g@example.org", "")
    assert too_long == "Il campo nome è troppo lungo: al massimo 200 caratteri."


@settings(max_examples=300, deadline=None)
@given(name=st.text(max_size=220), organisation=st.text(max_size=320))
def test_what_a_person_types_about_themselves_follows_the_list_rules(
    name: str, organisation: str
) -> None:
    """The first run's questions and the profile page accept exactly what a row of an
    invitation list accepts, so no path refuses what another let in."""
    text = _csv(["nome", "email", "organizzazione"], [(name, "a@example.org", organisation)], ";")
    result = parse_invitations(text)
    typed = field_problems("name", name) + field_problems("organisation", organisation)
    assert (not typed) == result.ok, (typed, [str(p) for p in result.problems])
    if result.ok:
        [invitee] = result.invitees
        assert (invitee.name, invitee.organisation) == (name.strip(), organisation.strip())


def test_field_problems_speak_of_the_field() -> None:
    assert field_problems("email", "maria@example.org") == []
    assert [str(p) for p in field_problems("email", "maria")] == [
        "«maria» non è un indirizzo e-mail valido."
    ]
    assert [str(p) for p in field_problems("name", " \t")] == ["Manca il nome."]
    assert [str(p) for p in field_problems("organisation", "Ente\nX")] == [
        "Il campo organizzazione non può andare a capo né contenere caratteri di controllo."
    ]
    assert field_problems("organisation", "") == []
