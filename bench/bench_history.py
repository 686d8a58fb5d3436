"""History: comparing two versions of a long document, and opening the history of a
section typed in all day. See NOTES for what is measured and how."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from diff_match_patch import diff_match_patch

from app import create_app
from app.config import TestConfig
from app.core.permissions import Role
from app.extensions import db
from app.modules.documents.models import Document, Section
from app.modules.history import services as history
from app.realtime.client import Replica
from app.realtime.services import live
from bench.report import Entry, entry, median_seconds
from tests import factories
from tests.conftest import FreshContextClient, login

SECTIONS = 20
WORDS = 40_000
EDITS = 100
UPDATES = 10_000
QUIET_UPDATES = 100
DIFF_TARGET_S = 1.0
DIFF_RATIO_TARGET = 3.0
HISTORY_TARGET_MS = 300

NOTES = f"""\
## History

*Diff of two versions*: a generated document of {WORDS:,} Italian words (about 90 pages)
in {SECTIONS} sections, saved as a version; then {EDITS} single words replaced, inserted
or deleted at random places, typed through the live store by 4 people (each edit is a
revision whose author the comparison looks up); then saved again. Measured:
`GET /documents/<id>/compare` between the two versions through the application (login
session, database, word-level diff with semantic clean-up per section, the revisions
in between followed to name the author of each insertion, rendering of the inline
view). Reference, same texts, same run: one raw `diff_match_patch.diff_main` call
on the two whole documents (character level, default settings). Targets: under
{DIFF_TARGET_S:.0f} s and within {DIFF_RATIO_TARGET:.0f}× the raw call.

*History of a section*: {UPDATES:,} real pycrdt updates applied through the live store
(`live().store.apply`, as the Socket.IO handler does) by 4 people, with bursts of 0 s so
that every update is a revision of its own (the worst case: a day of typing makes far
fewer). Measured: `GET /sections/<id>/history` (first page). Reference, same run: the
same page for a section of the same document with {QUIET_UPDATES} updates. Target:
under {HISTORY_TARGET_MS} ms.
"""

_SAMPLE = (
    "la casa è un diritto delle persone fragili e il lavoro dà dignità; l'Azienda "
    "sanitaria, la Regione, i Comuni e il Terzo settore costruiscono insieme percorsi di "
    "abitare supportato, inclusione lavorativa, socialità nei quartieri, con budget di "
    "salute personalizzati, progetti di vita, équipe multiprofessionali, co-progettazione "
    "e valutazione degli esiti entro il 2027 con 1.250.000,00 € di risorse dell'ASST"
)
_VOCABULARY = _SAMPLE.split()


def _paragraphs(rng: random.Random, words: int) -> str:
    out, line = [], []
    for n in range(words):
        line.append(rng.choice(_VOCABULARY))
        if n % 90 == 89:
            out.append(" ".join(line).capitalize() + ".")
            line = []
    if line:
        out.append(" ".join(line).capitalize() + ".")
    return "\n\n".join(out)


def _edit(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    at = rng.randrange(len(words))
    kind = rng.choice(("replace", "insert", "delete"))
    if kind == "replace":
        words[at] = rng.choice(_VOCABULARY)
    elif kind == "insert":
        words.insert(at, rng.choice(_VOCABULARY))
    else:
        del words[at]
    return " ".join(words)


def _type(person_id: int, section: Section, replica: Replica, text: str) -> None:
    update = replica.replace(text)
    if update is not None:
        live().store.apply(section.id, person_id, update)


def _synced(section: Section) -> Replica:
    replica = Replica()
    state, _ = live().store.sync(section.id, replica.state_vector())
    replica.apply(state)
    return replica


def _typed_section(section: Section, people: list[int], updates: int, seed: int) -> None:
    rng = random.Random(seed)
    replica = _synced(section)
    for n in range(updates):
        _type(people[n % len(people)], section, replica, _edit(rng, replica.text()))


def run() -> list[Entry]:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            TestConfig,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(tmp) / 'bench.db'}",
            WTF_CSRF_ENABLED=False,
            RATELIMIT_ENABLED=False,
            SQLITE_SYNCHRONOUS="OFF",
            LIVE_BURST_SECONDS=0,
        )
        app.instance_path = tmp
        app.test_client_class = FreshContextClient
        with app.app_context():
            db.create_all()
            return _measure(app)


def _measure(app) -> list[Entry]:  # type: ignore[no-untyped-def]
    rng = random.Random(20260305)
    workshop = factories.workshop("Tavolo del benchmark")
    _, token = factories.member(workshop, Role.FACILITATOR)
    writers = [factories.member(workshop)[0].person.id for _ in range(4)]
    document = Document(workshop=workshop, title="Documento lungo")
    db.session.add(document)
    for i in range(SECTIONS):
        body = _paragraphs(rng, WORDS // SECTIONS)
        db.session.add(Section(document=document, position=i, title=f"Sezione {i + 1}", body=body))
    db.session.commit()
    old = history.save_version(None, document, "prima")
    db.session.commit()
    replicas: dict[int, Replica] = {}
    for n in range(EDITS):
        section = rng.choice(document.sections)
        replica = replicas.get(section.id) or _synced(section)
        replicas[section.id] = replica
        _type(writers[n % len(writers)], section, replica, _edit(rng, replica.text()))
    new = history.save_version(None, document, "dopo")
    db.session.commit()
    client = app.test_client()
    login(client, token)

    def diff_page() -> None:
        response = client.get(f"/documents/{document.id}/compare?da={old.id}&a={new.id}")
        assert response.status_code == 200 and "<ins" in response.text

    old_text = "\n\n".join(s.body for s in old.sections)
    new_text = "\n\n".join(s.body for s in new.sections)
    page_s = median_seconds(diff_page)
    raw_s = median_seconds(lambda: diff_match_patch().diff_main(old_text, new_text))

    busy, quiet = Section(title="Sezione animata"), Section(title="Sezione tranquilla")
    for n, section in enumerate((busy, quiet)):
        section.position = SECTIONS + n
        section.body = _paragraphs(rng, 400)
        document.sections.append(section)
    db.session.commit()
    _typed_section(busy, writers, UPDATES, 1)
    _typed_section(quiet, writers, QUIET_UPDATES, 2)

    def history_page(section: Section):  # type: ignore[no-untyped-def]
        def get() -> None:
            response = client.get(f"/sections/{section.id}/history")
            assert response.status_code == 200 and "Cronologia" in response.text

        return get

    busy_s = median_seconds(history_page(busy), repeat=9)
    quiet_s = median_seconds(history_page(quiet), repeat=9)
    print(
        f"  targets (diff < {DIFF_TARGET_S} s and ≤ {DIFF_RATIO_TARGET}× raw; history < "
        f"{HISTORY_TARGET_MS} ms): diff {page_s:.3f} s = {page_s / raw_s:.2f}× raw, "
        f"history {busy_s * 1000:.0f} ms"
    )
    return [
        entry(
            "history diff of two 90-page versions",
            "median",
            page_s,
            "s",
            "raw diff_match_patch.diff_main on the whole texts",
            raw_s,
        ),
        entry(
            f"history page of a section with {UPDATES:,} updates",
            "median",
            busy_s * 1000,
            "ms",
            f"the same page for a section with {QUIET_UPDATES} updates",
            quiet_s * 1000,
        ),
    ]
