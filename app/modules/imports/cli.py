"""`flask tavolo import`: a draft becomes a document without a browser, with the same
checks and limits as the upload page. Prints the new document's id and nothing else;
a file that cannot be imported gets one Italian line on stderr and exit status 1, never
a traceback (`--verbose` adds the details for whoever runs the server)."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from typing import NoReturn

import click

from app.extensions import db
from app.modules.imports import services
from app.modules.workshops.models import Workshop


@click.command("import")
@click.argument("workshop_id", type=int)
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--split-level",
    type=click.IntRange(1, len(services.LEVELS)),
    default=1,
    show_default=True,
    help="Livello dei titoli a cui dividere il documento in sezioni.",
)
@click.option("--title", default=None, help="Titolo del documento (se manca: quello del file).")
@click.option(
    "--numbering",
    type=click.Choice([n.value for n in services.Numbers]),
    default=services.Numbers.FILE.value,
    show_default=True,
    help=(
        "Se i titoli del file sono già numerati: «file» li lascia come sono e Tavolo non "
        "aggiunge numeri; «tavolo» toglie i numeri del file e numera Tavolo."
    ),
)
@click.option("--verbose", is_flag=True, help="In caso di errore stampa anche i dettagli tecnici.")
def import_document(
    workshop_id: int,
    file: Path,
    split_level: int,
    title: str | None,
    numbering: str,
    verbose: bool,
) -> None:
    """Importa un file DOCX, ODT, Markdown o di testo e stampa l'id del nuovo documento."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None:
        _fail(f"Nessun tavolo con id {workshop_id}.")
    quiet = None if verbose else logging.NullHandler()
    logger = logging.getLogger("app")
    if quiet:
        # Where logging is not configured, Python prints warnings and tracebacks on
        # stderr; the details are for --verbose.
        logger.addHandler(quiet)
    try:
        document = services.import_file(
            None, workshop, file, split_level, title, services.Numbers(numbering)
        )
        db.session.commit()
    except services.ImportRefused as error:
        db.session.rollback()
        if verbose and error.__cause__ is not None:
            traceback.print_exception(error.__cause__, file=sys.stderr)
        _fail(str(error.message))
    except Exception as error:
        db.session.rollback()
        if verbose:
            traceback.print_exception(error, file=sys.stderr)
        _fail(services.UNEXPECTED)
    finally:
        if quiet:
            logger.removeHandler(quiet)
    click.echo(document.id)


def _fail(message: str) -> NoReturn:
    click.echo(" ".join(message.split()), err=True)
    raise SystemExit(1)
