from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from app.core.permissions import Role
from app.modules.people.models import Person
from app.modules.workshops.models import Workshop
from tests.conftest import login


@dataclass
class Room:
    """A workshop with a logged-in client for each role."""

    workshop: Workshop
    facilitator: FlaskClient
    observer: FlaskClient
    participant: FlaskClient
    people: dict[Role, Person]


@pytest.fixture
def room(app, make) -> Room:  # type: ignore[no-untyped-def]
    workshop = make.workshop(
        "Tavolo budget di salute",
        place="Cascina, Corte Franca",
        promoters="ASST di Franciacorta\nRegione Lombardia",
    )
    clients, people = {}, {}
    for role in Role:
        membership, token = make.member(
            workshop, role, email=f"{role.value}@asst.example.org", name=f"Persona {role.value}"
        )
        clients[role] = app.test_client()
        login(clients[role], token)
        people[role] = membership.person
    return Room(
        workshop,
        clients[Role.FACILITATOR],
        clients[Role.OBSERVER],
        clients[Role.PARTICIPANT],
        people,
    )
