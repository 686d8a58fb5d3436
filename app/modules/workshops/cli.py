"""`tavolo create-workshop`, and the lookup every command that names a workshop uses.
Nothing heavier than the models and the workshops' service. `tavolo list-documents`
reads without them (listing.py)."""

from __future__ import annotations

import click

from app.extensions import db
from app.modules.workshops import services as workshops
from app.modules.workshops.models import Workshop


def find_workshop(workshop_id: int) -> Workshop:
    """The workshop a command names, or the message that it does not exist."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        raise click.ClickException(f"Nessun tavolo con id {workshop_id}.")
    return workshop


@click.command("create-workshop")
@click.argument("title")
@click.option("--place", default="")
def create_workshop(title: str, place: str) -> None:
    """Crea un tavolo e ne stampa l'id."""
    if not title.strip():
        raise click.ClickException("Il titolo non può essere vuoto.")
    workshop = workshops.create_workshop(None, workshops.WorkshopData(title=title, place=place))
    db.session.commit()
    click.echo(workshop.id)
