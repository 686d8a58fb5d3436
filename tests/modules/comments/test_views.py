"""Comment routes through real requests: plain forms, the script's JSON answers, bad
input, and text that must come back escaped."""

from __future__ import annotations

from app.core.permissions import Role
from app.extensions import db
from app.modules.comments import services
from app.modules.comments.models import Comment


def _comments() -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(Comment).order_by(Comment.id)))


def _url(room) -> str:  # type: ignore[no-untyped-def]
    return f"/sections/{room.section.id}/comments"


JSON = {"Accept": "application/json"}


def test_the_document_page_shows_the_comments_area_and_the_form(room):
    page = room.clients["anna"].get(f"/documents/{room.document.id}")
    assert page.status_code == 200
    assert f'id="commenti-{room.section.id}"' in page.text
    assert "Ancora alla selezione" in page.text
    assert "build/comments.js" in page.text


def test_a_plain_form_adds_a_comment_and_returns_to_the_document(room):
    quote = "casa di comunità"
    start = room.section.body.index(quote)
    response = room.clients["anna"].post(
        _url(room),
        data={
            "body": "In ogni quartiere?",
            "anchor_start": start,
            "anchor_end": start + len(quote),
            "anchor_quote": quote,
        },
    )
    [comment] = _comments()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/documents/{room.document.id}#commento-{comment.id}"
    )
    assert comment.anchor_quote == quote
    page = room.clients["bruno"].get(f"/documents/{room.document.id}")
    assert "«casa di comunità»" in page.text
    assert "In ogni quartiere?" in page.text


def test_the_script_gets_the_fragment_back(room):
    response = room.clients["anna"].post(_url(room), data={"body": "Ciao"}, headers=JSON)
    assert response.status_code == 200
    assert "Ciao" in response.json["html"]
    assert response.json["comment_id"] == _comments()[0].id


def test_an_empty_comment_comes_back_with_the_reason_and_nothing_saved(room):
    plain = room.clients["anna"].post(
        _url(room), data={"body": "   ", "anchor_quote": "casa", "anchor_start": 3, "anchor_end": 7}
    )
    assert plain.status_code == 422
    assert "Il commento è vuoto" in plain.text
    # The selection is still there for a second try.
    assert 'name="anchor_quote" value="casa"' in plain.text
    scripted = room.clients["anna"].post(_url(room), data={"body": ""}, headers=JSON)
    assert scripted.status_code == 422
    assert "vuoto" in scripted.json["error"]
    assert _comments() == []


def test_a_refused_reply_keeps_the_typed_text(room):
    other = services.add_comment(
        room.people["anna"], Role.PARTICIPANT, room.document.sections[1], "Altra sezione"
    )
    db.session.commit()
    response = room.clients["bruno"].post(
        _url(room), data={"body": "La mia risposta lunga", "parent_id": other.id}
    )
    assert response.status_code == 422
    assert "non appartiene a questa sezione" in response.text
    assert "La mia risposta lunga</textarea>" in response.text
    assert len(_comments()) == 1


def test_a_reply_to_a_comment_that_does_not_exist(room):
    for parent in (999999, 2**70):
        response = room.clients["bruno"].post(
            _url(room), data={"body": "Risposta", "parent_id": parent}, headers=JSON
        )
        assert response.status_code == 422, parent
        assert "error" in response.json
    assert _comments() == []


def test_an_observer_may_not_comment(room):
    response = room.clients["observer"].post(_url(room), data={"body": "Io?"})
    assert response.status_code == 403
    page = room.clients["observer"].get(f"/documents/{room.document.id}")
    assert "permette di leggere i commenti, non di scriverli" in page.text
    assert _comments() == []


def test_edit_resolve_and_hide_through_the_routes(room):
    room.clients["anna"].post(_url(room), data={"body": "Prima versione"})
    [comment] = _comments()
    refused = room.clients["bruno"].post(f"/comments/{comment.id}/edit", data={"body": "Mia"})
    assert refused.status_code == 403
    room.clients["anna"].post(f"/comments/{comment.id}/edit", data={"body": "Seconda"})
    resolved = room.clients["facilitator"].post(
        f"/comments/{comment.id}/resolve", data={"action": "resolve"}, headers=JSON
    )
    assert resolved.status_code == 200
    assert "1 discussione risolta" in resolved.json["html"]
    bad = room.clients["facilitator"].post(
        f"/comments/{comment.id}/resolve", data={"action": "boh"}, headers=JSON
    )
    assert bad.status_code == 422
    no_reason = room.clients["facilitator"].post(
        f"/comments/{comment.id}/hide", data={"reason": ""}
    )
    assert no_reason.status_code == 422
    assert "Scrivi il motivo" in no_reason.text
    room.clients["facilitator"].post(f"/comments/{comment.id}/hide", data={"reason": "Offensivo"})
    [comment] = _comments()
    assert comment.body == "Seconda" and comment.edited_at and comment.is_resolved
    page = room.clients["bruno"].get(f"{_url(room)}?fragment=1")
    assert "Commento nascosto dal facilitatore: Offensivo" in page.text
    assert "Seconda" not in page.text
    # Facilitators can still read what was hidden.
    assert "Seconda" in room.clients["facilitator"].get(f"{_url(room)}?fragment=1").text


def test_script_and_html_in_a_comment_are_shown_as_text(room):
    body = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    room.clients["anna"].post(_url(room), data={"body": body})
    page = room.clients["bruno"].get(f"/documents/{room.document.id}")
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x" in page.text
    assert _comments()[0].body == body


def test_the_facilitator_panel_counts_open_comments(room):
    room.clients["anna"].post(_url(room), data={"body": "Uno"})
    room.clients["bruno"].post(_url(room), data={"body": "Due"})
    panel = room.clients["facilitator"].get(f"/documents/{room.document.id}/deliberation")
    assert panel.status_code == 200
    assert "2 commenti aperti" in panel.text
    assert (
        room.clients["anna"].get(f"/documents/{room.document.id}/deliberation").status_code == 403
    )
    page = room.clients["facilitator"].get(f"/documents/{room.document.id}")
    assert "Discussione per sezione" in page.text


def test_a_reply_to_a_comment_of_another_workshop_is_as_if_it_did_not_exist(room, make):
    elsewhere = make.workshop("Un altro tavolo")
    document = make.document(elsewhere)
    membership, _token = make.member(elsewhere, Role.PARTICIPANT)
    foreign = services.add_comment(
        membership.person, Role.PARTICIPANT, document.sections[0], "Altrove"
    )
    db.session.commit()
    response = room.clients["bruno"].post(
        _url(room), data={"body": "Risposta", "parent_id": foreign.id}, headers=JSON
    )
    assert response.status_code == 422
    assert "non esiste più" in response.json["error"]
    assert len(_comments()) == 1
