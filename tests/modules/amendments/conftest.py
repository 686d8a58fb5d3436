from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from app.core.permissions import Role
from app.extensions import db
from app.modules.documents.models import Document, Section
from app.modules.people.models import Membership, Person
from tests.conftest import login

BODY = (
    "Il budget di salute sostiene progetti di vita personalizzati.\n\n"
    "Le aziende sanitarie e i comuni finanziano insieme la casa e il lavoro."
)
# persona → (role, category, organisation)
PEOPLE = {
    "facilitator": (Role.FACILITATOR, "Regione", "Regione Lombardia"),
    "anna": (Role.PARTICIPANT, "Comuni", "Comune di Iseo"),
    "bruno": (Role.PARTICIPANT, "Aziende sanitarie", "ASST Franciacorta"),
    "carla": (Role.PARTICIPANT, "Comuni", "Comune di Erbusco"),
    "oscar": (Role.OBSERVER, "Terzo settore", "Cooperativa Il Ponte"),
}


@dataclass
class Table:
    """A workshop with a document, and a logged-in client for each persona."""

    document: Document
    clients: dict[str, FlaskClient]
    people: dict[str, Person]
    memberships: dict[str, Membership]

    @property
    def section(self) -> Section:
        return self.document.sections[0]


@pytest.fixture
def table(app, make) -> Table:  # type: ignore[no-untyped-def]
    workshop = make.workshop("Tavolo budget di salute")
    document = make.document(workshop, sections=2)
    document.sections[0].body = BODY
    clients, people, memberships = {}, {}, {}
    for persona, (role, category, organisation) in PEOPLE.items():
        membership, token = make.member(
            workshop,
            role,
            name=persona.capitalize(),
            email=f"{persona}@example.org",
            organisation=organisation,
            category=category,
        )
        clients[persona] = app.test_client()
        login(clients[persona], token)
        people[persona], memberships[persona] = membership.person, membership

    db.session.commit()
    return Table(document, clients, people, memberships)
