"""`tavolo backup` and `tavolo restore`: one file holds a whole instance."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.modules.backups import services


@click.command("backup")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Cartella in cui scrivere l'archivio (predefinita: <istanza>/backups).",
)
@with_appcontext
def backup_command(out_dir: Path | None) -> None:
    """Salva database, immagini ed esportazioni in un archivio e ne stampa il percorso."""
    try:
        archive = services.create(out_dir or services.backups_dir(), services.current_instance())
    except (services.BackupError, OSError) as error:
        raise click.ClickException(f"Backup non riuscito: {error}") from error
    click.echo(archive)


@click.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Sostituisce i dati già presenti nell'istanza.")
@with_appcontext
def restore_command(archive: Path, force: bool) -> None:
    """Ripristina un archivio di `tavolo backup` in questa istanza (a server fermo)."""
    if not archive.is_file():
        raise click.ClickException(f"Il file {archive} non esiste.")
    try:
        manifest = services.restore(archive, services.current_instance(), force=force)
    except services.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Ripristinato il backup del {manifest['created_at']} "
        f"({len(manifest['sha256'])} file verificati).",
        err=True,
    )
