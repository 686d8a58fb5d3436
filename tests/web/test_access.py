"""Entering through the personal link, and losing access the moment it is revoked."""

from __future__ import annotations

import datetime as dt

from app import create_app
from app.config import TestConfig
from app.core.permissions import Role
from app.extensions import db
from app.modules.people import services as people
from tests import factories
from tests.conftest import login


def test_link_logs_in_and_drops_the_token_from_the_address(client, make):
    workshop = make.workshop()
    _, token = make.member(workshop, Role.OBSERVER)
    response = client.get(f"/i/{token}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/workshops/{workshop.id}")
    assert token not in response.headers["Location"]


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


def test_new_link_invalidates_the_old_one(client, make):
    workshop = make.workshop()
    membership, old = make.member(workshop)
    new = people.issue_token(membership)
    db.session.commit()
    assert client.get(f"/i/{old}").status_code == 404
    assert client.get(f"/i/{new}").status_code == 302


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
        client = app.test_client()
        assert {client.get(f"/i/{t}").status_code for t in tokens} == {302}
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
