from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.core.importing import media_name
from app.core.permissions import Role
from app.extensions import db
from app.modules.documents.models import Document, Section
from app.modules.media.services import document_dir
from app.modules.people.models import Person
from tests.conftest import login

# A 2×2 PNG: enough to check that images travel into every format.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAD0lEQVR4nGNgSDsDQhAKAB5WBMmVr7GeAAAAAElFTkSuQmCC"
)
# Named as the media folder names its files: by their content's hash.
LOGO = media_name(hashlib.sha256(PNG).hexdigest(), "png")

SECTIONS = [
    (
        "Abitare",
        1,
        'Il "budget di salute" è uno strumento[^1] dell\'ASST.\n\n'
        "1. Casa\n   - alloggi protetti\n   - coabitazioni\n2. Quartiere\n\n"
        "| Ente | Ruolo |\n|---|---|\n| ASST di Lodi | capofila |\n| Comune | partner |\n\n"
        "![Logo del tavolo](/documents/{id}/media/{logo})\n\n"
        "[^1]: Delibera regionale n. 1234 del 2025.",
    ),
    ("Abitare supportato", 2, "Testo sull'abitare supportato, *con enfasi*."),
    (
        "Lavoro",
        1,
        "## Inserimento lavorativo\n\nTirocini e borse lavoro[^a].\n\n[^a]: Nota sul lavoro.",
    ),
    ("Socialità", 1, "Attività di socialità nel quartiere."),
]


@dataclass
class Policy:
    document: Document
    facilitator: Person
    participant: Person
    tokens: dict[Role, str]

    @property
    def headings(self) -> list[str]:
        return [s.title for s in self.document.sections]


@pytest.fixture
def policy(app, make) -> Policy:  # type: ignore[no-untyped-def]
    workshop = make.workshop(
        "Budget di salute: un patto per l'abitare",
        place="Sala consiliare, Lodi",
        starts_on=dt.date(2026, 3, 5),
        ends_on=dt.date(2026, 3, 6),
        promoters="ASST di Lodi\nUfficio di Piano",
    )
    people, tokens = {}, {}
    for role, org, category in (
        (Role.FACILITATOR, "Ufficio di Piano", "Ente locale"),
        (Role.PARTICIPANT, "ASST di Lodi", "Azienda sanitaria"),
        (Role.OBSERVER, "Regione Lombardia", "Regione"),
    ):
        membership, tokens[role] = make.member(
            workshop, role, organisation=org, category=category, name=f"Persona {role.value}"
        )
        people[role] = membership.person
    document = Document(workshop=workshop, title="Documento di policy sul budget di salute")
    document.subtitle = "Un patto per l'abitare, il lavoro e la socialità"
    db.session.add(document)
    db.session.flush()
    for position, (title, level, body) in enumerate(SECTIONS):
        document.sections.append(
            Section(
                position=position,
                title=title,
                level=level,
                body=body.replace("{id}", str(document.id)).replace("{logo}", LOGO),
            )
        )
    db.session.commit()
    folder = document_dir(document.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / LOGO).write_bytes(PNG)
    return Policy(document, people[Role.FACILITATOR], people[Role.PARTICIPANT], tokens)


def client_for(app, policy: Policy, role: Role):  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, policy.tokens[role])
    return client


def exported_files(app) -> list[Path]:  # type: ignore[no-untyped-def]
    folder = Path(app.config["EXPORTS_DIR"])
    return sorted(folder.iterdir()) if folder.exists() else []
