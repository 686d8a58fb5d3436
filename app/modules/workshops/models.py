from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.modules.timeutil import utcnow

if TYPE_CHECKING:
    from app.modules.documents.models import Document
    from app.modules.people.models import Membership, Organiser, Person


class Workshop(db.Model):
    __tablename__ = "workshop"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    place: Mapped[str] = mapped_column(String(300), default="")
    starts_on: Mapped[dt.date | None]
    ends_on: Mapped[dt.date | None]
    promoters: Mapped[str] = mapped_column(Text, default="")
    # The IANA zone of the room (see `zone_of`): every date shown, exported or put in a
    # file name for this workshop is the date on the wall there.
    time_zone: Mapped[str] = mapped_column(String(64), default=lambda: default_zone())
    # Archived: out of the list of workshops, its documents read-only, readable and
    # exportable; restoring it gives everything back as it was.
    archived_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    # Created through an organiser's login: that organiser's link reopens it.
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organiser.id", ondelete="SET NULL")
    )

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", order_by="Document.id"
    )
    created_by: Mapped[Person | None] = relationship()
    organiser: Mapped[Organiser | None] = relationship()

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def promoter_list(self) -> list[str]:
        return [line.strip() for line in self.promoters.splitlines() if line.strip()]


def default_zone() -> str:
    """The instance's zone (TZ_NAME), for new workshops and for pages of no workshop."""
    return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def zone_of(workshop: Workshop | None) -> str:
    """The zone of this workshop: the one answer every date of it is computed from."""
    if workshop is None or not workshop.time_zone:
        return default_zone()
    return workshop.time_zone
