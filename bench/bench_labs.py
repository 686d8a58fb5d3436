"""The labs side by side on the workshop's page, asked every few seconds by every screen
in the room while the labs run. See NOTES."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.config import TestConfig
from app.core.permissions import Role, SectionState
from app.extensions import db
from app.modules.documents import services as documents
from app.modules.labs import services as labs
from app.modules.people.models import Membership
from app.realtime.services import write_text
from bench.report import Entry, entry
from tests import factories
from tests.conftest import FreshContextClient, login

LABS = 6
SECTIONS = 10
PEOPLE = 150
ASKED = 60

NOTES = f"""\
## Labs side by side

{LABS} labs of {SECTIONS} sections each, {PEOPLE} participants assigned to them (one lead
per lab), every section typed in through the live layer. Measured through the
application (login session, database): `GET /workshops/<id>/laboratori.json`, the
question every screen showing the workshop's page asks every 3 s. *Nothing changed*:
the same question asked {ASKED} times in a row, as the screens of a room ask it between
two changes. *After a decision*: each question right after a section of a lab is locked
or opened again, which the labs' figures must show at once. Reference, same run:
`GET /healthz`, what a request costs the server when it does nothing. Medians in
milliseconds."""


def _median_ms(ask: Callable[[], object], before: Callable[[], object] | None = None) -> float:
    ask()
    times = []
    for _ in range(ASKED):
        if before is not None:
            before()
        started = time.perf_counter()
        ask()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def run() -> list[Entry]:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            TestConfig,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{Path(tmp) / 'bench.db'}",
            WTF_CSRF_ENABLED=False,
            RATELIMIT_ENABLED=False,
            SQLITE_SYNCHRONOUS="OFF",
        )
        app.instance_path = tmp
        app.test_client_class = FreshContextClient
        with app.app_context():
            db.create_all()
            return _measure(app)


def _measure(app: Flask) -> list[Entry]:
    workshop = factories.workshop("Case della Comunità")
    facilitator, _ = factories.member(workshop, Role.FACILITATOR)
    people: list[Membership] = [factories.member(workshop)[0] for _ in range(PEOPLE)]
    rooms = [
        factories.document(workshop, f"Laboratorio {n + 1}", sections=SECTIONS) for n in range(LABS)
    ]
    for n, membership in enumerate(people):
        labs.assign(None, membership, rooms[n % LABS], n < LABS)
    db.session.commit()
    for room in rooms:
        for section in room.sections:
            write_text(
                people[0].person,
                section,
                f"Quello che il laboratorio propone: {section.title}.",
                "t",
            )
    client: FlaskClient = app.test_client()
    token = factories.member(workshop, Role.OBSERVER)[1]
    login(client, token)
    url = f"/workshops/{workshop.id}/laboratori.json"

    def ask() -> None:
        assert client.get(url).status_code == 200

    toggled = rooms[0].sections[0]

    def decide() -> None:
        state = SectionState.OPEN if toggled.state is SectionState.LOCKED else SectionState.LOCKED
        documents.set_section_state(facilitator.person, toggled, state)
        db.session.commit()

    def healthz() -> None:
        assert client.get("/healthz").status_code == 200

    quiet = _median_ms(ask)
    decided = _median_ms(ask, decide)
    reference = _median_ms(healthz)
    return [
        entry(
            f"labs grid, {LABS} labs × {SECTIONS} sections, nothing changed",
            "median",
            quiet,
            "ms",
            "GET /healthz",
            reference,
        ),
        entry(
            f"labs grid, {LABS} labs × {SECTIONS} sections, after a decision",
            "median",
            decided,
            "ms",
            "GET /healthz",
            reference,
        ),
    ]
