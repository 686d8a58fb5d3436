from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from app.core.permissions import Role
from app.extensions import db
from app.modules.documents.models import Document, Section
from app.modules.people.models import Person
from app.modules.workshops.models import Workshop
from tests.conftest import login

TEXT = (
    "Il Comune e l'azienda sanitaria aprono una casa di comunità in ogni quartiere.\n\n"
    "Le cooperative sociali gestiscono gli alloggi temporanei per i giovani lavoratori."
)


@dataclass
class Room:
    """A workshop with one document and a logged-in client for each kind of person."""

    workshop: Workshop
    document: Document
    section: Section
    clients: dict[str, FlaskClient]
    people: dict[str, Person]


@pytest.fixture
def room(app, make) -> Room:  # type: ignore[no-untyped-def]
    workshop = make.workshop("Tavolo casa e lavoro")
    document = make.document(workshop, sections=2)
    section = document.sections[0]
    section.body = TEXT
    db.session.commit()
    clients, people = {}, {}
    for key, role, name in [
        ("facilitator", Role.FACILITATOR, "Franca Guidi"),
        ("anna", Role.PARTICIPANT, "Anna Rossi"),
        ("bruno", Role.PARTICIPANT, "Bruno Verdi"),
        ("observer", Role.OBSERVER, "Oscar Neri"),
    ]:
        membership, token = make.member(workshop, role, name=name, category="Comuni")
        clients[key] = app.test_client()
        login(clients[key], token)
        people[key] = membership.person
    return Room(workshop, document, section, clients, people)
