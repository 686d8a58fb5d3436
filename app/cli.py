"""The `tavolo` command group: what a facilitator or a script does without a browser.
Output meant for scripts is one value per line and nothing else; messages go to stderr."""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask
from flask.cli import AppGroup

from app.core.invitations import parse_role, validate_invitee
from app.core.permissions import Role
from app.extensions import db
from app.modules.backups.cli import backup_command, restore_command
from app.modules.documents import services as documents
from app.modules.exports.cli import export_command
from app.modules.imports.cli import import_document
from app.modules.people import services as people
from app.modules.people.models import Membership, Person
from app.modules.workshops import services as workshops
from app.modules.workshops.models import Workshop

tavolo = AppGroup("tavolo", help="Gestione dei tavoli di Tavolo.")

DEMO_FACILITATOR = "facilitatore@demo.tavolo.invalid"


def _workshop(workshop_id: int) -> Workshop:
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        raise click.ClickException(f"Nessun tavolo con id {workshop_id}.")
    return workshop


@tavolo.command("create-workshop")
@click.argument("title")
@click.option("--place", default="")
def create_workshop(title: str, place: str) -> None:
    """Crea un tavolo e ne stampa l'id."""
    if not title.strip():
        raise click.ClickException("Il titolo non può essere vuoto.")
    workshop = workshops.create_workshop(None, workshops.WorkshopData(title=title, place=place))
    db.session.commit()
    click.echo(workshop.id)


@tavolo.command("create-document")
@click.argument("workshop_id", type=int)
@click.argument("title")
@click.option("--template", "template_name", default=None, help="Nome di un modello in documents/.")
def create_document(workshop_id: int, title: str, template_name: str | None) -> None:
    """Crea un documento (vuoto o da un modello) e ne stampa l'id."""
    workshop = _workshop(workshop_id)
    try:
        document = documents.create_document(None, workshop, title, template_name)
    except documents.DocumentError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(document.id)


@tavolo.command("list-documents")
@click.argument("workshop_id", type=int)
def list_documents(workshop_id: int) -> None:
    """Un documento per riga: id, stato, titolo (separati da tabulazioni)."""
    for document in _workshop(workshop_id).documents:
        click.echo(f"{document.id}\t{document.status.value}\t{document.title}")


@tavolo.command("invite")
@click.argument("workshop_id", type=int)
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--org", "organisation", default="")
@click.option("--category", default="")
@click.option(
    "--role",
    default="partecipante",
    help="facilitatore, partecipante o osservatore (anche in inglese).",
)
def invite(
    workshop_id: int, name: str, email: str, organisation: str, category: str, role: str
) -> None:
    """Invita una persona e stampa il suo link personale."""
    workshop = _workshop(workshop_id)
    problems = validate_invitee(name, email, role)
    if problems:
        raise click.ClickException(" ".join(problems))
    invitee = people.Invitee(
        name=name,
        email=email,
        organisation=organisation,
        category=category,
        role=parse_role(role) or Role.PARTICIPANT,
    )
    _, token = people.invite(None, workshop, invitee)
    db.session.commit()
    click.echo(people.invitation_url(token))


@tavolo.command("revoke")
@click.argument("workshop_id", type=int)
@click.argument("email")
def revoke(workshop_id: int, email: str) -> None:
    """Revoca l'accesso di una persona: vale dalla sua prossima richiesta."""
    membership = db.session.execute(
        db.select(Membership)
        .join(Person)
        .where(
            Membership.workshop_id == _workshop(workshop_id).id,
            Person.email == people.normalise_email(email),
        )
    ).scalar_one_or_none()
    if membership is None:
        raise click.ClickException(f"{email} non è membro del tavolo {workshop_id}.")
    try:
        people.revoke(None, membership)
    except people.MembershipError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()


@tavolo.command("list-members")
@click.argument("workshop_id", type=int)
def list_members(workshop_id: int) -> None:
    """Un membro per riga: e-mail, ruolo, organizzazione, stato (separati da tabulazioni)."""
    for m in people.members_of(_workshop(workshop_id)):
        status = "revoked" if m.revoked_at else "active"
        click.echo(f"{m.person.email}\t{m.role.value}\t{m.organisation}\t{status}")


@tavolo.command("demo")
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
    today = dt.date.today()
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


tavolo.add_command(export_command)
tavolo.add_command(import_document)
tavolo.add_command(backup_command)
tavolo.add_command(restore_command)


def init_app(app: Flask) -> None:
    app.cli.add_command(tavolo)
