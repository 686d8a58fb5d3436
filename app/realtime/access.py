"""Access checks for live events, read from the database on every event.

A connection remembers nothing about rights: a revocation or a change of role takes
effect on the very next event, exactly as for a page. Outsiders get `not_found` (a
workshop they are not invited to does not exist for them); a published document is
open to everyone, read-only."""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import current_user

from app.core.permissions import Capability, DocumentStatus, Role, can, can_edit_section
from app.extensions import db
from app.modules.documents.models import Document, Section
from app.modules.people.models import Membership, Person
from app.realtime import errors


@dataclass(frozen=True)
class Viewer:
    document: Document
    person: Person | None
    membership: Membership | None

    @property
    def role(self) -> Role | None:
        """None for a public reader of a published document."""
        return self.membership.role if self.membership else None

    def can(self, capability: Capability) -> bool:
        return can(self.role, capability)

    def can_edit(self, section: Section) -> bool:
        return can_edit_section(self.role, section.state, self.document.status)


def viewer_of(document_id: int) -> Viewer:
    document = db.session.get(Document, document_id)
    if document is None:
        raise errors.not_found()
    person = current_user if current_user.is_authenticated else None
    membership = _membership(person, document.workshop_id) if person else None
    if membership is not None and membership.revoked_at is not None:
        raise errors.revoked()
    if membership is None and document.status is not DocumentStatus.PUBLISHED:
        raise errors.not_found()
    return Viewer(document, person, membership)


def joined_section(section_id: int, sid: str) -> tuple[Viewer, Section]:
    section = db.session.get(Section, section_id)
    if section is None:
        raise errors.not_found()
    viewer = viewer_of(section.document_id)
    require_joined(viewer, sid)
    return viewer, section


def joined_viewers(sid: str) -> list[Viewer]:
    return [viewer_of(document_id) for document_id in joined_documents(sid)]


def require_joined(viewer: Viewer, sid: str) -> None:
    if viewer.document.id not in joined_documents(sid):
        raise errors.not_joined()


def joined_documents(sid: str) -> list[int]:
    """Read from our own registry, which is locked: python-socketio's room table is
    walked without a lock and fails when another thread joins a room meanwhile."""
    from app.realtime.services import live  # services builds on this module

    return live().registry.documents(sid)


def _membership(person: Person, workshop_id: int) -> Membership | None:
    return db.session.execute(
        db.select(Membership).where(
            Membership.person_id == person.id, Membership.workshop_id == workshop_id
        )
    ).scalar_one_or_none()
