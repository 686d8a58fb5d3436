"""A commitment an institution takes at the table, and the trail of its statuses.

A commitment belongs to its workshop and may point at the clause it comes from: a
section, and a passage of it anchored as comments are (the quote with a little text on
each side), so the clause is found again after the text has moved. The institution's
link is kept only as a hash, like the personal links."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.commitments import Status
from app.extensions import db
from app.modules.columns import AnchoredPassage, value_enum
from app.modules.timeutil import utcnow

if TYPE_CHECKING:
    from app.modules.documents.models import Section
    from app.modules.people.models import Person
    from app.modules.votes.models import VoteRound
    from app.modules.workshops.models import Workshop


class Commitment(AnchoredPassage, db.Model):
    __tablename__ = "commitment"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    institution: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[dt.date | None]
    indicator: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[Status] = mapped_column(value_enum(Status), default=Status.PROPOSED)
    # The clause it comes from; a deleted section leaves the commitment without one.
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("section.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_issued_at: Mapped[dt.datetime | None]
    # The vote the table held on it, if it chose to vote rather than agree by consensus.
    vote_round_id: Mapped[int | None] = mapped_column(
        ForeignKey("vote_round.id", ondelete="SET NULL")
    )

    workshop: Mapped[Workshop] = relationship()
    section: Mapped[Section | None] = relationship()
    created_by: Mapped[Person | None] = relationship()
    vote_round: Mapped[VoteRound | None] = relationship()
    changes: Mapped[list[CommitmentChange]] = relationship(
        back_populates="commitment",
        cascade="all, delete-orphan",
        order_by="CommitmentChange.at, CommitmentChange.id",
    )

    @property
    def has_link(self) -> bool:
        return self.token_hash is not None


class CommitmentChange(db.Model):
    """One step of a commitment's history: its recording (no previous status) or a
    change of status, by a member of the workshop or through the institution's link."""

    __tablename__ = "commitment_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitment.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    via_link: Mapped[bool] = mapped_column(default=False)
    from_status: Mapped[Status | None] = mapped_column(value_enum(Status))
    to_status: Mapped[Status] = mapped_column(value_enum(Status))
    note: Mapped[str] = mapped_column(Text, default="")

    commitment: Mapped[Commitment] = relationship(back_populates="changes")
    actor: Mapped[Person | None] = relationship()
