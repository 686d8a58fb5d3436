"""Reading the list of people a facilitator pastes or uploads, and checking each invitee.

Lists come from spreadsheets saved in every possible way (Italian Excel separates with
';', a paste from a spreadsheet with tabs, old files are Windows-1252), so the reader
is lenient about form and strict about content: a row is either exactly right or it
gets a message that names its line. Nothing here raises on bad input.

Messages are Italian templates marked with N_ for the translation catalogue: the core
has no Flask, so the web layer translates them when it renders and the command line
prints the Italian text as it is."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email

from app.core.permissions import LEAD_ROLES, Role

MAX_ROWS = 500
MAX_BYTES = 1024 * 1024

COLUMNS = ("name", "email", "organisation", "category", "role")
# The lab a person works in and whether they lead it: read only under their headers, so
# that a list without a header keeps five columns and a sixth value still points at a
# wrong separator.
LAB_COLUMNS = ("lab", "leads")
ALL_COLUMNS = COLUMNS + LAB_COLUMNS
REQUIRED_COLUMNS = ("name", "email")
# The order assumed when the list has no header row, and the names used in messages.
COLUMN_LABELS = {
    "name": "nome",
    "email": "email",
    "organisation": "organizzazione",
    "category": "categoria",
    "role": "ruolo",
    "lab": "laboratorio",
    "leads": "conduce",
}
HEADER_ALIASES = {
    "nome": "name",
    "nomeecognome": "name",
    "nominativo": "name",
    "name": "name",
    "fullname": "name",
    "email": "email",
    "mail": "email",
    "indirizzoemail": "email",
    "emailaddress": "email",
    "organizzazione": "organisation",
    "ente": "organisation",
    "organisation": "organisation",
    "organization": "organisation",
    "categoria": "category",
    "categoriadistakeholder": "category",
    "category": "category",
    "stakeholdercategory": "category",
    "ruolo": "role",
    "role": "role",
    "laboratorio": "lab",
    "lab": "lab",
    "conduce": "leads",
    "conduttore": "leads",
    "conduttrice": "leads",
    "leads": "leads",
}
ROLE_NAMES = {
    "facilitatore": Role.FACILITATOR,
    "facilitatrice": Role.FACILITATOR,
    "facilitator": Role.FACILITATOR,
    "partecipante": Role.PARTICIPANT,
    "participant": Role.PARTICIPANT,
    "osservatore": Role.OBSERVER,
    "osservatrice": Role.OBSERVER,
    "observer": Role.OBSERVER,
}
# What a "conduce" cell may say, accents and case aside: a mark or a yes, as people tick
# a column of a spreadsheet (VERO and FALSO are what Italian Excel writes for booleans).
LEADS_YES = frozenset({"si", "x", "1", "true", "vero", "yes"})
LEADS_NO = frozenset({"", "no", "0", "false", "falso"})
# Lengths of the database columns: longer values would fail on PostgreSQL.
MAX_LENGTHS = {"name": 200, "email": 320, "organisation": 300, "category": 120}
# A tab first: that is what a paste from a spreadsheet brings.
DELIMITERS = ("\t", ";", ",")


def N_(template: str) -> str:
    """Marks a template for the catalogue: N_ is a keyword the extractor looks for."""
    return template


@dataclass(frozen=True)
class Message:
    """An Italian template with %(name)s placeholders, translated where it is shown."""

    template: str
    params: Mapping[str, str | int] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template % dict(self.params)


@dataclass(frozen=True)
class Invitee:
    name: str
    email: str
    organisation: str = ""
    category: str = ""
    role: Role = Role.PARTICIPANT


@dataclass(frozen=True)
class LabPlace:
    """The lab a row puts its person in: one of the workshop's documents, by its title
    as the workshop spells it, and whether the person leads it."""

    title: str
    leads: bool


@dataclass(frozen=True)
class ExistingMember:
    """What the workshop already knows about an address, so that a list pasted again
    updates people instead of failing, and blank cells do not erase what was there."""

    role: Role
    organisation: str = ""
    category: str = ""
    active: bool = True


class RowStatus(StrEnum):
    NEW = "new"
    UPDATE = "update"
    REACTIVATE = "reactivate"


@dataclass(frozen=True)
class ParsedRow:
    line: int
    name: str
    email: str
    organisation: str
    category: str
    role_text: str
    status: RowStatus
    problems: tuple[Message, ...]
    invitee: Invitee | None
    lab_text: str = ""
    leads_text: str = ""
    # None when the row names no lab (an existing member then stays where they are) or
    # has problems.
    lab: LabPlace | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ParseResult:
    rows: tuple[ParsedRow, ...]
    problems: tuple[Message, ...] = ()

    @property
    def bad_rows(self) -> tuple[ParsedRow, ...]:
        return tuple(row for row in self.rows if not row.ok)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problems and not self.bad_rows

    @property
    def invitees(self) -> list[Invitee]:
        return [row.invitee for row in self.rows if row.invitee is not None]

    def count(self, status: RowStatus) -> int:
        return sum(1 for row in self.rows if row.status == status)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def parse_role(text: str) -> Role | None:
    return ROLE_NAMES.get(text.strip().lower())


def parse_leads(text: str) -> bool | None:
    """Whether a "conduce" cell says yes; None when it says something else than yes or
    no, which is a row problem rather than a guess."""
    word = "".join(
        ch for ch in unicodedata.normalize("NFKD", text.strip().casefold())
        if not unicodedata.combining(ch)
    )
    if word in LEADS_YES:
        return True
    if word in LEADS_NO:
        return False
    return None


def lab_key(title: str) -> str:
    """A title as people type it into a spreadsheet: case and spacing (doubled, at the
    ends, non-breaking) do not tell two labs apart."""
    return " ".join(unicodedata.normalize("NFC", title).casefold().split())


def _role_problem(text: str) -> Message | None:
    if not text.strip() or parse_role(text) is not None:
        return None
    return Message(
        N_("Ruolo «%(role)s» non riconosciuto: usa facilitatore, partecipante o osservatore."),
        {"role": text.strip()},
    )


def _email_problem(email: str) -> Message | None:
    if not email.strip():
        return Message(N_("Manca l'indirizzo e-mail."))
    try:
        validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        return Message(
            N_("«%(email)s» non è un indirizzo e-mail valido."), {"email": email.strip()}
        )
    return None


def _length_problems(values: Mapping[str, str]) -> list[Message]:
    return [
        Message(
            N_("Il campo %(column)s è troppo lungo: al massimo %(limit)s caratteri."),
            {"column": COLUMN_LABELS[column], "limit": limit},
        )
        for column, limit in MAX_LENGTHS.items()
        if len(values.get(column, "")) > limit
    ]


def _has_control_characters(value: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in value)


def _invitee_problems(name: str, email: str, role: str) -> list[Message]:
    problems = []
    if not name.strip():
        problems.append(Message(N_("Manca il nome.")))
    for problem in (_email_problem(email), _role_problem(role)):
        if problem is not None:
            problems.append(problem)
    return problems


def field_problems(column: str, value: str) -> list[Message]:
    """The checks of one value a person types about themselves (the first run's
    questions, the profile page): the rules of a row of the invitation list, so that
    what one path accepts the other does not refuse."""
    problems: list[Message] = []
    if column == "name" and not value.strip():
        problems.append(Message(N_("Manca il nome.")))
    elif column == "email" and (problem := _email_problem(value)) is not None:
        problems.append(problem)
    problems += _length_problems({column: value.strip()})
    if _has_control_characters(value.strip()):
        problems.append(
            Message(
                N_(
                    "Il campo %(column)s non può andare a capo né contenere caratteri di controllo."
                ),
                {"column": COLUMN_LABELS[column]},
            )
        )
    return problems


def validate_invitee(name: str, email: str, role: str) -> list[str]:
    """The checks of one invitation typed at the command line, as Italian sentences."""
    values = {"name": name.strip(), "email": email.strip()}
    problems = _invitee_problems(name, email, role) + _length_problems(values)
    if _has_control_characters(name + email):
        problems.append(Message(N_("Nome ed e-mail non possono contenere caratteri di controllo.")))
    return [str(problem) for problem in problems]


def decode_upload(data: bytes) -> str:
    """Text of an uploaded list. UTF-8 with or without BOM is what current spreadsheets
    write, UTF-16 is Excel's "Unicode text", anything else is taken as Windows-1252,
    the encoding of older Italian Excel files; undecodable bytes become U+FFFD rather
    than losing the whole file."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _header_key(cell: str) -> str:
    return re.sub(r"[\s_\-.]+", "", cell.strip().lower())


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


