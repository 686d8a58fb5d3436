"""`tavolo invite`, `tavolo revoke` and `tavolo list-members`."""

from __future__ import annotations

import click

from app.core.invitations import parse_role, validate_invitee
from app.core.permissions import Role
from app.extensions import db
from app.modules.people import services as people
from app.modules.people.models import Membership, Person
from app.modules.workshops.cli import find_workshop


@click.command("invite")
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
    workshop = find_workshop(workshop_id)
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


@click.command("revoke")
@click.argument("workshop_id", type=int)
@click.argument("email")
def revoke(workshop_id: int, email: str) -> None:
    """Revoca l'accesso di una persona: vale dalla sua prossima richiesta."""
    membership = db.session.execute(
        db.select(Membership)
        .join(Person)
        .where(
            Membership.workshop_id == find_workshop(workshop_id).id,
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


@click.command("list-members")
@click.argument("workshop_id", type=int)
def list_members(workshop_id: int) -> None:
    """Un membro per riga: e-mail, ruolo, organizzazione, stato (separati da tabulazioni)."""
    for m in people.members_of(find_workshop(workshop_id)):
        status = "revoked" if m.revoked_at else "active"
        click.echo(f"{m.person.email}\t{m.role.value}\t{m.organisation}\t{status}")
