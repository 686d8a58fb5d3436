"""Named versions of a whole document: the text of every section as it stood when a
facilitator saved it, or when a section was closed, the document frozen or published.

A version copies the sections' titles and texts instead of pointing at revisions: a
revision grows while its author keeps typing, and a version must never change. Rows
are written once; the ORM refuses any later change (see `_immutable`)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.extensions import db
from app.modules.columns import value_enum
from app.modules.timeutil import utcnow

if TYPE_CHECKING:
    from app.modules.documents.models import Document
    from app.modules.people.models import Person


class VersionReason(StrEnum):
    MANUAL = "manual"
    SECTION_LOCKED = "section_locked"
    FROZEN = "frozen"
    PUBLISHED = "published"


class ImmutableVersion(Exception):
    """Something tried to change or delete a saved version."""


class Version(db.Model):
    __tablename__ = "version"
    __table_args__ = (Index("ix_version_document_created", "document_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[VersionReason] = mapped_column(
        value_enum(VersionReason),
        default=VersionReason.MANUAL,
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship()
    created_by: Mapped[Person | None] = relationship()
    sections: Mapped[list[VersionSection]] = relationship(
        back_populates="version",
        cascade="all, delete-orphan",
        order_by="VersionSection.position",
    )


class VersionSection(db.Model):
    """A section as the version saw it. `section_id` is a plain number, not a foreign
    key: the section may be deleted later, and the version must still show it."""

    __tablename__ = "version_section"
    __table_args__ = (Index("ix_version_section_version", "version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("version.id", ondelete="CASCADE"))
    section_id: Mapped[int]
    # The number of the section's last update in the log when the version was saved
    # (None if it was never edited live): revisions after it are what changed since.
    seq: Mapped[int | None]
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    level: Mapped[int]
    body: Mapped[str] = mapped_column(Text)

    version: Mapped[Version] = relationship(back_populates="sections")


@event.listens_for(Session, "before_flush")
def _immutable(session: Session, _context: object, _instances: object) -> None:
    for obj in [*session.dirty, *session.deleted]:
        if isinstance(obj, Version | VersionSection) and (
            obj in session.deleted or session.is_modified(obj)
        ):
            raise ImmutableVersion(f"{type(obj).__name__} {obj.id} is immutable")