def _delimiter(text: str) -> str:
    """The candidate that splits the first line into the most cells; on a tie the
    earlier candidate wins, so a lone "Rossi, Mario; mario@…" counts as ';'."""
    line = _first_line(text)

    def cells(delimiter: str) -> int:
        return max((len(row) for row in csv.reader([line], delimiter=delimiter)), default=0)

    return max(DELIMITERS, key=lambda d: (cells(d), -DELIMITERS.index(d)))


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, cells), skipping blank lines; the line is the one
    the facilitator sees in the text box, even when a quoted cell spans several."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield start, cells
        start = reader.line_num + 1


@dataclass(frozen=True)
class _Layout:
    """Which cell holds which column; None marks a cell with no column."""

    columns: tuple[str | None, ...]
    has_header: bool


def _layout(first: list[str]) -> tuple[_Layout, list[Message]]:
    keys = [_header_key(cell) for cell in first]
    if not any(key in HEADER_ALIASES for key in keys):
        return _Layout(COLUMNS, has_header=False), []
    problems: list[Message] = []
    columns: list[str | None] = []
    for cell, key in zip(first, keys, strict=True):
        column = HEADER_ALIASES.get(key)
        if key and column is None:
            problems.append(
                Message(
                    N_("Colonna «%(header)s» non riconosciuta: le colonne possibili sono "
                       "nome, email, organizzazione, categoria, ruolo, laboratorio, conduce."),
                    {"header": cell.strip()},
                )
            )
        elif column is not None and column in columns:
            problems.append(
                Message(N_("La colonna %(column)s compare due volte."),
                        {"column": COLUMN_LABELS[column]})
            )
        columns.append(column)
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            problems.append(
                Message(N_("Manca la colonna %(column)s."), {"column": COLUMN_LABELS[column]})
            )
    return _Layout(tuple(columns), has_header=True), problems


