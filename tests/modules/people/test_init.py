"""`tavolo init`, the first thing `make run` does: the organiser's account, made from the
variables or from answers typed at the terminal, and their personal link, printed again
at every start until a new one replaces it."""

from __future__ import annotations

import os
import pty
import select
import stat
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask

from app.extensions import db
from app.modules.people import organisers
from app.modules.people.models import Organiser, Person
from tests.conftest import enters
from tests.realtime.server import ROOT, LiveServer

TAVOLO = str(ROOT / ".venv" / "bin" / "tavolo")
MARIA = {
    "TAVOLO_ORGANISER_NAME": "Maria Bianchi",
    "TAVOLO_ORGANISER_EMAIL": " Maria.Bianchi@Comune.Lodi.it ",
    "TAVOLO_ORGANISER_ORG": "Comune di Lodi",
}
NOBODY = dict.fromkeys(MARIA, "")


def _init(app: Flask, *args: str, **variables: str):  # type: ignore[no-untyped-def]
    """Runs the command as a script would, without a terminal."""
    return app.test_cli_runner().invoke(args=["tavolo", "init", *args], env=variables)


def _token(url: str) -> str:
    return urlsplit(url).path.removeprefix("/i/")


def _organisers() -> list[Organiser]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Organiser)))


def test_the_variables_make_the_organiser_and_their_link(app: Flask) -> None:
    first = _init(app, **MARIA)

    assert first.exit_code == 0, first.output
    url = first.stdout.strip()
    assert first.stdout == f"{url}\n" and url.startswith("http://localhost/i/")
    assert "Organizzatore: Maria Bianchi <maria.bianchi@comune.lodi.it>" in first.stderr
    [organiser] = _organisers()
    assert (organiser.person.name, organiser.organisation) == ("Maria Bianchi", "Comune di Lodi")
    saved = Path(app.instance_path) / "organiser_link"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    # Only the hash is in the database; the token is in the instance folder alone.
    assert _token(url) not in str(organiser.token_hash)

    again = _init(app, **NOBODY)
    assert again.exit_code == 0, again.output
    assert again.stdout == first.stdout
    assert len(_organisers()) == 1
    assert enters(app.test_client(), _token(url))


def test_without_a_terminal_or_variables_it_says_how_and_lets_the_server_start(
    app: Flask,
) -> None:
    result = _init(app, **NOBODY)

    assert (result.exit_code, result.stdout) == (0, "")
    assert "TAVOLO_ORGANISER_NAME e TAVOLO_ORGANISER_EMAIL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _organisers() == []
    assert db.session.scalars(db.select(Person)).all() == []


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"TAVOLO_ORGANISER_NAME": "Maria Bianchi"}, "Manca TAVOLO_ORGANISER_EMAIL."),
        (
            {**MARIA, "TAVOLO_ORGANISER_EMAIL": "maria.comune.lodi.it"},
            "TAVOLO_ORGANISER_EMAIL: «maria.comune.lodi.it» non è un indirizzo e-mail valido.",
        ),
        (
            {**MARIA, "TAVOLO_ORGANISER_NAME": "Maria\nBianchi"},
            "TAVOLO_ORGANISER_NAME: Il campo nome non può andare a capo",
        ),
        (
            {**MARIA, "TAVOLO_ORGANISER_ORG": "x" * 301},
            "TAVOLO_ORGANISER_ORG: Il campo organizzazione è troppo lungo: al massimo 300",
        ),
    ],
    ids=["missing e-mail", "bad e-mail", "name on two lines", "organisation too long"],
)
def test_wrong_variables_are_named_and_nothing_is_made(
    app: Flask, variables: dict[str, str], message: str
) -> None:
    result = _init(app, **{**NOBODY, **variables})

    assert (result.exit_code, result.stdout) == (1, "")
    assert message in result.stderr
    assert _organisers() == []


def test_a_new_link_replaces_the_old_one_and_is_printed_from_then_on(app: Flask) -> None:
    old = _init(app, **MARIA).stdout.strip()

    renewed = _init(app, "--nuovo-link", **NOBODY)

    assert renewed.exit_code == 0, renewed.output
    new = renewed.stdout.strip()
    assert new != old and "Il link precedente non funziona più" in renewed.stderr
    assert not enters(app.test_client(), _token(old))
    assert enters(app.test_client(), _token(new))
    assert _init(app, **NOBODY).stdout.strip() == new


