"""An amendment: replacement text proposed for a passage or a whole section.

It keeps the whole text it was written on and the whole text it proposes, so that it
can still be merged after the section has moved on (app/core/merge.py), and shown as
insertions and deletions against whatever the section says now."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.modules.columns import value_enum
from app.modules.timeutil import utcnow

if TYPE_CHECKING:
    from app.modules.documents.models import Section
    from app.modules.people.models import Person


class AmendmentStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Stance(StrEnum):
    SUPPORT = "support"
    OPPOSE = "oppose"


class Amendment(db.Model):
    __tablename__ = "amendment"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("section.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    base_text: Mapped[str] = mapped_column(Text)
    proposed_text: Mapped[str] = mapped_column(Text)
    # The passage replaced, in base_text; all None for a rewrite of the whole section.
    passage_start: Mapped[int | None]
    passage_end: Mapped[int | None]
    passage_quote: Mapped[str | None] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[AmendmentStatus] = mapped_column(
        value_enum(AmendmentStatus), default=AmendmentStatus.PENDING
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    # The revision that carried the accepted text into the section (None when the live
    # text already said what the amendment proposed).
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revision.id", ondelete="SET NULL"))

    section: Mapped[Section] = relationship()
    author: Mapped[Person | None] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id])
    stances: Mapped[list[AmendmentSupport]] = relationship(
        back_populates="amendment",
        cascade="all, delete-orphan",
        order_by="AmendmentSupport.updated_at, AmendmentSupport.id",
    )

    @property
    def is_pending(self) -> bool:
        return self.status is AmendmentStatus.PENDING

    def count(self, stance: Stance | str) -> int:
        return sum(1 for s in self.stances if s.stance == stance)


class AmendmentSupport(db.Model):
    """One person's support for, or opposition to, an amendment: one per person,
    changed in place when they change their mind."""

    __tablename__ = "amendment_support"
    __table_args__ = (UniqueConstraint("amendment_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendment.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    stance: Mapped[Stance] = mapped_column(value_enum(Stance))
    reason: Mapped[str] = mapped_column(String(1000), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    amendment: Mapped[Amendment] = relationship(back_populates="stances")
    person: Mapped[Person] = relationship()
