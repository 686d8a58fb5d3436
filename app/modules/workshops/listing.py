"""`tavolo list-documents`: what a script asks most often, answered without building an
application or importing SQLAlchemy (see app/dbapi.py for why and how)."""

from __future__ import annotations

import click

from app import dbapi

WORKSHOP = "SELECT workshop.id FROM workshop WHERE workshop.id = ?"
DOCUMENTS = (
    "SELECT document.id, document.status, document.title FROM document "
    "WHERE document.workshop_id = ? ORDER BY document.id"
)


@click.command("list-documents")
@click.argument("workshop_id", type=int)
def list_documents(workshop_id: int) -> None:
    """Un documento per riga: id, stato, titolo (separati da tabulazioni)."""
    with dbapi.connect() as database:
        if not database.rows(WORKSHOP, workshop_id):
            raise click.ClickException(f"Nessun tavolo con id {workshop_id}.")
        for document_id, status, title in database.rows(DOCUMENTS, workshop_id):
            click.echo(f"{document_id}\t{status}\t{title}")
