"""Mentions and replies become notices under the bell; opening one marks it read."""

from __future__ import annotations

from app.core.permissions import Role
from app.extensions import db
from app.modules.comments import services as comments
from app.modules.notifications.models import Notification
from app.modules.people import services as people
from tests import factories
from tests.conftest import login

P = Role.PARTICIPANT


def _of(person) -> list[Notification]:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return list(
        db.session.scalars(db.select(Notification).where(Notification.person_id == person.id))
    )


def test_a_mention_notifies_the_member_once(room):
    comment = comments.add_comment(
        room.people["anna"], P, room.section, "Chiediamo a @Bruno Verdi e a @anna rossi"
    )
    db.session.commit()
    [notice] = _of(room.people["bruno"])
    assert notice.kind == "mention"
    assert notice.text == "Anna Rossi ti ha citato in «Sezione 1»"
    assert notice.link == f"/documents/{room.document.id}#commento-{comment.id}"
    # Nobody is told about their own mention, and editing does not notify twice.
    assert _of(room.people["anna"]) == []
    comments.edit_comment(room.people["anna"], P, comment, "Chiediamo a @Bruno Verdi, grazie")
    db.session.commit()
    assert len(_of(room.people["bruno"])) == 1


def test_a_mention_added_by_an_edit_notifies(room):
    comment = comments.add_comment(room.people["anna"], P, room.section, "Chiediamo")
    comments.edit_comment(room.people["anna"], P, comment, "Chiediamo a @Franca Guidi")
    db.session.commit()
    assert [n.kind for n in _of(room.people["facilitator"])] == ["mention"]


def test_a_reply_notifies_the_author_of_the_thread(room):
    root = comments.add_comment(room.people["anna"], P, room.section, "Proposta")
    comments.reply(room.people["bruno"], P, room.section, root, "Sono d'accordo")
    comments.reply(room.people["anna"], P, room.section, root, "Grazie")
    db.session.commit()
    assert [n.kind for n in _of(room.people["anna"])] == ["reply"]


def test_a_revoked_member_is_neither_notified_nor_shown_old_notices(room):
    comments.add_comment(room.people["anna"], P, room.section, "Per @Bruno Verdi")
    db.session.commit()
    bruno = room.clients["bruno"]
    assert "Bruno Verdi" in bruno.get("/notifications").text
    people.revoke(None, room.people["bruno"].memberships[0])
    comments.add_comment(room.people["anna"], P, room.section, "Ancora @Bruno Verdi")
    db.session.commit()
    assert len(_of(room.people["bruno"])) == 1
    assert "ti ha citato" not in bruno.get("/notifications").text


def test_notices_of_a_workshop_stay_with_its_link(app, room):
    """The same person entered through the link of another workshop (anyone can invite
    their e-mail address) sees nothing of this workshop's notices."""
    comments.add_comment(room.people["anna"], P, room.section, "Per @Bruno Verdi")
    db.session.commit()
    elsewhere = factories.workshop("Un altro tavolo")
    _, token = factories.member(elsewhere, P, email=room.people["bruno"].email)
    client = app.test_client()
    login(client, token)
    page = client.get("/notifications").text
    assert "ti ha citato" not in page and "non lette" not in page
    [notice] = _of(room.people["bruno"])
    client.post("/notifications/read", data={"notification_id": notice.id})
    assert _of(room.people["bruno"])[0].read_at is None


def test_bell_page_and_mark_read(room):
    comment = comments.add_comment(room.people["anna"], P, room.section, "@Bruno Verdi guarda")
    db.session.commit()
    bruno = room.clients["bruno"]
    home = bruno.get("/notifications")
    assert "Anna Rossi ti ha citato" in home.text
    assert '1<span class="visually-hidden"> non lette' in home.text
    [notice] = _of(room.people["bruno"])
    opened = bruno.post("/notifications/read", data={"notification_id": notice.id})
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"#commento-{comment.id}")
    assert _of(room.people["bruno"])[0].read_at is not None
    assert "non lette" not in bruno.get("/notifications").text


def test_someone_elses_notice_cannot_be_opened(room):
    comments.add_comment(room.people["anna"], P, room.section, "@Bruno Verdi guarda")
    db.session.commit()
    [notice] = _of(room.people["bruno"])
    for ref in (notice.id, 2**70):
        response = room.clients["facilitator"].post(
            "/notifications/read", data={"notification_id": ref}, follow_redirects=True
        )
        assert "Questa notifica non c&#39;è più." in response.text
    assert _of(room.people["bruno"])[0].read_at is None


def test_mark_all_read(room):
    comments.add_comment(room.people["anna"], P, room.section, "@Bruno Verdi uno")
    comments.add_comment(room.people["anna"], P, room.section, "@Bruno Verdi due")
    db.session.commit()
    room.clients["bruno"].post("/notifications/read", data={})
    assert all(n.read_at for n in _of(room.people["bruno"]))
