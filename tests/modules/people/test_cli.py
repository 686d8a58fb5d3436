"""The `tavolo` commands a facilitator uses without a browser: their output is meant for
scripts, one value per line."""

from __future__ import annotations

from urllib.parse import urlsplit

from app.extensions import db
from app.modules.people.models import Membership
from tests.conftest import enters


def test_create_invite_list_and_revoke(app):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["tavolo", "create-workshop", "Tavolo «Lavoro»"])
    assert created.exit_code == 0, created.output
    workshop_id = created.output.strip()
    assert created.output == f"{workshop_id}\n" and workshop_id.isdigit()

    invited = runner.invoke(args=[
        "tavolo", "invite", workshop_id, "--name", "Giulia Ferrari",
        "--email", " G.Ferrari@Example.org ", "--org", "ASST di Lodi", "--role", "osservatore",
    ])
    assert invited.exit_code == 0, invited.output
    url = invited.output.strip()
    assert invited.output == f"{url}\n" and url.startswith("http://localhost/i/")

    laptop = app.test_client()
    assert enters(laptop, urlsplit(url).path.removeprefix("/i/"))
    assert laptop.get(f"/workshops/{workshop_id}").status_code == 200

    listed = runner.invoke(args=["tavolo", "list-members", workshop_id])
    assert listed.exit_code == 0
    assert listed.output == "g.ferrari@example.org\tobserver\tASST di Lodi\tactive\n"

    revoked = runner.invoke(args=["tavolo", "revoke", workshop_id, "g.ferrari@example.org"])
    assert revoked.exit_code == 0, revoked.output
    assert app.test_client().get(urlsplit(url).path).status_code == 404
    assert laptop.get(f"/workshops/{workshop_id}").status_code == 404
    listed = runner.invoke(args=["tavolo", "list-members", workshop_id])
    assert listed.output.endswith("\trevoked\n")


def test_invite_refuses_a_bad_role_or_address_in_italian(app):
    runner = app.test_cli_runner()
    workshop_id = runner.invoke(args=["tavolo", "create-workshop", "Tavolo"]).output.strip()
    bad_role = runner.invoke(args=[
        "tavolo", "invite", workshop_id, "--name", "Marco", "--email", "m@example.org",
        "--role", "amministratore",
    ])
    assert bad_role.exit_code != 0
    assert "Ruolo «amministratore» non riconosciuto" in bad_role.output
    bad_email = runner.invoke(args=[
        "tavolo", "invite", workshop_id, "--name", "Marco", "--email", "marco.example.org",
    ])
    assert bad_email.exit_code != 0
    assert "«marco.example.org» non è un indirizzo e-mail valido." in bad_email.output
    assert db.session.scalars(db.select(Membership)).all() == []


def test_revoke_keeps_the_last_facilitator(app):
    runner = app.test_cli_runner()
    workshop_id = runner.invoke(args=["tavolo", "create-workshop", "Tavolo"]).output.strip()
    runner.invoke(args=["tavolo", "invite", workshop_id, "--name", "Francesca Ferri",
                        "--email", "f@example.org", "--role", "facilitatore"])
    refused = runner.invoke(args=["tavolo", "revoke", workshop_id, "f@example.org"])
    assert refused.exit_code != 0
    assert "Francesca Ferri è l'unico facilitatore attivo" in refused.output
