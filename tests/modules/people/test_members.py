"""The facilitator's members page: roles, revocation, fresh links, and the rule that a
workshop always keeps an active facilitator."""

from __future__ import annotations

import datetime as dt

from app.core.permissions import Role
from app.extensions import db
from app.modules.people import services as people
from tests import factories
from tests.conftest import login
from tests.modules.people.helpers import (
    actions,
    audit_events,
    enters,
    facilitator_desk,
    link_paths,
)


def test_members_page_lists_everyone_escaped_with_role_access_and_status(app, make):
    desk = facilitator_desk(app)
    entered, token = make.member(desk.workshop, Role.OBSERVER, name="Oscar <b>Orsini</b>",
                                 organisation="Regione & Comuni", category="Regione")
    login(app.test_client(), token)
    waiting, _ = make.member(desk.workshop, Role.PARTICIPANT, name="Paola Pace")
    gone, _ = make.member(desk.workshop, Role.PARTICIPANT, name="Renato Riva")
    people.revoke(None, gone)
    db.session.commit()

    page = desk.client.get(f"{desk.base}/members")

    assert page.status_code == 200
    html = page.text
    assert "Oscar &lt;b&gt;Orsini&lt;/b&gt;" in html and "<b>Orsini" not in html
    assert "Regione &amp; Comuni" in html
    assert entered.person.email in html
    assert "Osservatore" in html and "revocato" in html and "mai" in html
    # Never entered and still active: chosen for the printed sheet by default.
    assert f'value="{waiting.id}" id="sel-{waiting.id}" checked' in html
    assert f'value="{entered.id}" id="sel-{entered.id}">' in html
    assert f'id="sel-{gone.id}"' not in html
    assert "i link precedenti di queste persone smettono di funzionare" in html


