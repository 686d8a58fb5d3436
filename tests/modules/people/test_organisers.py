"""The organiser's link: it enters a login that may create workshops and that reopens the
workshops created through it, and opens nothing else of the person's."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from app.core.permissions import Role
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.people import organisers
from app.modules.people import services as people
from app.modules.people.models import Organiser
from app.modules.workshops.models import Workshop
from tests import factories
from tests.conftest import CSRF_FIELD, enters, login
from tests.modules.people.helpers import link_paths


def _organiser(
    name: str = "Maria Bianchi", email: str = "maria@example.org"
) -> tuple[Organiser, str]:
    organiser, token = organisers.make_organiser(name, email, "Comune di Lodi")
    db.session.commit()
    return organiser, token


def _create(client: FlaskClient, title: str) -> int:
    page = client.get("/workshops/new")
    assert page.status_code == 200
    csrf = CSRF_FIELD.search(page.text)
    form = {"title": title, **({"csrf_token": csrf.group(1)} if csrf else {})}
    created = client.post("/workshops/new", data=form)
    assert created.status_code == 302, created.text
    return int(created.headers["Location"].rsplit("/", 1)[1])


def test_the_link_asks_to_enter_as_organiser_and_lands_on_the_workshops(app: Flask) -> None:
    _, token = _organiser()
    client = app.test_client()

    page = client.get(f"/i/{token}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Entra come organizzatore di Tavolo" in page.text
    assert "Maria Bianchi" in page.text
    assert client.get("/workshops").status_code == 302  # opening the link logged nobody in

    csrf = CSRF_FIELD.search(page.text)
    entered = client.post(f"/i/{token}", data={"csrf_token": csrf.group(1) if csrf else ""})
    assert entered.headers["Location"] == "/workshops"
    workshops = client.get("/workshops").text
    assert "Nuovo tavolo" in workshops and "Benvenuto in Tavolo" in workshops
    assert client.get(f"/i/{token}").headers["Location"] == "/workshops"


def test_the_workshop_an_organiser_creates_is_theirs_and_their_link_reopens_it(
    app: Flask,
) -> None:
    organiser, token = _organiser()
    laptop = app.test_client()
    login(laptop, token)

    workshop_id = _create(laptop, "Tavolo «Abitare»")

    workshop = db.session.get(Workshop, workshop_id)
    assert workshop is not None and workshop.organiser_id == organiser.id
    [membership] = workshop.memberships
    assert (membership.person_id, membership.role) == (organiser.person_id, Role.FACILITATOR)
    assert membership.organisation == "Comune di Lodi"
    page = laptop.get(f"/workshops/{workshop_id}").text
    assert "Maria Bianchi</strong> · Comune di Lodi" in page
    # Another browser, another day: the same link finds the workshop again.
    phone = app.test_client()
    login(phone, token)
    assert phone.get(f"/workshops/{workshop_id}").status_code == 200
    assert "Tavolo «Abitare»" in phone.get("/workshops").text


def test_the_organiser_link_opens_no_workshop_the_person_was_invited_to(app: Flask) -> None:
    invited = factories.workshop("Tavolo di un altro ente")
    membership, _ = factories.member(invited, Role.FACILITATOR, email="maria@example.org")
    _, token = _organiser()
    client = app.test_client()
    login(client, token)

    assert client.get(f"/workshops/{invited.id}").status_code == 404
    assert "Tavolo di un altro ente" not in client.get("/workshops").text
    assert client.post(f"/profilo/link/{membership.id}").status_code == 404


def test_a_revoked_organiser_membership_is_not_reopened(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    _, token = _organiser()
    laptop = app.test_client()
    login(laptop, token)
    workshop_id = _create(laptop, "Tavolo «Lavoro»")
    workshop = db.session.get(Workshop, workshop_id)
    assert workshop is not None
    other, _ = make.member(workshop, Role.FACILITATOR)
    [own] = [m for m in workshop.memberships if m.id != other.id]
    people.revoke(None, own)
    db.session.commit()

    phone = app.test_client()
    login(phone, token)
    assert phone.get(f"/workshops/{workshop_id}").status_code == 404


def test_a_facilitator_who_is_not_an_organiser_still_may_create(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    workshop = factories.workshop()
    _, token = make.member(workshop, Role.FACILITATOR)
    client = app.test_client()
    login(client, token)
    created = db.session.get(Workshop, _create(client, "Secondo tavolo"))
    assert created is not None and created.organiser_id is None


def test_a_new_organiser_link_from_the_profile(app: Flask) -> None:
    organiser, old = _organiser()
    organisers.save_link(organiser, old)
    saved = Path(app.instance_path) / "organiser_link"
    laptop = app.test_client()
    login(laptop, old)

    page = laptop.post("/profilo/link-organizzatore")

    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Il tuo link precedente non funziona più" in page.text
    assert "All'avvio «make run» stamperà questo." in page.text
    [path] = link_paths(page.text)
    assert laptop.get("/workshops").status_code == 200  # the login stays
    gone = app.test_client().get(f"/i/{old}")
    assert gone.status_code == 404 and "Link non valido" in gone.text
    assert enters(app.test_client(), path.removeprefix("/i/"))
    # `make run` prints the new link from now on.
    assert organisers.saved_link() == organisers.SavedLink(
        "maria@example.org", path.removeprefix("/i/")
    )
    assert saved.stat().st_mode & 0o777 == 0o600


def test_a_link_file_of_someone_else_is_left_alone(app: Flask) -> None:
    first, first_token = _organiser()
    organisers.save_link(first, first_token)
    _, token = _organiser("Luca Conti", "luca@example.org")
    client = app.test_client()
    login(client, token)

    page = client.post("/profilo/link-organizzatore")

    assert page.status_code == 200
    assert "stamperà questo" not in page.text
    assert organisers.saved_link() == organisers.SavedLink("maria@example.org", first_token)


def test_only_an_organisers_login_gets_an_organiser_link(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    organiser, token = _organiser()
    workshop = factories.workshop()
    _, member_token = make.member(workshop, Role.FACILITATOR, email="maria@example.org")
    client = app.test_client()
    login(client, member_token)

    assert client.post("/profilo/link-organizzatore").status_code == 404
    db.session.refresh(organiser)
    assert organisers.opens(organiser, token)


# Renewing and revoking. A link is renewed mostly because the old one leaked: whoever
# entered with it is out at once, wherever they are, except the login asking.


def _cli(app: Flask, *args: str, **variables: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["tavolo", *args], env=variables)


def _in(client: FlaskClient) -> bool:
    return client.get("/workshops").status_code == 200


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))


def test_a_new_link_from_the_profile_ends_the_other_logins_of_the_old_one(app: Flask) -> None:
    organiser, old = _organiser()
    laptop, phone, stranger = app.test_client(), app.test_client(), app.test_client()
    for client in (laptop, phone, stranger):
        login(client, old)

    assert laptop.post("/profilo/link-organizzatore").status_code == 200

    assert _in(laptop)
    assert not _in(phone) and not _in(stranger)
    [event] = _audit("organiser.link_renewed")
    assert (event.actor_id, event.workshop_id) == (organiser.person_id, None)
    assert event.details == {"email": "maria@example.org", "logins_ended": 2}


def test_a_new_link_from_the_command_line_ends_every_login_of_the_old_one(app: Flask) -> None:
    first = _cli(
        app,
        "init",
        TAVOLO_ORGANISER_NAME="Maria Bianchi",
        TAVOLO_ORGANISER_EMAIL="maria@example.org",
    )
    old = first.stdout.strip().rsplit("/", 1)[1]
    laptop = app.test_client()
    login(laptop, old)

    renewed = _cli(app, "init", "--nuovo-link", TAVOLO_ORGANISER_EMAIL="")

    assert renewed.exit_code == 0, renewed.output
    assert "chi era entrato con quello è uscito" in renewed.stderr
    assert not _in(laptop)
    assert enters(app.test_client(), renewed.stdout.strip().rsplit("/", 1)[1])
    [event] = _audit("organiser.link_renewed")
    assert event.details["logins_ended"] == 1


def test_a_renewal_ends_only_the_organisers_logins(app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    """The person's login through a workshop's own link is not the organiser's link."""
    workshop = factories.workshop("Tavolo di un altro ente")
    _, member_token = make.member(workshop, Role.PARTICIPANT, email="maria@example.org")
    organiser, _ = _organiser()
    member = app.test_client()
    login(member, member_token)

    organisers.renew(organiser)
    db.session.commit()

    assert member.get(f"/workshops/{workshop.id}").status_code == 200


