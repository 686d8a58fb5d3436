"""Comment services on a real database: the rules of who may do what, and that a
refused request changes nothing."""

from __future__ import annotations

import pytest

from app.core.permissions import DocumentStatus, Role, SectionState
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.comments import services
from app.modules.comments.models import Comment
from app.modules.documents import services as documents

P, F, OBS = Role.PARTICIPANT, Role.FACILITATOR, Role.OBSERVER


def _count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Comment)) or 0


def test_a_comment_anchored_on_a_selected_passage(room):
    quote = "casa di comunità"
    start = room.section.body.index(quote)
    selection = services.Selection(start, start + len(quote), quote)
    comment = services.add_comment(room.people["anna"], P, room.section, "Dove?", selection)
    db.session.commit()
    assert comment.anchor_quote == quote
    assert comment.anchor_prefix.endswith("aprono una ")
    assert comment.anchor_suffix.startswith(" in ogni quartiere")
    [thread] = services.section_comments(room.section).open
    assert thread.span == (start, start + len(quote))
    assert thread.passage == quote


def test_a_selection_the_server_has_not_seen_yet_is_kept_and_anchors_later(room):
    selection = services.Selection(5, 20, "testo appena scritto")
    services.add_comment(room.people["anna"], P, room.section, "Bene", selection)
    db.session.commit()
    assert len(services.section_comments(room.section).orphaned) == 1
    room.section.body += "\n\nUn testo appena scritto."
    db.session.commit()
    [thread] = services.section_comments(room.section).open
    assert thread.passage == "testo appena scritto"


@pytest.mark.parametrize("body", ["", "   ", "\n\t"])
def test_an_empty_comment_is_refused_and_nothing_saved(room, body):
    with pytest.raises(services.CommentError, match="vuoto"):
        services.add_comment(room.people["anna"], P, room.section, body)
    assert _count() == 0


def test_an_observer_reads_but_does_not_comment(room):
    with pytest.raises(services.NotAllowed):
        services.add_comment(room.people["observer"], OBS, room.section, "Posso?")
    assert _count() == 0


def test_comments_stay_open_on_a_locked_section_and_close_on_publication(room):
    documents.set_section_state(None, room.section, SectionState.LOCKED)
    assert services.add_comment(room.people["anna"], P, room.section, "Riapriamola").id
    documents.set_status(None, room.document, DocumentStatus.FROZEN)
    assert services.add_comment(room.people["anna"], P, room.section, "Ultima verifica").id
    documents.set_status(None, room.document, DocumentStatus.PUBLISHED)
    with pytest.raises(services.CommentError, match="pubblicato"):
        services.add_comment(room.people["anna"], P, room.section, "Troppo tardi")


def test_a_reply_to_a_reply_joins_the_first_comment(room):
    root = services.add_comment(room.people["anna"], P, room.section, "Proposta")
    first = services.reply(room.people["bruno"], P, room.section, root, "D'accordo")
    second = services.reply(room.people["anna"], P, room.section, first, "Grazie")
    db.session.commit()
    assert first.parent_id == root.id and second.parent_id == root.id
    assert [r.body for r in root.replies] == ["D'accordo", "Grazie"]


def test_a_reply_to_a_comment_of_another_section_is_refused(room):
    other = room.document.sections[1]
    root = services.add_comment(room.people["anna"], P, other, "Altrove")
    db.session.commit()
    with pytest.raises(services.CommentError, match="non appartiene"):
        services.reply(room.people["bruno"], P, room.section, root, "Qui")
    db.session.rollback()
    assert _count() == 1


def test_only_the_author_edits_and_the_comment_is_marked_edited(room):
    comment = services.add_comment(room.people["anna"], P, room.section, "Prima")
    with pytest.raises(services.NotAllowed):
        services.edit_comment(room.people["facilitator"], F, comment, "Cambiato")
    assert comment.edited_at is None
    services.edit_comment(room.people["anna"], P, comment, "Dopo")
    assert comment.body == "Dopo" and comment.edited_at is not None


def test_resolve_and_reopen_by_author_or_facilitator_only(room):
    comment = services.add_comment(room.people["anna"], P, room.section, "Da decidere")
    with pytest.raises(services.NotAllowed):
        services.set_resolved(room.people["bruno"], P, comment, True)
    services.set_resolved(room.people["anna"], P, comment, True)
    assert comment.is_resolved and comment.resolved_by == room.people["anna"]
    with pytest.raises(services.CommentError, match="già risolta"):
        services.set_resolved(room.people["facilitator"], F, comment, True)
    services.set_resolved(room.people["facilitator"], F, comment, False)
    assert not comment.is_resolved
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.object_type == "comment")
    ).all()
    assert actions == ["comment.resolved", "comment.reopened"]


def test_hiding_needs_a_reason_and_leaves_an_audit_event(room):
    comment = services.add_comment(room.people["anna"], P, room.section, "Fuori tema")
    db.session.commit()
    with pytest.raises(services.CommentError, match="motivo"):
        services.hide_comment(room.people["facilitator"], F, comment, "  ")
    with pytest.raises(services.NotAllowed):
        services.hide_comment(room.people["anna"], P, comment, "Mi sono pentita")
    assert not comment.is_hidden
    services.hide_comment(room.people["facilitator"], F, comment, "Dati personali")
    db.session.commit()
    event = db.session.execute(
        db.select(AuditEvent).where(AuditEvent.action == "comment.hidden")
    ).scalar_one()
    assert event.object_id == comment.id
    assert event.details["reason"] == "Dati personali"
    assert event.details["body"] == "Fuori tema"
    with pytest.raises(services.CommentError, match="già nascosto"):
        services.hide_comment(room.people["facilitator"], F, comment, "Di nuovo")


def test_a_passage_deleted_from_the_text_moves_its_comment_to_the_orphans(room):
    quote = "alloggi temporanei per i giovani lavoratori"
    start = room.section.body.index(quote)
    services.add_comment(
        room.people["anna"],
        P,
        room.section,
        "Quanti?",
        services.Selection(start, start + len(quote), quote),
    )
    services.add_comment(room.people["bruno"], P, room.section, "Sulla sezione intera")
    db.session.commit()
    room.section.body = room.section.body.split("\n\n")[0]
    db.session.commit()
    view = services.section_comments(room.section)
    assert [t.comment.body for t in view.orphaned] == ["Quanti?"]
    assert view.orphaned[0].passage == quote
    assert [t.comment.body for t in view.open] == ["Sulla sezione intera"]
    assert view.open_count == 2


def test_open_threads_follow_the_order_of_the_text(room):
    body = room.section.body
    for quote in ("giovani lavoratori", "casa di comunità"):
        start = body.index(quote)
        services.add_comment(
            room.people["anna"],
            P,
            room.section,
            quote,
            services.Selection(start, start + len(quote), quote),
        )
    services.add_comment(room.people["anna"], P, room.section, "generale")
    db.session.commit()
    view = services.section_comments(room.section)
    assert [t.comment.body for t in view.open] == [
        "casa di comunità",
        "giovani lavoratori",
        "generale",
    ]


def test_script_and_html_are_stored_as_typed(room):
    body = '<script>alert("x")</script> **non markdown** <b>grassetto</b>'
    comment = services.add_comment(room.people["anna"], P, room.section, body)
    db.session.commit()
    assert db.session.get(Comment, comment.id).body == body
