"""Entering through the personal link, and losing access the moment it is revoked."""

from __future__ import annotations

import datetime as dt

from app import create_app
from app.config import TestConfig
from app.core.permissions import Role
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.people import services as people
from app.modules.people.models import Login
from tests import factories
from tests.conftest import FreshContextClient, enters, login


def test_link_enters_through_its_form_and_drops_the_token_from_the_address(client, make):
    workshop = make.workshop()
    _, token = make.member(workshop, Role.OBSERVER, name="Olga Orsi")
    page = client.get(f"/i/{token}")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "data-auto-submit" in page.text and "Olga Orsi" in page.text
    response = client.post(f"/i/{token}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/workshops/{workshop.id}")
    assert token not in response.headers["Location"]
    assert client.get(f"/workshops/{workshop.id}").status_code == 200


def test_opening_the_link_logs_nobody_in(client, make):
    """`![x](/i/<token>)` in a section: every reader's browser fetches the link. Opening
    it must change nothing; a fetch for an image is not even shown the page."""
    workshop = make.workshop()
    _, token = make.member(workshop, Role.FACILITATOR)
    assert client.get(f"/i/{token}").status_code == 200
    image = client.get(f"/i/{token}", headers={"Sec-Fetch-Dest": "image"})
    assert image.status_code == 400
    assert client.get(f"/workshops/{workshop.id}").status_code == 302  # to the help page


def test_a_stale_form_asks_again_instead_of_failing(tmp_path):
    """A logout in another tab clears the session that held the form's token: the page
    comes back with a fresh one and a button, and is not sent again by itself."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'c.db'}")
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
        workshop = factories.workshop()
        _, token = factories.member(workshop)
        client = app.test_client()
        client.get(f"/i/{token}")
        stale = client.post(f"/i/{token}", data={"csrf_token": "scaduto"})
        assert stale.status_code == 400
        assert "La richiesta è scaduta" in stale.text and "data-auto-submit" not in stale.text
        assert client.get(f"/workshops/{workshop.id}").status_code == 302  # not entered
        assert enters(client, token)
        db.engine.dispose()


def test_another_person_is_asked_before_switching(app, make):
    workshop = make.workshop()
    _, mine = make.member(workshop, Role.FACILITATOR, name="Franca Fanti")
    _, theirs = make.member(workshop, Role.PARTICIPANT, name="Pietro Piras")
    client = app.test_client()
    login(client, mine)
    page = client.get(f"/i/{theirs}")
    assert page.status_code == 200
    assert "data-auto-submit" not in page.text
    assert "Franca Fanti" in page.text and "Pietro Piras" in page.text
    assert "Franca Fanti" in client.get(f"/workshops/{workshop.id}").text  # still her
    assert client.post(f"/i/{theirs}").status_code == 302
    members = client.get(f"/workshops/{workshop.id}/members")
    assert members.status_code == 403  # now Pietro, a participant


def test_a_link_of_one_workshop_opens_nothing_of_another_of_the_same_person(app, make):
    """Break 1: a facilitator of B invites the e-mail of A's facilitator and gets a link.
    That link opens the membership in B, never the same person's membership in A."""
    a, b = make.workshop("Tavolo A"), make.workshop("Tavolo B")
    make.member(a, Role.FACILITATOR, name="Anna Alba", email="anna@example.org")
    _, b_token = make.member(b, Role.FACILITATOR)
    attacker = app.test_client()
    login(attacker, b_token)
    _, forged = people.invite(
        None, b, people.Invitee("Anna Alba", "anna@example.org", "", "", Role.PARTICIPANT)
    )
    db.session.commit()
    assert login(attacker, forged) is None
    for path in (f"/workshops/{a.id}", f"/workshops/{a.id}/members"):
        assert attacker.get(path).status_code == 404
    assert "Tavolo A" not in attacker.get("/workshops").text
    assert attacker.get(f"/workshops/{b.id}").status_code == 200


def test_one_person_may_enter_two_workshops_in_one_browser(app, make):
    a, b = make.workshop("Tavolo A"), make.workshop("Tavolo B")
    _, a_token = make.member(a, Role.PARTICIPANT, email="rita@example.org")
    _, b_token = make.member(b, Role.OBSERVER, email="rita@example.org")
    client = app.test_client()
    login(client, a_token)
    assert client.get(f"/workshops/{b.id}").status_code == 404
    login(client, b_token)
    assert client.get(f"/workshops/{a.id}").status_code == 200
    assert client.get(f"/workshops/{b.id}").status_code == 200


def test_logout_ends_the_login_on_the_server(app, make):
    """An old copy of the cookie opens nothing after logout."""
    workshop = make.workshop()
    _, token = make.member(workshop)
    client = app.test_client()
    login(client, token)
    kept = client.get_cookie("session").value
    assert client.post("/esci").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", kept, domain="localhost")
    assert thief.get(f"/workshops/{workshop.id}").status_code == 302  # to the help page