def _cell_values(layout: _Layout, cells: list[str]) -> tuple[dict[str, str], list[Message]]:
    values = {column: "" for column in ALL_COLUMNS}
    problems: list[Message] = []
    for index, cell in enumerate(cells):
        column = layout.columns[index] if index < len(layout.columns) else None
        if column is not None:
            values[column] = cell.strip()
        elif cell.strip():
            problems.append(_stray_cell(layout, index))
            break
    return values, problems


def _stray_cell(layout: _Layout, index: int) -> Message:
    if layout.has_header and index < len(layout.columns):
        return Message(N_("C'è un valore nella colonna %(position)s, che non ha intestazione."),
                       {"position": index + 1})
    if layout.has_header:
        return Message(N_("La riga ha più valori delle colonne dell'intestazione (%(count)s)."),
                       {"count": len(layout.columns)})
    return Message(
        N_("La riga ha più di cinque valori: senza intestazione le colonne sono nome, email, "
           "organizzazione, categoria, ruolo. Controlla il separatore o aggiungi le virgolette "
           "ai valori che contengono il separatore.")
    )


def _effective_invitee(values: Mapping[str, str], existing: ExistingMember | None) -> Invitee:
    """Blank cells keep what an existing member already has; a new person without a role
    is a participant, the role most people at the table have."""
    role = parse_role(values["role"])
    if existing is None:
        return Invitee(values["name"], normalise_email(values["email"]), values["organisation"],
                       values["category"], role or Role.PARTICIPANT)
    return Invitee(
        values["name"],
        normalise_email(values["email"]),
        values["organisation"] or existing.organisation,
        values["category"] or existing.category,
        role or existing.role,
    )


def _lab_place(
    values: Mapping[str, str],
    existing: ExistingMember | None,
    labs: Mapping[str, tuple[str, ...]],
) -> tuple[LabPlace | None, list[Message]]:
    """The row's lab, found among the workshop's documents by title (`labs`: their
    titles by lab_key). A blank lab cell says nothing: an existing member stays in the
    lab they are in."""
    lab_text, leads_text = values["lab"], values["leads"]
    leads = parse_leads(leads_text)
    problems: list[Message] = []
    if leads is None:
        problems.append(Message(
            N_("«%(value)s» nella colonna conduce non si capisce: scrivi «sì» per chi conduce "
               "il laboratorio, altrimenti lascia vuoto."),
            {"value": leads_text},
        ))
    titles = labs.get(lab_key(lab_text), ()) if lab_text else ()
    if lab_text and not titles:
        problems.append(Message(
            N_("Nessun documento di questo tavolo si chiama «%(title)s»."), {"title": lab_text}
        ))
    elif len(titles) > 1:
        problems.append(Message(
            N_("Più documenti di questo tavolo si chiamano «%(title)s»: rinominane uno, poi "
               "controlla di nuovo l'elenco."),
            {"title": lab_text},
        ))
    role = parse_role(values["role"]) or (existing.role if existing else Role.PARTICIPANT)
    if leads and not lab_text:
        problems.append(Message(
            N_("Per condurre un laboratorio, scrivine il titolo nella colonna laboratorio.")
        ))
    elif leads and role not in LEAD_ROLES:
        problems.append(Message(
            N_("Chi segue il tavolo come osservatore non conduce un laboratorio: indica "
               "partecipante o facilitatore come ruolo.")
        ))
    if problems or not lab_text:
        return None, problems
    return LabPlace(titles[0], bool(leads)), problems


