from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.modules.people.models import Membership
from app.modules.timeutil import utcnow


class Presence(db.Model):
    """A member in the room on one day of the workshop (the day on the room's clock)."""

    __tablename__ = "presence"
    __table_args__ = (UniqueConstraint("membership_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    arrived_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The facilitator who marked it; None when the person scanned the room's code.
    marked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("membership.id", ondelete="SET NULL")
    )

    membership: Mapped[Membership] = relationship(foreign_keys=[membership_id])


class RoomCode(db.Model):
    """How many times the room's code was replaced (app/core/attendance.room_code): a
    facilitator replaces it when a photo of it leaves the room. No row: the first code."""

    __tablename__ = "room_code"

    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), primary_key=True
    )
    generation: Mapped[int] = mapped_column(default=0)
    renewed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
