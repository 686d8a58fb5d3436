"""`tavolo create-document`."""

from __future__ import annotations

import click

from app.extensions import db
from app.modules.documents import services as documents
from app.modules.workshops.cli import find_workshop


@click.command("create-document")
@click.argument("workshop_id", type=int)
@click.argument("title")
@click.option("--template", "template_name", default=None, help="Nome di un modello in documents/.")
def create_document(workshop_id: int, title: str, template_name: str | None) -> None:
    """Crea un documento (vuoto o da un modello) e ne stampa l'id."""
    workshop = find_workshop(workshop_id)
    try:
        document = documents.create_document(None, workshop, title, template_name)
    except documents.DocumentError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(document.id)