def _status(existing: ExistingMember | None) -> RowStatus:
    if existing is None:
        return RowStatus.NEW
    return RowStatus.UPDATE if existing.active else RowStatus.REACTIVATE


def _row(
    line: int,
    values: dict[str, str],
    problems: list[Message],
    first_seen: dict[str, int],
    existing: Mapping[str, ExistingMember],
    labs: Mapping[str, tuple[str, ...]],
) -> ParsedRow:
    problems = problems + _invitee_problems(values["name"], values["email"], values["role"])
    problems += _length_problems(values)
    email = normalise_email(values["email"])
    member = existing.get(email)
    lab, lab_problems = _lab_place(values, member, labs)
    problems += lab_problems
    if any(_has_control_characters(value) for value in values.values()):
        problems.append(
            Message(N_("Un valore va a capo o contiene caratteri di controllo: forse manca "
                       "una virgoletta di chiusura."))
        )
    if email and email in first_seen:
        problems.append(
            Message(N_("L'indirizzo %(email)s compare già alla riga %(line)s."),
                    {"email": email, "line": first_seen[email]})
        )
    elif email:
        first_seen[email] = line
    return ParsedRow(
        line=line,
        name=values["name"],
        email=values["email"],
        organisation=values["organisation"],
        category=values["category"],
        role_text=values["role"],
        status=_status(member),
        problems=tuple(problems),
        invitee=None if problems else _effective_invitee(values, member),
        lab_text=values["lab"],
        leads_text=values["leads"],
        lab=None if problems else lab,
    )


def _leaves_without_facilitator(
    rows: tuple[ParsedRow, ...], existing: Mapping[str, ExistingMember]
) -> bool:
    facilitators = {
        email for email, member in existing.items()
        if member.active and member.role is Role.FACILITATOR
    }
    if not facilitators:
        return False
    for invitee in (row.invitee for row in rows if row.invitee is not None):
        if invitee.role is Role.FACILITATOR:
            facilitators.add(invitee.email)
        else:
            facilitators.discard(invitee.email)
    return not facilitators


def parse_invitations(
    text: str,
    existing: Mapping[str, ExistingMember] | None = None,
    labs: Iterable[str] = (),
) -> ParseResult:
    """Every row with its line and problems. `existing` maps normalised e-mails of the
    workshop's members: those rows update the member instead of being errors. `labs`:
    the titles of the workshop's documents, which a "laboratorio" cell must name."""
    existing = existing or {}
    titles: dict[str, tuple[str, ...]] = {}
    for title in labs:
        titles[lab_key(title)] = (*titles.get(lab_key(title), ()), title)
    if len(text.encode("utf-8", errors="surrogatepass")) > MAX_BYTES:
        return ParseResult((), (Message(N_("L'elenco supera 1 MB: dividilo in più parti.")),))
    text = text.lstrip("\ufeff")
    try:
        records = list(_records(text, _delimiter(text)))
    except csv.Error:
        return ParseResult((), (Message(
            N_("L'elenco non si riesce a leggere: un valore è troppo lungo, forse per una "
               "virgoletta non chiusa.")),))
    if not records:
        return ParseResult((), (Message(N_("L'elenco è vuoto: serve almeno una riga con nome "
                                           "ed e-mail.")),))
    layout, problems = _layout(records[0][1])
    data = records[1:] if layout.has_header else records
    if problems:
        return ParseResult((), tuple(problems))
    if not data:
        return ParseResult((), (Message(N_("L'elenco ha solo l'intestazione: aggiungi almeno "
                                           "una persona.")),))
    if len(data) > MAX_ROWS:
        return ParseResult((), (Message(
            N_("L'elenco ha %(count)s righe: al massimo %(limit)s per volta. Dividilo in più "
               "parti."), {"count": len(data), "limit": MAX_ROWS}),))
    first_seen: dict[str, int] = {}
    rows = tuple(
        _row(line, *_cell_values(layout, cells), first_seen, existing, titles)
        for line, cells in data
    )
    if not any(not row.ok for row in rows) and _leaves_without_facilitator(rows, existing):
        return ParseResult(rows, (Message(
            N_("Con questo elenco il tavolo resterebbe senza facilitatori attivi: indica "
               "«facilitatore» come ruolo di almeno una persona.")),))
    return ParseResult(rows)
