"""`flask tavolo export`: the same export as the document page, for scripts. Prints the
path of the written file and nothing else; messages go to stderr."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from app.core.export import Format
from app.extensions import db
from app.modules.documents.models import Document
from app.modules.exports import services
from app.modules.exports.annexes import PROVIDERS, load_all
from app.modules.exports.notes import PROVIDERS as NOTE_PROVIDERS

load_all()


@click.command("export")
@click.argument("document_id", type=int)
@click.option(
    "--format", "fmt", required=True, type=click.Choice([f.value for f in Format]), help="Formato."
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=True, writable=True, path_type=Path),
    help="File da scrivere, oppure una cartella (anche da creare) in cui metterlo.",
)
@click.option("--version", "version", default=None, help="Nome di una versione salvata.")
@click.option(
    "--annex", "annexes", multiple=True, type=click.Choice(sorted(PROVIDERS)), help="Allegato."
)
@click.option(
    "--note",
    "notes",
    multiple=True,
    type=click.Choice(sorted(NOTE_PROVIDERS)),
    help="Note a piè di pagina (non nel Markdown).",
)
@click.option("--pdf-a", "archival", is_flag=True, help="PDF/A-2b per l'archiviazione.")
def export_command(
    document_id: int,
    fmt: str,
    out: Path,
    version: str | None,
    annexes: tuple[str, ...],
    notes: tuple[str, ...],
    archival: bool,
) -> None:
    """Esporta un documento e stampa il percorso del file scritto."""
    document = db.session.get(Document, document_id)
    if document is None:
        raise click.ClickException(f"Nessun documento con id {document_id}.")
    try:
        options = services.options_from(fmt, annexes, archival=archival, notes=notes)
        row = services.export(None, document, options, version)
    except services.ExportError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    # A name without an extension is a folder to create, as in "--out consegna/".
    target = out / row.file_name if out.is_dir() or not out.suffix else out
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(services.exports_dir() / row.file_name, target)
    click.echo(str(target))
