from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.agenda import Slot
from app.extensions import db
from app.modules.timeutil import utcnow

if TYPE_CHECKING:
    from app.modules.documents.models import Section
    from app.modules.people.models import Membership
    from app.modules.workshops.models import Workshop


agenda_session_section = Table(
    "agenda_session_section",
    db.metadata,
    Column("session_id", ForeignKey("agenda_session.id", ondelete="CASCADE"), primary_key=True),
    Column("section_id", ForeignKey("section.id", ondelete="CASCADE"), primary_key=True),
)


class AgendaSession(db.Model):
    """A timed part of the workshop's day. `opened_at` and `locked_at` record the
    automatic transitions once done: whichever server process sets them first (a
    conditional update) is the one that applies them."""

    __tablename__ = "agenda_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    room: Mapped[str] = mapped_column(String(120), default="")
    starts_at: Mapped[dt.datetime] = mapped_column(index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(index=True)
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("membership.id", ondelete="SET NULL")
    )
    open_at_start: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    lock_at_end: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    opened_at: Mapped[dt.datetime | None]
    locked_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    workshop: Mapped[Workshop] = relationship()
    facilitator: Mapped[Membership | None] = relationship()
    sections: Mapped[list[Section]] = relationship(
        secondary=agenda_session_section, order_by="Section.position"
    )

    @property
    def slot(self) -> Slot:
        return Slot(self.id, self.starts_at, self.ends_at, self.room)
