"""A workshop with a facilitator already in, as every management page needs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask.testing import FlaskClient

from app.core.permissions import Role
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.people.models import Membership
from app.modules.workshops.models import Workshop
from tests import conftest, factories
from tests.conftest import login

LINK = re.compile(r"http://localhost(/i/[A-Za-z0-9_-]+)")


@dataclass
class Desk:
    client: FlaskClient
    workshop: Workshop
    facilitator: Membership

    @property
    def base(self) -> str:
        return f"/workshops/{self.workshop.id}"


def facilitator_desk(app, title: str = "Tavolo «Abitare»") -> Desk:  # type: ignore[no-untyped-def]
    workshop = factories.workshop(title, place="Sala consiliare, Lodi")
    membership, token = factories.member(
        workshop, Role.FACILITATOR, name="Francesca Ferri", organisation="Ufficio di Piano"
    )
    client = app.test_client()
    login(client, token)
    return Desk(client, workshop, membership)


def link_paths(html: str) -> list[str]:
    """The invitation links a page shows, once each (a card shows its link as text)."""
    return list(dict.fromkeys(LINK.findall(html)))


def enters(app, path: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether the link at `path` (/i/<token>) lets a fresh browser in."""
    return conftest.enters(app.test_client(), path.removeprefix("/i/"))


def memberships(workshop: Workshop) -> list[Membership]:
    db.session.expire_all()
    return list(
        db.session.scalars(db.select(Membership).where(Membership.workshop_id == workshop.id))
    )


def actions(workshop: Workshop) -> list[str]:
    return list(
        db.session.scalars(
            db.select(AuditEvent.action)
            .where(AuditEvent.workshop_id == workshop.id)
            .order_by(AuditEvent.id)
        )
    )


def audit_events(workshop: Workshop) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.workshop_id == workshop.id)
            .order_by(AuditEvent.id)
        )
    )
