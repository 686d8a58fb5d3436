"""Comments on a section: written, answered, edited by their author, resolved or
reopened by their author or a facilitator, hidden by a facilitator with a reason.

Nothing is deleted: a hidden comment stays in the database and in the audit log, and
the people in the room see that it was hidden and why. A comment whose passage can no
longer be found in the section is never dropped: it is listed as no longer anchored."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.core.anchoring import Anchor, anchor_at, locate
from app.core.permissions import Capability, Role, can, can_comment
from app.extensions import db
from app.modules.audit.services import record
from app.modules.comments.models import Comment
from app.modules.documents.models import Section
from app.modules.notifications import services as notifications
from app.modules.people.models import Person
from app.modules.port import current_text
from app.modules.timeutil import utcnow

BODY_MAX = 5000
QUOTE_MAX = 2000
REASON_MAX = 500


class CommentError(Exception):
    """A request about comments that cannot be carried out; the message is for people."""


class NotAllowed(CommentError):
    """The person may not do this to this comment (not its author, not a facilitator)."""


@dataclass(frozen=True)
class Selection:
    """A passage as the editor saw it: code-point offsets into its text and the quote."""

    start: int
    end: int
    quote: str


def add_comment(
    actor: Person, role: Role, section: Section, body: str, selection: Selection | None = None
) -> Comment:
    _require_open(role, section)
    comment = Comment(
        section=section,
        author=actor,
        body=_checked_body(body),
        **_anchor_fields(section, selection),
    )
    db.session.add(comment)
    db.session.flush()
    notifications.notify_mentions(actor, comment)
    return comment


def reply(actor: Person, role: Role, section: Section, parent: Comment, body: str) -> Comment:
    """Threads have one level: a reply to a reply joins the thread of the first comment."""
    _require_open(role, section)
    if parent.section_id != section.id:
        raise CommentError(
            _("Il commento a cui rispondi non appartiene a questa sezione: risposta non salvata.")
        )
    root = parent.parent or parent
    comment = Comment(section=section, author=actor, parent=root, body=_checked_body(body))
    db.session.add(comment)
    db.session.flush()
    notifications.notify_mentions(actor, comment)
    notifications.notify_reply(actor, comment, root)
    return comment


def edit_comment(actor: Person, role: Role, comment: Comment, body: str) -> Comment:
    _require_open(role, comment.section)
    if comment.author_id != actor.id:
        raise NotAllowed(_("Solo chi ha scritto il commento può modificarlo."))
    if comment.is_hidden:
        raise CommentError(_("Il commento è stato nascosto e non si può più modificare."))
    body = _checked_body(body)
    if body != comment.body:
        comment.body, comment.edited_at = body, utcnow()
        notifications.notify_mentions(actor, comment)
    return comment


def may_resolve(actor: Person, role: Role, comment: Comment) -> bool:
    return can(role, Capability.MODERATE) or (
        comment.author_id == actor.id and can(role, Capability.COMMENT)
    )


def set_resolved(actor: Person, role: Role, comment: Comment, resolved: bool) -> Comment:
    """Resolving applies to a whole thread: a reply resolves or reopens its thread."""
    thread = comment.parent or comment
    _require_open(role, thread.section)
    if not may_resolve(actor, role, thread):
        raise NotAllowed(
            _("Solo chi ha aperto la discussione o un facilitatore può risolverla o riaprirla.")
        )
    if resolved == thread.is_resolved:
        raise CommentError(
            _("La discussione è già risolta.") if resolved else _("La discussione è già aperta.")
        )
    thread.resolved_at = utcnow() if resolved else None
    thread.resolved_by = actor if resolved else None
    # Deciding that a discussion is over is part of how the text got where it is.
    record(
        actor.id,
        "comment.resolved" if resolved else "comment.reopened",
        thread,
        thread.section.document.workshop_id,
        section_id=thread.section_id,
    )
    return thread


def hide_comment(actor: Person, role: Role, comment: Comment, reason: str) -> Comment:
    """Moderation leaves a trace both in the room (the reason is shown in place of the
    text) and in the audit log (with the hidden text, for the record)."""
    if not can(role, Capability.MODERATE):
        raise NotAllowed(_("Solo un facilitatore può nascondere un commento."))
    reason = reason.strip()
    if not reason:
        raise CommentError(
            _("Scrivi il motivo: chi legge vedrà che il commento è nascosto e perché.")
        )
    if len(reason) > REASON_MAX:
        raise CommentError(_("Il motivo supera i %(n)d caratteri.", n=REASON_MAX))
    if comment.is_hidden:
        raise CommentError(_("Il commento è già nascosto."))
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = utcnow(), actor, reason
    record(
        actor.id,
        "comment.hidden",
        comment,
        comment.section.document.workshop_id,
        reason=reason,
        body=comment.body,
        author_id=comment.author_id,
        section_id=comment.section_id,
    )
    return comment


def _require_open(role: Role, section: Section) -> None:
    if not can(role, Capability.COMMENT):
        raise NotAllowed(_("Il tuo ruolo permette di leggere i commenti, non di scriverli."))
    if not can_comment(role, section.document.status):
        raise CommentError(_("I commenti sono chiusi: il documento è pubblicato."))


def _checked_body(body: str) -> str:
    if not body.strip():
        raise CommentError(_("Il commento è vuoto: scrivi qualcosa prima di inviarlo."))
    if len(body) > BODY_MAX:
        raise CommentError(_("Il commento supera i %(n)d caratteri.", n=BODY_MAX))
    return body.strip()


def _anchor_fields(section: Section, selection: Selection | None) -> dict[str, object]:
    """The editor may hold a few keystrokes the server has not stored yet: when the quote
    is not exactly where the editor saw it, it is looked for nearby; when it cannot be
    found at all, the quote is kept without context and anchors as soon as it appears."""
    if selection is None:
        return {}
    quote = selection.quote
    if not quote.strip():
        raise CommentError(_("La selezione è vuota: seleziona il passaggio da commentare."))
    if len(quote) > QUOTE_MAX:
        message = _("Il passaggio selezionato supera i %(n)d caratteri: scegline uno più breve.")
        raise CommentError(message % {"n": QUOTE_MAX})
    anchor = Anchor(quote=quote, prefix="", suffix="", start=max(selection.start, 0))
    body = current_text(section.id)
    found = locate(anchor, body)
    if found is not None:
        anchor = anchor_at(body, *found)
    return {
        "anchor_quote": anchor.quote,
        "anchor_prefix": anchor.prefix,
        "anchor_suffix": anchor.suffix,
        "anchor_start": anchor.start,
    }


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment]
    # Where its passage is in the section's text now; None for a comment on the whole
    # section and for one whose passage is gone (then `orphaned`).
    span: tuple[int, int] | None = None
    orphaned: bool = False
    # The section's text `span` points into.
    text: str = ""

    @property
    def passage(self) -> str:
        """The words the thread is about as they read now, or as they read when the
        comment was written if they are gone."""
        if self.span is not None:
            return self.text[self.span[0] : self.span[1]]
        return self.comment.anchor_quote or ""


@dataclass
class SectionComments:
    section: Section
    open: list[Thread] = field(default_factory=list)
    orphaned: list[Thread] = field(default_factory=list)
    resolved: list[Thread] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return len(self.open) + len(self.orphaned)


def section_comments(section: Section) -> SectionComments:
    """The section's threads as the page shows them: open ones in the order of the text
    (passages first, comments on the whole section after), those whose passage is gone
    apart, resolved ones last. Anchors are located against the text as it is now, the
    last keystrokes included (a passage typed a moment ago is commented at once)."""
    body = current_text(section.id)
    roots = db.session.scalars(
        db.select(Comment)
        .where(Comment.section_id == section.id, Comment.parent_id.is_(None))
        .order_by(Comment.created_at, Comment.id)
        .options(
            selectinload(Comment.author),
            selectinload(Comment.replies).selectinload(Comment.author),
        )
    ).all()
    view = SectionComments(section)
    for root in roots:
        thread = Thread(root, list(root.replies), text=body)
        anchor = root.anchor
        if anchor is not None:
            thread.span = locate(anchor, body)
            thread.orphaned = thread.span is None
        if root.is_resolved:
            view.resolved.append(thread)
        elif thread.orphaned:
            view.orphaned.append(thread)
        else:
            view.open.append(thread)
    view.open.sort(key=lambda t: (t.span is None, t.span or (0, 0)))
    return view
