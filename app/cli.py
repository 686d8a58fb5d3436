"""The `tavolo` command group: what a facilitator or a script does without a browser.
Output meant for scripts is one value per line and nothing else; messages go to stderr.

The same commands answer as `tavolo …` (the console script: a light application, see
`create_command_app`) and as `flask --app wsgi tavolo …` (the whole server's). Each
command's module is imported only when that command runs: printing one line must not
cost the import of the renderers, the live channel and every page. The listings go
further and build no application at all (app/dbapi.py), and `tavolo --help` imports no
command: this module imports click alone."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, NamedTuple

import click

if TYPE_CHECKING:
    from flask import Flask


class Entry(NamedTuple):
    target: str  # "module:function"
    # The first sentence of the command's help, for `tavolo --help` without importing it.
    summary: str
    # Whether it runs in an application's context; the listings read the database
    # through its driver alone (app/dbapi.py).
    application: bool = True


COMMANDS = {
    "init": Entry(
        "app.modules.people.cli:init",
        "Crea l'organizzatore di questa installazione e stampa il suo link personale.",
    ),
    "revoke-organiser": Entry(
        "app.modules.people.cli:revoke_organiser",
        "Toglie a una persona il ruolo di organizzatore: il suo link smette di funzionare "
        "e chi era entrato con quello esce.",
    ),
    "create-workshop": Entry(
        "app.modules.workshops.cli:create_workshop", "Crea un tavolo e ne stampa l'id."
    ),
    "demo": Entry(
        "app.modules.workshops.demo:demo",
        "Crea il tavolo dimostrativo se manca e stampa un link di accesso del facilitatore.",
    ),
    "create-document": Entry(
        "app.modules.documents.cli:create_document",
        "Crea un documento (vuoto o da un modello) e ne stampa l'id.",
    ),
    "list-documents": Entry(
        "app.modules.workshops.listing:list_documents",
        "Un documento per riga: id, stato, titolo (separati da tabulazioni).",
        application=False,
    ),
    "invite": Entry(
        "app.modules.people.cli:invite", "Invita una persona e stampa il suo link personale."
    ),
    "revoke": Entry(
        "app.modules.people.cli:revoke",
        "Revoca l'accesso di una persona: vale dalla sua prossima richiesta.",
    ),
    "list-members": Entry(
        "app.modules.people.cli:list_members",
        "Un membro per riga: e-mail, ruolo, organizzazione, stato (separati da tabulazioni).",
    ),
    "import": Entry(
        "app.modules.imports.cli:import_document",
        "Importa un file DOCX, ODT, Markdown o di testo e stampa l'id del nuovo documento.",
    ),
    "export": Entry(
        "app.modules.exports.cli:export_command",
        "Esporta un documento e stampa il percorso del file scritto.",
    ),
    "backup": Entry(
        "app.modules.backups.cli:backup_command",
        "Salva database, immagini ed esportazioni in un archivio e ne stampa il percorso.",
    ),
    "restore": Entry(
        "app.modules.backups.cli:restore_command",
        "Ripristina un archivio di `tavolo backup` in questa istanza (a server fermo).",
    ),
}


class Commands(click.Group):
    """Loads a command when it is asked for, and runs it in the application's context
    (the console script's light one, or the server's under `flask`) unless it needs
    none. A failure nobody foresaw reaches the person as one line on stderr and exit
    code 1, never as a traceback: the people who type these commands run a room, not a
    Python program."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module, name = entry.target.split(":")
        command: click.Command = getattr(import_module(module), name)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        width = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.Command(name, help=entry.summary).get_short_help_str(width))
            for name, entry in sorted(COMMANDS.items())
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        # Under `flask` (and a test's runner) an application comes with the command, in
        # `ctx.obj`: the listings read its database too.
        if name is not None and (COMMANDS[name].application or ctx.obj is not None):
            _enter_application(ctx)
        return name, command, rest

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            raise click.ClickException(_one_line(error)) from error


def _enter_application(ctx: click.Context) -> None:
    """The application that is current or that `flask` loads; the console script builds
    the light one."""
    from flask import current_app
    from flask.cli import ScriptInfo

    if current_app:
        return
    info = ctx.find_object(ScriptInfo)
    if info is None:
        from app import create_command_app

        ctx.with_resource(create_command_app().app_context())
    else:
        ctx.with_resource(info.load_app().app_context())


def _one_line(error: Exception) -> str:
    first = next((line.strip() for line in str(error).splitlines() if line.strip()), "")
    detail = f"{type(error).__name__}: {first}" if first else type(error).__name__
    return f"Il comando non è riuscito ({detail[:300]})."


tavolo = Commands("tavolo", help="Gestione dei tavoli di Tavolo.")


def init_app(app: Flask) -> None:
    app.cli.add_command(tavolo)


def main() -> None:
    """The `tavolo` console script."""
    tavolo.main(prog_name="tavolo")
