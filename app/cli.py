"""The `tavolo` command group: what a facilitator or a script does without a browser.
Output meant for scripts is one value per line and nothing else; messages go to stderr.

The same commands answer as `tavolo …` (the console script: a light application, see
`create_command_app`) and as `flask --app wsgi tavolo …` (the whole server's). Each
command's module is imported only when that command runs: printing one line must not
cost the import of the renderers, the live channel and every page."""

from __future__ import annotations

from importlib import import_module

import click
from flask import Flask, current_app
from flask.cli import AppGroup, ScriptInfo

# name → "module:function"
COMMANDS = {
    "init": "app.modules.people.cli:init",
    "revoke-organiser": "app.modules.people.cli:revoke_organiser",
    "create-workshop": "app.modules.workshops.cli:create_workshop",
    "demo": "app.modules.workshops.demo:demo",
    "create-document": "app.modules.documents.cli:create_document",
    "list-documents": "app.modules.workshops.cli:list_documents",
    "invite": "app.modules.people.cli:invite",
    "revoke": "app.modules.people.cli:revoke",
    "list-members": "app.modules.people.cli:list_members",
    "import": "app.modules.imports.cli:import_document",
    "export": "app.modules.exports.cli:export_command",
    "backup": "app.modules.backups.cli:backup_command",
    "restore": "app.modules.backups.cli:restore_command",
}


class Commands(AppGroup):
    """Loads a command when it is asked for, and runs it in the application's context
    (the console script's light one, or the server's under `flask`). A failure nobody
    foresaw reaches the person as one line on stderr and exit code 1, never as a
    traceback: the people who type these commands run a room, not a Python program."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, name = target.split(":")
        command: click.Command = getattr(import_module(module), name)
        return command

    def invoke(self, ctx: click.Context) -> object:
        if not current_app:
            ctx.with_resource(ctx.ensure_object(ScriptInfo).load_app().app_context())
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            raise click.ClickException(_one_line(error)) from error


def _one_line(error: Exception) -> str:
    first = next((line.strip() for line in str(error).splitlines() if line.strip()), "")
    detail = f"{type(error).__name__}: {first}" if first else type(error).__name__
    return f"Il comando non è riuscito ({detail[:300]})."


tavolo = Commands("tavolo", help="Gestione dei tavoli di Tavolo.")


def init_app(app: Flask) -> None:
    app.cli.add_command(tavolo)


def main() -> None:
    """The `tavolo` console script."""
    from app import create_command_app

    tavolo.main(prog_name="tavolo", obj=ScriptInfo(create_app=create_command_app))
