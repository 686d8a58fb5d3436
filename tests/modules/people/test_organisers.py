"""The organiser's link: it enters a login that may create workshops and that reopens the
workshops created through it, and opens nothing else of the person's."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from app.core.permissions import Role
from app.extensions import db
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
