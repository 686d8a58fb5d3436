"""`flask tavolo import`: a draft becomes a document without a browser, with the same
checks and limits as the upload page. Prints the new document's id and nothing else."""

from __future__ import annotations

from pathlib import Path

import click

from app.extensions import db
from app.modules.imports import services
from app.modules.workshops.models import Workshop


@click.command("import")
@click.argument("workshop_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option(
    "--split-level",
    type=click.IntRange(1, len(services.LEVELS)),
    default=1,
    show_default=True,
    help="Livello dei titoli a cui dividere il documento in sezioni.",
)
@click.option("--title", default=None, help="Titolo del documento (se manca: il primo titolo).")
def import_document(workshop_id: int, file: Path, split_level: int, title: str | None) -> None:
    """Importa un file DOCX, ODT, Markdown o di testo e stampa l'id del nuovo documento."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        raise click.ClickException(f"Nessun tavolo con id {workshop_id}.")
    try:
        document = services.import_file(None, workshop, file, split_level, title)
    except services.ImportRefused as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(document.id)
