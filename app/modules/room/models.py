from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.floor import BROADCAST_MAX, TOPIC_MAX, Projected, Status
from app.extensions import db
from app.modules.columns import value_enum
from app.modules.people.models import Membership
from app.modules.timeutil import utcnow


class RoomState(db.Model):
    """What the room shares beyond the documents: whether the speaking queue takes
    requests, and the line every screen shows. `version` moves at every change of it or
    of the queue, so that phones asking every few seconds learn "nothing new" cheaply.
    No row: the queue is closed and nothing is announced."""

    __tablename__ = "room_state"

    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), primary_key=True
    )
    queue_open: Mapped[bool] = mapped_column(default=False)
    broadcast: Mapped[str] = mapped_column(String(BROADCAST_MAX), default="")
    broadcast_until: Mapped[dt.datetime | None]
    projected: Mapped[Projected] = mapped_column(value_enum(Projected), default=Projected.QUEUE)
    # The section or the vote round shown, by the kind `projected` says.
    projected_id: Mapped[int | None]
    version: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FloorRequest(db.Model):
    __tablename__ = "floor_request"
    # One request waiting or speaking per person, whatever reaches the server at once.
    __table_args__ = (
        Index(
            "uq_floor_request_active",
            "membership_id",
            unique=True,
            sqlite_where=text("status IN ('waiting', 'speaking')"),
            postgresql_where=text("status IN ('waiting', 'speaking')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(TOPIC_MAX), default="")
    status: Mapped[Status] = mapped_column(value_enum(Status), default=Status.WAITING)
    requested_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    given_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]

    membership: Mapped[Membership] = relationship()