def test_role_change(app, make):
    desk = facilitator_desk(app)
    member, _ = make.member(desk.workshop, Role.PARTICIPANT)
    response = desk.client.post(f"{desk.base}/members/{member.id}/role", data={"role": "observer"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{desk.base}/members")
    db.session.refresh(member)
    assert member.role is Role.OBSERVER
    assert "member.role_changed" in actions(desk.workshop)
    assert "aggiornato" in desk.client.get(f"{desk.base}/members").text


def test_an_unknown_role_is_refused_in_italian(app, make):
    desk = facilitator_desk(app)
    member, _ = make.member(desk.workshop, Role.PARTICIPANT)
    response = desk.client.post(f"{desk.base}/members/{member.id}/role", data={"role": "admin"})
    assert response.status_code == 422
    assert "Scegli un ruolo: facilitatore, partecipante o osservatore." in response.text
    db.session.refresh(member)
    assert member.role is Role.PARTICIPANT


def test_the_last_facilitator_can_neither_step_down_nor_leave(app, make):
    desk = facilitator_desk(app)
    me = desk.facilitator
    demote = desk.client.post(f"{desk.base}/members/{me.id}/role", data={"role": "participant"})
    assert demote.status_code == 409
    assert "Sei l&#39;unico facilitatore attivo di questo tavolo" in demote.text
    assert "poi potrai cambiare il tuo ruolo" in demote.text
    leave = desk.client.post(f"{desk.base}/members/{me.id}/revoke", data={"confirm": "1"})
    assert leave.status_code == 409
    assert "poi potrai revocare il tuo accesso" in leave.text
    db.session.refresh(me)
    assert me.role is Role.FACILITATOR and me.active
    assert desk.client.get(f"{desk.base}/members").status_code == 200


def test_with_a_second_facilitator_stepping_down_is_allowed(app, make):
    desk = facilitator_desk(app)
    make.member(desk.workshop, Role.FACILITATOR)
    me = desk.facilitator
    response = desk.client.post(f"{desk.base}/members/{me.id}/role", data={"role": "observer"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(desk.base)
    assert desk.client.get(f"{desk.base}/members").status_code == 403
    assert desk.client.get(desk.base).status_code == 200


def test_a_membership_of_another_workshop_is_not_found(app, make):
    desk = facilitator_desk(app)
    other = make.workshop("Un altro tavolo")
    stranger, _ = make.member(other, Role.PARTICIPANT)
    for action, data in [("role", {"role": "observer"}), ("revoke", {"confirm": "1"}),
                         ("link", {})]:
        response = desk.client.post(f"{desk.base}/members/{stranger.id}/{action}", data=data)
        assert response.status_code == 404, action
    db.session.refresh(stranger)
    assert stranger.active and stranger.role is Role.PARTICIPANT
    assert desk.client.post(f"{desk.base}/members/{10**30}/link").status_code == 404


def test_revocation_asks_first_then_bites_on_the_next_request(app, make):
    desk = facilitator_desk(app)
    member, token = make.member(desk.workshop, Role.PARTICIPANT, name="Lucia Lodi")
    laptop = app.test_client()
    login(laptop, token)
    assert laptop.get(desk.base).status_code == 200

    asked = desk.client.post(f"{desk.base}/members/{member.id}/revoke")
    assert asked.status_code == 200
    assert "Revocare l'accesso di Lucia Lodi?" in asked.text
    db.session.refresh(member)
    assert member.active

    done = desk.client.post(f"{desk.base}/members/{member.id}/revoke", data={"confirm": "1"})
    assert done.status_code == 302
    assert laptop.get(desk.base).status_code == 404
    again = app.test_client().get(f"/i/{token}")
    assert again.status_code == 404
    assert "non è valido o è stato revocato" in again.text
    assert "member.revoked" in actions(desk.workshop)


def test_new_link_is_shown_once_with_a_qr_code_and_replaces_the_old_one(app, make):
    desk = facilitator_desk(app)
    member, old = make.member(desk.workshop, Role.PARTICIPANT, name="Paola Pace")
    response = desk.client.post(f"{desk.base}/members/{member.id}/link")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Nuovo link per Paola Pace" in response.text
    assert response.text.count('class="qr"') == 1
    [path] = link_paths(response.text)
    assert not enters(app, f"/i/{old}")
    assert enters(app, path)
    assert "member.link_issued" in actions(desk.workshop)


def test_a_new_link_ends_every_login_entered_through_the_old_one(app, make):
    """The old link may have leaked: whoever entered with it is out, wherever, and the
    whole login ends, other workshops entered in it too (one browser, one login)."""
    desk = facilitator_desk(app)
    member, old = make.member(desk.workshop, Role.PARTICIPANT, name="Paola Pace")
    elsewhere = factories.workshop("Un altro tavolo")
    _, other_token = make.member(elsewhere, Role.PARTICIPANT, email=member.person.email)
    phone, stranger = app.test_client(), app.test_client()
    login(phone, old)
    login(phone, other_token)
    login(stranger, old)
    _, bystander_token = make.member(desk.workshop, Role.PARTICIPANT)
    neighbour = app.test_client()
    login(neighbour, bystander_token)

    assert desk.client.post(f"{desk.base}/members/{member.id}/link").status_code == 200

    assert phone.get(desk.base).status_code == 302
    assert phone.get(f"/workshops/{elsewhere.id}").status_code == 302
    assert stranger.get(desk.base).status_code == 302
    assert neighbour.get(desk.base).status_code == 200
    assert desk.client.get(desk.base).status_code == 200
    [event] = [e for e in audit_events(desk.workshop) if e.action == "member.link_issued"]
    assert event.details["logins_ended"] == 2


def test_a_facilitator_renewing_their_own_link_stays_in(app, make):
    desk = facilitator_desk(app)
    make.member(desk.workshop, Role.FACILITATOR)
    response = desk.client.post(f"{desk.base}/members/{desk.facilitator.id}/link")
    assert response.status_code == 200
    assert desk.client.get(f"{desk.base}/members").status_code == 200


def test_a_revoked_person_gets_no_new_link(app, make):
    desk = facilitator_desk(app)
    member, _ = make.member(desk.workshop, Role.PARTICIPANT)
    people.revoke(None, member)
    db.session.commit()
    response = desk.client.post(f"{desk.base}/members/{member.id}/link")
    assert response.status_code == 409
    assert "è revocato" in response.text
    db.session.refresh(member)
    assert member.token_hash is None


def test_an_expired_link_gets_an_italian_page(app, make):
    desk = facilitator_desk(app)
    member, _ = make.member(desk.workshop, Role.PARTICIPANT)
    [path] = link_paths(desk.client.post(f"{desk.base}/members/{member.id}/link").text)
    member.token_expires_at = dt.datetime(2020, 1, 1)
    db.session.commit()
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert '<html lang="it">' in response.text
    assert "Questo link di invito è scaduto" in response.text


def test_logging_out_says_how_to_come_back(app):
    desk = facilitator_desk(app)
    response = desk.client.post("/esci", follow_redirects=True)
    assert response.status_code == 200
    assert "Sei uscito. Per rientrare usa di nuovo il tuo link personale." in response.text
    assert desk.client.get(desk.base).headers["Location"].startswith("/entra")
