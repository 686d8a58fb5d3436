"""A workshop with three labs written and a synthesis of them, ready to pull from."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.modules.port import write_text
from app.modules.synthesis import services as synthesis
from tests import factories
from tests.modules.amendments.conftest import Table
from tests.modules.amendments.conftest import table as table

LABS = {
    "Laboratorio 1 · Abitare": "Le cooperative gestiscono alloggi per i giovani.\n\n"
    "Serve un fondo di garanzia per gli affitti.",
    "Laboratorio 2 · Lavoro": "I tirocini durano almeno sei mesi.\n\n"
    "Le imprese sociali assumono chi esce dal percorso.",
    "Laboratorio 3 · Socialità": "Le biblioteche restano aperte la sera.\n\n"
    "Le associazioni usano gli spazi delle scuole.",
}


@pytest.fixture
def built(table: Table):  # type: ignore[no-untyped-def]
    workshop = table.document.workshop
    labs = []
    for title, body in LABS.items():
        lab = factories.document(workshop, title, sections=1)
        write_text(table.people["anna"], lab.sections[0], body, "typed-by-test")
        labs.append(lab)
    made = synthesis.create(
        table.people["facilitator"],
        workshop,
        "Sintesi dei laboratori",
        labs,
        ["Punti di forza", "Criticità", "Proposte", "Buone pratiche"],
    )
    db.session.commit()
    return made, labs