def test_a_link_replaced_elsewhere_is_reported_with_the_way_out(app: Flask) -> None:
    old = _init(app, **MARIA).stdout.strip()
    [organiser] = _organisers()
    organisers.issue_token(organiser)  # as a new link made in another way would
    db.session.commit()

    result = _init(app, **NOBODY)

    assert (result.exit_code, result.stdout) == (0, "")
    assert "non vale più" in result.stderr
    assert ".venv/bin/tavolo init --nuovo-link" in result.stderr
    assert not enters(app.test_client(), _token(old))


def test_an_organiser_whose_link_is_not_kept_here_is_told_how_to_get_one(app: Flask) -> None:
    _init(app, **MARIA)
    (Path(app.instance_path) / "organiser_link").unlink()

    told = _init(app, **NOBODY)
    assert (told.exit_code, told.stdout) == (0, "")
    assert "Maria Bianchi <maria.bianchi@comune.lodi.it>" in told.stderr
    assert "non è salvato su questo computer" in told.stderr

    renewed = _init(app, "--nuovo-link", **NOBODY)
    assert renewed.exit_code == 0, renewed.output
    assert enters(app.test_client(), _token(renewed.stdout.strip()))
    assert len(_organisers()) == 1


def test_a_damaged_link_file_counts_as_none(app: Flask) -> None:
    _init(app, **MARIA)
    (Path(app.instance_path) / "organiser_link").write_text("{non è json")

    result = _init(app, **NOBODY)

    assert (result.exit_code, result.stdout) == (0, "")
    assert "non è salvato su questo computer" in result.stderr


def test_other_variables_do_not_replace_the_organiser(app: Flask) -> None:
    first = _init(app, **MARIA).stdout
    other = {**MARIA, "TAVOLO_ORGANISER_EMAIL": "luca@example.org"}

    result = _init(app, **other)

    assert result.stdout == first
    assert "TAVOLO_ORGANISER_EMAIL è ignorata" in result.stderr
    assert [o.person.email for o in _organisers()] == ["maria.bianchi@comune.lodi.it"]


# At the terminal: the console script itself, its questions answered through a real
# pseudo-terminal, as a person answers them on the first `make run`.


def _read_until(fd: int, expected: str, seen: list[str]) -> None:
    """What the terminal shows, until `expected` appears (or the test's timeout)."""
    while expected not in "".join(seen):
        ready, _, _ = select.select([fd], [], [], 30)
        assert ready, f"waited for {expected!r}; the terminal shows {''.join(seen)!r}"
        seen.append(os.read(fd, 4096).decode("utf-8", errors="replace"))


def test_at_a_terminal_it_asks_and_asks_again_what_is_wrong(tmp_path: Path) -> None:
    server = LiveServer(tmp_path)
    server.prepare_database()
    for variable in MARIA:
        server.env.pop(variable, None)
    controller, terminal = pty.openpty()
    command = subprocess.Popen(
        [TAVOLO, "init"],
        cwd=ROOT,
        env=server.env,
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    seen: list[str] = []
    try:
        for question, answer in [
            ("Nome e cognome: ", "Maria Bianchi"),
            ("E-mail: ", "maria.bianchi"),
            ("non è un indirizzo e-mail valido", None),
            ("E-mail: ", "maria.bianchi@comune.lodi.it"),
            ("Organizzazione (facoltativa): ", "Comune di Lodi"),
        ]:
            _read_until(controller, question, seen)
            if answer is not None:
                os.write(controller, f"{answer}\n".encode())
                seen.clear()
        link, _ = command.communicate(timeout=120)
    finally:
        command.kill()
        os.close(controller)
    assert command.returncode == 0
    assert link.decode().startswith(f"{server.env['BASE_URL']}/i/")
    [row] = server.sql(
        "SELECT person.name, person.email, organiser.organisation FROM organiser "
        "JOIN person ON person.id = organiser.person_id"
    )
    assert row == ("Maria Bianchi", "maria.bianchi@comune.lodi.it", "Comune di Lodi")
    # The next start, at a terminal or not, asks nothing and prints the same link.
    again = subprocess.run(
        [TAVOLO, "init"], cwd=ROOT, env=server.env, capture_output=True, timeout=120, check=True
    )
    assert again.stdout == link