def test_revoking_the_organiser_ends_link_and_logins_and_keeps_the_memberships(
    app: Flask,
    make,  # type: ignore[no-untyped-def]
) -> None:
    made = _cli(
        app,
        "init",
        TAVOLO_ORGANISER_NAME="Maria Bianchi",
        TAVOLO_ORGANISER_EMAIL="maria@example.org",
    )
    token = made.stdout.strip().rsplit("/", 1)[1]
    laptop = app.test_client()
    login(laptop, token)
    workshop_id = _create(laptop, "Tavolo «Abitare»")
    saved = Path(app.instance_path) / "organiser_link"
    assert saved.exists()

    revoked = _cli(app, "revoke-organiser", " Maria@Example.org ")

    assert (revoked.exit_code, revoked.stdout) == (0, ""), revoked.output
    assert "Maria Bianchi <maria@example.org> non è più organizzatore" in revoked.stderr
    assert "non ha più organizzatori" in revoked.stderr
    assert not _in(laptop)
    assert not enters(app.test_client(), token)
    assert not saved.exists()
    db.session.expire_all()
    assert organisers.all_organisers() == []
    workshop = db.session.get(Workshop, workshop_id)
    assert workshop is not None and workshop.organiser_id is None
    [own] = workshop.memberships
    assert (own.person.email, own.role, own.active) == ("maria@example.org", Role.FACILITATOR, True)
    [event] = _audit("organiser.revoked")
    assert event.details == {"email": "maria@example.org", "logins_ended": 1}
    # As a person she enters her workshop with a link of its own, as anyone does.
    _, colleague_token = make.member(workshop, Role.FACILITATOR)
    desk = app.test_client()
    login(desk, colleague_token)
    page = desk.post(f"/workshops/{workshop_id}/members/{own.id}/link")
    [path] = link_paths(page.text)
    phone = app.test_client()
    login(phone, path.removeprefix("/i/"))
    assert phone.get(f"/workshops/{workshop_id}").status_code == 200
    # The next start asks for an organiser again.
    again = _cli(app, "init", TAVOLO_ORGANISER_NAME="", TAVOLO_ORGANISER_EMAIL="")
    assert (again.exit_code, again.stdout) == (0, "")
    assert "non ha ancora un organizzatore" in again.stderr


