"""In-app notices. In a room with poor Wi-Fi e-mail is no use: a person learns that
someone mentioned them or answered them from the bell at the top of every page."""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.mentions import mentioned
from app.extensions import db
from app.modules.comments.models import Comment
from app.modules.notifications.models import Notification
from app.modules.people.models import Login, Membership, Person, login_membership
from app.modules.timeutil import utcnow

TEXT_MAX = 500
# The bell lists the latest notices; older ones are still counted.
PAGE_SIZE = 50


def notify_mentions(actor: Person, comment: Comment) -> list[Notification]:
    """Notifies the active members of the workshop that the comment mentions, except its
    author; a person already notified about this comment is not notified again when it
    is edited."""
    section = comment.section
    members = _active_members(section.document.workshop_id)
    names = mentioned(comment.body, [m.person.name for m in members])
    already = _already_notified(comment)
    created = []
    for membership in members:
        person = membership.person
        if person.name in names and person.id != actor.id and person.id not in already:
            created.append(
                _notify(
                    person,
                    membership.workshop_id,
                    "mention",
                    _comment_link(comment),
                    _(
                        "%(name)s ti ha citato in «%(section)s»",
                        name=actor.name,
                        section=section.title,
                    ),
                )
            )
    return created


def notify_reply(actor: Person, reply: Comment, root: Comment) -> Notification | None:
    author = root.author
    if author is None or author.id == actor.id or author.id in _already_notified(reply):
        return None
    return _notify(
        author,
        root.section.document.workshop_id,
        "reply",
        _comment_link(reply),
        _(
            "%(name)s ha risposto al tuo commento in «%(section)s»",
            name=actor.name,
            section=root.section.title,
        ),
    )


def unread_count(login: Login) -> int:
    return (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(Notification)
            .where(Notification.read_at.is_(None), *_visible(login))
        )
        or 0
    )


def latest(login: Login) -> list[Notification]:
    return list(
        db.session.scalars(
            db.select(Notification)
            .where(*_visible(login))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(PAGE_SIZE)
        )
    )


def own(login: Login, notification_id: int) -> Notification | None:
    """The login's own notice with that id; someone else's does not exist for them."""
    return db.session.scalar(
        db.select(Notification).where(Notification.id == notification_id, *_visible(login))
    )


def mark_read(login: Login, notification: Notification | None = None) -> int:
    """Marks one notice, or all of them, as read; how many changed."""
    query = db.select(Notification).where(Notification.read_at.is_(None), *_visible(login))
    if notification is not None:
        query = query.where(Notification.id == notification.id)
    now = utcnow()
    changed = 0
    for unread in db.session.scalars(query):
        unread.read_at = now
        changed += 1
    return changed


def _visible(login: Login) -> tuple:
    """The person's notices from the workshops this login entered and still belongs to:
    a revoked membership takes its notices (and the paths they point at) away with it,
    and a workshop entered with another link shows its notices only there."""
    entered = (
        db.select(Membership.workshop_id)
        .join(login_membership, login_membership.c.membership_id == Membership.id)
        .where(login_membership.c.login_id == login.id, Membership.revoked_at.is_(None))
    )
    return (Notification.person_id == login.person_id, Notification.workshop_id.in_(entered))


def _notify(person: Person, workshop_id: int, kind: str, link: str, text: str) -> Notification:
    notification = Notification(
        person_id=person.id, workshop_id=workshop_id, kind=kind, link=link, text=text[:TEXT_MAX]
    )
    db.session.add(notification)
    return notification


def mentionable_names(workshop_id: int) -> list[str]:
    """The names a comment can mention (`@Nome Cognome`): the workshop's active members,
    offered as people type an @ so that the name is spelled as the server knows it."""
    # One query: every document page asks, and a workshop invites a hundred people.
    names = db.session.scalars(
        db.select(Person.name)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.workshop_id == workshop_id, Membership.revoked_at.is_(None))
    )
    return sorted(set(names), key=str.casefold)


def _active_members(workshop_id: int) -> list[Membership]:
    return list(
        db.session.scalars(
            db.select(Membership).where(
                Membership.workshop_id == workshop_id, Membership.revoked_at.is_(None)
            )
        )
    )


def _already_notified(comment: Comment) -> set[int]:
    return set(
        db.session.scalars(
            db.select(Notification.person_id).where(Notification.link == _comment_link(comment))
        )
    )


def _comment_link(comment: Comment) -> str:
    """A path inside the application (the script root is added when it is followed), so
    that notices can be made where there is no request, and survive a change of host."""
    return f"/documents/{comment.section.document_id}#commento-{comment.id}"
