"""Factories build real rows through the services, so tests exercise the same paths the
application uses."""

from __future__ import annotations

import itertools

from app.core.permissions import Role
from app.extensions import db
from app.modules.documents.models import Document, Section
from app.modules.people import services as people
from app.modules.people.models import Membership
from app.modules.workshops import services as workshops
from app.modules.workshops.models import Workshop

_seq = itertools.count(1)


def workshop(title: str = "Tavolo di prova", **fields: object) -> Workshop:
    created = workshops.create_workshop(None, workshops.WorkshopData(title=title, **fields))  # type: ignore[arg-type]
    db.session.commit()
    return created


def member(
    workshop: Workshop,
    role: Role = Role.PARTICIPANT,
    name: str | None = None,
    email: str | None = None,
    organisation: str = "Ente di prova",
    category: str = "",
) -> tuple[Membership, str]:
    n = next(_seq)
    membership, token = people.invite(
        None,
        workshop,
        people.Invitee(
            name=name or f"Persona {n}",
            email=email or f"persona{n}@example.org",
            organisation=organisation,
            category=category,
            role=role,
        ),
    )
    db.session.commit()
    return membership, token


def document(workshop: Workshop, title: str = "Documento di prova", sections: int = 2) -> Document:
    doc = Document(workshop=workshop, title=title)
    db.session.add(doc)
    for i in range(sections):
        db.session.add(
            Section(
                document=doc,
                position=i,
                title=f"Sezione {i + 1}",
                body=f"Testo della sezione {i + 1}.",
            )
        )
    db.session.commit()
    return doc
