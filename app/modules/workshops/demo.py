"""`tavolo demo`: a workshop to try Tavolo with, and its facilitator's link."""

from __future__ import annotations

import datetime as dt

import click

from app.core.permissions import Role
from app.extensions import db
from app.modules.documents import services as documents
from app.modules.people import services as people
from app.modules.people.models import Membership, Person
from app.modules.timeutil import utcnow
from app.modules.workshops import services as workshops
from app.web.i18n import local_time

DEMO_FACILITATOR = "facilitatore@demo.tavolo.invalid"


@click.command("demo")
def demo() -> None:
    """Crea il tavolo dimostrativo se manca e stampa un link di accesso del facilitatore."""
    facilitator = (
        db.session.execute(
            db.select(Membership)
            .join(Person)
            .where(Person.email == DEMO_FACILITATOR, Membership.role == Role.FACILITATOR)
        )
        .scalars()
        .first()
    )
    if facilitator is None:
        facilitator = _seed_demo()
    else:
        facilitator.revoked_at = None
    token = people.issue_token(facilitator)
    db.session.commit()
    click.echo(people.invitation_url(token))


def _seed_demo() -> Membership:
    today = local_time(utcnow()).date()
    workshop = workshops.create_workshop(
        None,
        workshops.WorkshopData(
            title="Budget di salute: un patto per l'abitare, il lavoro e la socialità",
            place="Sala consiliare, Lodi",
            starts_on=today,
            ends_on=today + dt.timedelta(days=1),
            promoters="ASST di Lodi\nUfficio di Piano dell'Ambito di Lodi\nForum del Terzo Settore",
        ),
    )
    membership, _ = people.invite(
        None,
        workshop,
        people.Invitee(
            name="Facilitatore demo",
            email=DEMO_FACILITATOR,
            organisation="Ufficio di Piano",
            category="Ente locale",
            role=Role.FACILITATOR,
        ),
    )
    for name, email, org, category, role in DEMO_PEOPLE:
        people.invite(None, workshop, people.Invitee(name, email, org, category, role))
    documents.create_document(
        None, workshop, "Documento di policy sul budget di salute", "budget-di-salute"
    )
    return membership


DEMO_PEOPLE = [
    (
        "Giulia Ferrari",
        "giulia.ferrari@demo.tavolo.invalid",
        "ASST di Lodi",
        "Azienda sanitaria",
        Role.PARTICIPANT,
    ),
    (
        "Marco Bianchi",
        "marco.bianchi@demo.tavolo.invalid",
        "Comune di Codogno",
        "Comune",
        Role.PARTICIPANT,
    ),
    (
        "Anna Rossi",
        "anna.rossi@demo.tavolo.invalid",
        "Cooperativa sociale Il Ponte",
        "Terzo settore",
        Role.PARTICIPANT,
    ),
    ("Luca Conti", "luca.conti@demo.tavolo.invalid", "Regione Lombardia", "Regione", Role.OBSERVER),
]
