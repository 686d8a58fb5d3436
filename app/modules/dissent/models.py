"""A position a facilitator records as a minority position of a section: taken from a
comment, or written down as someone said it. Objections raised in votes are not copied
here: the register reads them from the rounds themselves (see services.py)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.modules.timeutil import utcnow

if TYPE_CHECKING:
    from app.modules.documents.models import Section
    from app.modules.people.models import Person


class MinorityPosition(db.Model):
    __tablename__ = "minority_position"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("section.id", ondelete="CASCADE"), index=True
    )
    # The comment it was taken from, if any; the text is copied so that it stays in the
    # register even if the comment is later edited or hidden.
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment.id", ondelete="SET NULL"), unique=True
    )
    organisation: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    section: Mapped[Section] = relationship()
    marked_by: Mapped[Person | None] = relationship()
