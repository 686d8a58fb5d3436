"""Access checks for live events, read from the database on every event.

A connection remembers the login it was opened with (at connect) and nothing about
rights: a revocation, a change of role or the end of the login (logout, expiry) takes
effect on the very next event, exactly as for a page. Only memberships entered through
that login count. Outsiders get `not_found` (a workshop they are not invited to does not
exist for them); a published document is open to everyone, read-only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, exists, select

from app.core.permissions import (
    Capability,
    DocumentStatus,
    Role,
    SectionState,
    can,
    can_edit_section,
)
from app.core.words import hard_limit
from app.extensions import db
from app.modules.documents.models import Document, Section
from app.modules.people.models import Login, Membership, login_membership
from app.modules.timeutil import utcnow
from app.modules.workshops.models import Workshop
from app.realtime import errors
from app.realtime.presence import Registry


@dataclass(frozen=True)
class Viewer:
    document: Document
    membership: Membership | None
    # The document's workshop is archived: its text is read, not written.
    archived: bool

    @property
    def role(self) -> Role | None:
        """None for a public reader of a published document."""
        return self.membership.role if self.membership else None

    def can(self, capability: Capability) -> bool:
        return can(self.role, capability)

    def can_edit(self, state: SectionState) -> bool:
        """Whether the viewer may write in a section in `state`."""
        return can_edit_section(self.role, state, self.document.status, archived=self.archived)


def viewer_of(document_id: int, sid: str) -> Viewer:
    login_id = _registry().login_id(sid)
    found = db.session.execute(
        db.select(Document, Membership, _LOGIN_LIVE, _WORKSHOPS.c.archived_at)
        .join(_WORKSHOPS, _WORKSHOPS.c.id == Document.workshop_id)
        .outerjoin(_ENTERED, _ENTERED_HERE)
        .where(Document.id == document_id),
        {"login": login_id, "now": utcnow()},
    ).first()
    if found is None:
        raise errors.not_found()
    membership = found.Membership
    revoked_at = membership.revoked_at if membership is not None else None
    _admit(login_id, found.login_live, membership is not None, revoked_at, found.Document.status)
    return Viewer(found.Document, membership, found.archived_at is not None)


@dataclass(frozen=True)
class SectionAccess:
    """A person's rights on one section, as the events on a section need them: read
    with Core in one query, without the section's text, on a pooled connection of its
    own rather than through the session, because it is read for every keystroke that
    reaches the server (loading the three rows through the ORM, text included, took
    0.3 ms a keystroke; the query through the session 0.09 ms, on its own connection
    0.05 ms). Most keystrokes then need no session at all: their thread only waits
    while another one writes them (see Store.apply)."""

    section_id: int
    document_id: int
    state: SectionState
    document_status: DocumentStatus
    person_id: int | None
    # None for a public reader of a published document.
    role: Role | None
    # The limit no typed update may take the text past (Section.hard_word_limit).
    hard_word_limit: int | None = None
    # The document's workshop is archived: its text is read, not written.
    archived: bool = False

    def can(self, capability: Capability) -> bool:
        return can(self.role, capability)

    @property
    def editable(self) -> bool:
        return can_edit_section(self.role, self.state, self.document_status, archived=self.archived)


def joined_section(section_id: int, sid: str) -> SectionAccess:
    login_id = _registry().login_id(sid)
    with db.engine.connect() as connection:
        found = connection.execute(
            _SECTION_ACCESS, {"section": section_id, "login": login_id, "now": utcnow()}
        ).first()
    if found is None:
        raise errors.not_found()
    _admit(login_id, found.login_live, found.role is not None, found.revoked_at, found.status)
    require_joined(found.document_id, sid)
    return SectionAccess(
        found.id,
        found.document_id,
        found.state,
        found.status,
        found.person_id,
        found.role,
        hard_limit(found.word_limit, found.word_limit_hard),
        found.archived_at is not None,
    )


def presence_targets(section_id: int | None, sid: str) -> list[tuple[int, int | None]]:
    """Where a connection's presence goes: (document, section) pairs. Presence names
    people, so public readers have none."""
    if section_id is not None:
        section = joined_section(section_id, sid)
        targets, members = [(section.document_id, section_id)], section.role is not None
    else:
        viewers = joined_viewers(sid)
        targets = [(viewer.document.id, None) for viewer in viewers]
        members = all(viewer.membership is not None for viewer in viewers)
    if not targets:
        raise errors.not_joined()
    if not members:
        raise errors.forbidden()
    return targets


def joined_viewers(sid: str) -> list[Viewer]:
    return [viewer_of(document_id, sid) for document_id in joined_documents(sid)]


def require_joined(document_id: int, sid: str) -> None:
    if document_id not in joined_documents(sid):
        raise errors.not_joined()


def joined_documents(sid: str) -> list[int]:
    """Read from our own registry, which is locked: python-socketio's room table is
    walked without a lock and fails when another thread joins a room meanwhile."""
    return _registry().documents(sid)


def _registry() -> Registry:
    from app.realtime.services import live  # services builds on this module

    return live().registry


_SECTIONS, _DOCUMENTS, _WORKSHOPS, _MEMBERSHIPS, _LOGINS = (
    Section.__table__,
    Document.__table__,
    Workshop.__table__,
    Membership.__table__,
    Login.__table__,
)
# Whether the connection's login (`:login`) has not ended by `:now`.
_LOGIN_LIVE = (
    exists()
    .where(
        _LOGINS.c.id == bindparam("login"),
        _LOGINS.c.ended_at.is_(None),
        _LOGINS.c.expires_at > bindparam("now"),
    )
    .label("login_live")
)
# The membership of the document's workshop entered through the login, if any.
_ENTERED = login_membership.join(
    _MEMBERSHIPS, _MEMBERSHIPS.c.id == login_membership.c.membership_id
)
_ENTERED_HERE = (login_membership.c.login_id == bindparam("login")) & (
    _MEMBERSHIPS.c.workshop_id == _DOCUMENTS.c.workshop_id
)
_SECTION_ACCESS = (
    select(
        _SECTIONS.c.id,
        _SECTIONS.c.document_id,
        _SECTIONS.c.state,
        _SECTIONS.c.word_limit,
        _SECTIONS.c.word_limit_hard,
        _DOCUMENTS.c.status,
        _WORKSHOPS.c.archived_at,
        _MEMBERSHIPS.c.role,
        _MEMBERSHIPS.c.revoked_at,
        _MEMBERSHIPS.c.person_id,
        _LOGIN_LIVE,
    )
    .select_from(
        _SECTIONS.join(_DOCUMENTS, _DOCUMENTS.c.id == _SECTIONS.c.document_id)
        .join(_WORKSHOPS, _WORKSHOPS.c.id == _DOCUMENTS.c.workshop_id)
        .outerjoin(_ENTERED, _ENTERED_HERE)
    )
    .where(_SECTIONS.c.id == bindparam("section"))
)


def _admit(
    login_id: int | None, login_live: bool, member: bool, revoked_at: object, status: DocumentStatus
) -> None:
    """A connection opened with a login that has since ended (logout, expiry) is closed
    even where a public reader could read: the person meant to leave."""
    if login_id is not None and not login_live:
        raise errors.logged_out()
    if member and revoked_at is not None:
        raise errors.revoked()
    if not member and status is not DocumentStatus.PUBLISHED:
        raise errors.not_found()