def test_revoking_another_organiser_leaves_the_saved_link_alone(app: Flask) -> None:
    first, first_token = _organiser()
    organisers.save_link(first, first_token)
    _, token = _organiser("Luca Conti", "luca@example.org")

    revoked = _cli(app, "revoke-organiser", "luca@example.org")

    assert revoked.exit_code == 0, revoked.output
    assert "non ha più organizzatori" not in revoked.stderr
    assert not enters(app.test_client(), token)
    assert organisers.saved_link() == organisers.SavedLink("maria@example.org", first_token)
    assert enters(app.test_client(), first_token)


def test_revoking_someone_who_is_no_organiser_is_one_line_and_changes_nothing(
    app: Flask,
    make,  # type: ignore[no-untyped-def]
) -> None:
    _, token = _organiser()
    workshop = factories.workshop()
    make.member(workshop, Role.FACILITATOR, email="luca@example.org")

    for email in ("luca@example.org", "nessuno@example.org"):
        refused = _cli(app, "revoke-organiser", email)
        assert (refused.exit_code, refused.stdout) == (1, "")
        assert refused.stderr == (
            f"Error: {email} non è un organizzatore di questa installazione.\n"
        )
    assert enters(app.test_client(), token)
    assert _audit("organiser.revoked") == []


def test_a_new_link_for_the_organisers_membership_leaves_their_organiser_logins(
    app: Flask,
    make,  # type: ignore[no-untyped-def]
) -> None:
    """The organiser reaches the workshop they created through their organiser's link,
    not through their membership's link: renewing the latter does not end the former."""
    _, token = _organiser()
    laptop = app.test_client()
    login(laptop, token)
    workshop_id = _create(laptop, "Tavolo «Abitare»")
    workshop = db.session.get(Workshop, workshop_id)
    assert workshop is not None
    [own] = workshop.memberships
    _, colleague_token = make.member(workshop, Role.FACILITATOR)
    desk = app.test_client()
    login(desk, colleague_token)

    page = desk.post(f"/workshops/{workshop_id}/members/{own.id}/link")
    [path] = link_paths(page.text)
    phone = app.test_client()
    login(phone, path.removeprefix("/i/"))
    again = desk.post(f"/workshops/{workshop_id}/members/{own.id}/link")

    assert again.status_code == 200
    assert laptop.get(f"/workshops/{workshop_id}").status_code == 200
    assert phone.get(f"/workshops/{workshop_id}").status_code == 302
