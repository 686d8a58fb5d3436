"""Vote rounds and what is kept of the votes.

An open round keeps one Ballot per person: who chose what, and why. A secret round
keeps no such thing. Its votes exist only as counts per choice and stakeholder category
(VoteTally) and as the list of who has voted (VoteParticipation), so that nobody,
facilitators and database exports included, can tell who chose what. Consequences,
written down in docs/deliberation.md:

- a secret vote cannot be changed once cast: changing it would mean knowing which
  count to take it from, that is, storing the choice;
- tally rows are all created when the round opens, with no timestamps, so neither the
  order of rows nor a date links a count to the person who voted at that moment;
- a reason given with a secret objection is kept only if the voter agrees, without name
  or time (SecretReason), under a random key so its row order says nothing either.
"""

from __future__ import annotations

import datetime as dt
import secrets
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.dialects.sqlite import INTEGER
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.tally import Scale
from app.extensions import db
from app.modules.columns import value_enum
from app.modules.timeutil import utcnow

if TYPE_CHECKING:
    from app.modules.amendments.models import Amendment
    from app.modules.documents.models import Document, Section
    from app.modules.people.models import Person


class Visibility(StrEnum):
    LIVE = "live"
    AFTER_CLOSE = "after_close"


class VoteRound(db.Model):
    __tablename__ = "vote_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    # Always set: a round on an amendment is also a round on the amendment's section.
    section_id: Mapped[int] = mapped_column(
        ForeignKey("section.id", ondelete="CASCADE"), index=True
    )
    amendment_id: Mapped[int | None] = mapped_column(ForeignKey("amendment.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(500))
    scale: Mapped[Scale] = mapped_column(value_enum(Scale))
    secret: Mapped[bool] = mapped_column(default=False)
    closes_at: Mapped[dt.datetime | None]
    quorum: Mapped[int | None]
    results_visible: Mapped[Visibility] = mapped_column(
        value_enum(Visibility), default=Visibility.AFTER_CLOSE
    )
    reason_required_for_objection: Mapped[bool] = mapped_column(default=False)
    # Counted on the voters present in the room on the day the round opened, not on
    # everyone invited: the turnout, and the quorum when none was given.
    on_present: Mapped[bool] = mapped_column(default=False)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    closed_at: Mapped[dt.datetime | None]

    document: Mapped[Document] = relationship()
    section: Mapped[Section] = relationship()
    amendment: Mapped[Amendment | None] = relationship()
    opened_by: Mapped[Person | None] = relationship(foreign_keys=[opened_by_id])
    closed_by: Mapped[Person | None] = relationship(foreign_keys=[closed_by_id])

    def ended_at(self, now: dt.datetime) -> dt.datetime | None:
        """When voting stopped: closed by hand, or its closing time has passed."""
        if self.closed_at is not None:
            return self.closed_at
        if self.closes_at is not None and self.closes_at <= now:
            return self.closes_at
        return None

    def is_open(self, now: dt.datetime) -> bool:
        return self.ended_at(now) is None

    def shows_results(self, now: dt.datetime) -> bool:
        return self.results_visible is Visibility.LIVE or not self.is_open(now)


class Ballot(db.Model):
    """An open round's vote: changeable until the round closes."""

    __tablename__ = "ballot"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_round.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    choice: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship()


class VoteTally(db.Model):
    """How many people of `category` chose `choice` in a secret round."""

    __tablename__ = "vote_tally"
    __table_args__ = (UniqueConstraint("round_id", "choice", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_round.id", ondelete="CASCADE"))
    choice: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(120))
    count: Mapped[int] = mapped_column(default=0)


class VoteParticipation(db.Model):
    """That a person has voted in a secret round, and nothing else: no time, no choice."""

    __tablename__ = "vote_participation"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_round.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))


def _random_key() -> int:
    return secrets.randbelow(2**62) + 1


# 64 bits everywhere; on SQLite exactly INTEGER, so that the key is the row id itself and
# no hidden row id keeps the order in which reasons were given.
_RANDOM_KEY = BigInteger().with_variant(INTEGER(), "sqlite")


class SecretReason(db.Model):
    """The reason given with an objection in a secret round, kept with the voter's
    consent for the dissent register: no person, no time, a random key."""

    __tablename__ = "secret_reason"

    id: Mapped[int] = mapped_column(
        _RANDOM_KEY, primary_key=True, default=_random_key, autoincrement=False
    )
    round_id: Mapped[int] = mapped_column(
        ForeignKey("vote_round.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