def test_an_expired_login_opens_nothing(app, make):
    workshop = make.workshop()
    _, token = make.member(workshop)
    client = app.test_client()
    login(client, token)
    db.session.execute(db.update(Login).values(expires_at=dt.datetime(2020, 1, 1)))
    db.session.commit()
    assert client.get(f"/workshops/{workshop.id}").status_code == 302


def test_readmission_does_not_revive_old_logins(app, make):
    workshop = make.workshop()
    membership, token = make.member(workshop, email="ugo@example.org")
    client = app.test_client()
    login(client, token)
    people.revoke(None, membership)
    again = people.Invitee("Ugo", "ugo@example.org", "", "", Role.PARTICIPANT)
    people.invite(None, workshop, again)
    db.session.commit()
    assert client.get(f"/workshops/{workshop.id}").status_code == 404


def test_session_cookie_is_a_session_cookie_of_limited_life_and_no_remember_cookie(app, make):
    workshop = make.workshop()
    _, token = make.member(workshop)
    client = app.test_client()
    client.get(f"/i/{token}")
    response = client.post(f"/i/{token}")
    cookies = response.headers.getlist("Set-Cookie")
    assert not any(c.startswith("remember_token") for c in cookies)
    [session_cookie] = [c for c in cookies if c.startswith("session=")]
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Expires=" in session_cookie


def test_same_link_works_on_a_second_device(app, make):
    workshop = make.workshop()
    _, token = make.member(workshop)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, token)
    login(phone, token)
    assert phone.get(f"/workshops/{workshop.id}").status_code == 200


def test_revocation_bites_on_the_next_request(client, make):
    workshop = make.workshop()
    membership, token = make.member(workshop, Role.PARTICIPANT)
    login(client, token)
    assert client.get(f"/workshops/{workshop.id}").status_code == 200
    people.revoke(None, membership)
    db.session.commit()
    assert client.get(f"/workshops/{workshop.id}").status_code == 404
    again = client.get(f"/i/{token}")
    assert again.status_code == 404
    assert "non è valido o è stato revocato" in again.text


def test_expired_link_gets_an_italian_page(client, make):
    workshop = make.workshop()
    membership, token = make.member(workshop)
    membership.token_expires_at = dt.datetime(2020, 1, 1)
    db.session.commit()
    response = client.get(f"/i/{token}")
    assert response.status_code == 404
    assert "scaduto" in response.text
    assert "Traceback" not in response.text
    [refusal] = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.workshop_id == workshop.id,
                                    AuditEvent.action == "access.refused")
    )
    assert refusal.actor_id == membership.person_id


def test_new_link_invalidates_the_old_one(client, make):
    workshop = make.workshop()
    membership, old = make.member(workshop)
    new = people.issue_token(membership)
    db.session.commit()
    assert client.get(f"/i/{old}").status_code == 404
    assert enters(client, new)


def test_guessing_links_is_rate_limited(tmp_path):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'r.db'}")
    with app.app_context():
        db.create_all()
        workshop = factories.workshop()
        _, token = factories.member(workshop)
        client = app.test_client()
        statuses = [client.get(f"/i/sbagliato{i}").status_code for i in range(25)]
        assert statuses[:20] == [404] * 20
        assert statuses[-1] == 429
        limited = client.get(f"/i/{token}")
        assert limited.status_code == 429
        assert "Troppi tentativi" in limited.text
        db.engine.dispose()


def test_successful_entries_do_not_count_against_the_limit(tmp_path):
    """A whole room may enter from one address (the venue's NAT) within a minute."""
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'r.db'}")
    with app.app_context():
        db.create_all()
        workshop = factories.workshop()
        tokens = [factories.member(workshop)[1] for _ in range(40)]
        client = FreshContextClient(app, app.response_class, use_cookies=True)
        assert all(enters(client, t) for t in tokens)
        db.engine.dispose()


def test_anonymous_is_sent_to_the_help_page_and_api_gets_json(client, make):
    workshop = make.workshop()
    page = client.get(f"/workshops/{workshop.id}")
    assert page.status_code == 302 and "/entra" in page.headers["Location"]
    assert "invito" in client.get("/entra").text
    api = client.get(f"/workshops/{workshop.id}", headers={"Accept": "application/json"})
    assert api.status_code == 401
    assert api.json["error"]["code"] == 401


def test_unknown_page_is_italian(client):
    response = client.get("/non-esiste")
    assert response.status_code == 404
    assert "Pagina non trovata" in response.text
    assert '<html lang="it">' in response.text


def test_ids_beyond_the_database_range_are_not_found(client, make):
    workshop = make.workshop()
    _, token = make.member(workshop, Role.FACILITATOR)
    login(client, token)
    for path in ("/workshops/{}", "/documents/{}", "/workshops/{}/members"):
        assert client.get(path.format(10**30)).status_code == 404
