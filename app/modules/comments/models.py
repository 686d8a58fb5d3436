"""A comment on a section, optionally anchored to a quoted passage of its text.

The anchor keeps the quote with some text before and after it and an approximate
position, so the passage can be found again after the section has been edited; a
comment whose passage is gone keeps its anchor and is listed as no longer anchored."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.modules.columns import AnchoredPassage
from app.modules.timeutil import utcnow

if TYPE_CHECKING:
    from app.modules.documents.models import Section
    from app.modules.people.models import Person


class Comment(AnchoredPassage, db.Model):
    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("section.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    # One level of threads: a reply always points at the thread's first comment.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[dt.datetime | None]
    resolved_at: Mapped[dt.datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    hidden_at: Mapped[dt.datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str | None] = mapped_column(String(500))

    section: Mapped[Section] = relationship()
    author: Mapped[Person | None] = relationship(foreign_keys=[author_id])
    resolved_by: Mapped[Person | None] = relationship(foreign_keys=[resolved_by_id])
    hidden_by: Mapped[Person | None] = relationship(foreign_keys=[hidden_by_id])
    parent: Mapped[Comment | None] = relationship(remote_side=[id], back_populates="replies")
    replies: Mapped[list[Comment]] = relationship(
        back_populates="parent", order_by="Comment.created_at, Comment.id"
    )

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None
