"""Access checks for live events, read from the database on every event.

A connection remembers who entered through it (at connect) and nothing about rights: a
revocation or a change of role takes effect on the very next event, exactly as for a
page. Outsiders get `not_found` (a
workshop they are not invited to does not exist for them); a published document is
open to everyone, read-only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select

from app.core.permissions import Capability, DocumentStatus, Role, can, can_edit_section
from app.extensions import db
from app.modules.documents.models import Document, Section
from app.modules.people.models import Membership
from app.realtime import errors
from app.realtime.presence import Registry


@dataclass(frozen=True)
class Viewer:
    document: Document
    # The person this connection entered as (see Registry.open); None for a public reader.
    person_id: int | None
    membership: Membership | None

    @property
    def role(self) -> Role | None:
        """None for a public reader of a published document."""
        return self.membership.role if self.membership else None

    def can(self, capability: Capability) -> bool:
        return can(self.role, capability)

    def can_edit(self, section: Section) -> bool:
        return can_edit_section(self.role, section.state, self.document.status)


def viewer_of(document_id: int, sid: str) -> Viewer:
    person_id = _registry().person_id(sid)
    found = db.session.execute(
        _with_membership(db.select(Document), person_id).where(Document.id == document_id)
    ).first()
    if found is None:
        raise errors.not_found()
    return _viewer(found.Document, person_id, found.Membership)


def joined_section(section_id: int, sid: str) -> tuple[Viewer, Section]:
    """The section and the person's rights on it in one query: this runs for every
    keystroke that reaches the server."""
    person_id = _registry().person_id(sid)
    found = db.session.execute(
        _with_membership(db.select(Section, Document), person_id)
        .where(Section.id == section_id)
        .where(Document.id == Section.document_id)
    ).first()
    if found is None:
        raise errors.not_found()
    viewer = _viewer(found.Document, person_id, found.Membership)
    require_joined(viewer, sid)
    return viewer, found.Section


def joined_viewers(sid: str) -> list[Viewer]:
    return [viewer_of(document_id, sid) for document_id in joined_documents(sid)]


def require_joined(viewer: Viewer, sid: str) -> None:
    if viewer.document.id not in joined_documents(sid):
        raise errors.not_joined()


def joined_documents(sid: str) -> list[int]:
    """Read from our own registry, which is locked: python-socketio's room table is
    walked without a lock and fails when another thread joins a room meanwhile."""
    return _registry().documents(sid)


def _registry() -> Registry:
    from app.realtime.services import live  # services builds on this module

    return live().registry


def _with_membership(query: Select, person_id: int | None) -> Select:
    """Adds the person's membership of the document's workshop, if any, to `query`."""
    return query.add_columns(Membership).outerjoin(
        Membership,
        (Membership.workshop_id == Document.workshop_id) & (Membership.person_id == person_id),
    )


def _viewer(document: Document, person_id: int | None, membership: Membership | None) -> Viewer:
    if membership is not None and membership.revoked_at is not None:
        raise errors.revoked()
    if membership is None and document.status is not DocumentStatus.PUBLISHED:
        raise errors.not_found()
    return Viewer(document, person_id, membership)
