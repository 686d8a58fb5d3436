"""What happened to a section's text: the CRDT update log it is rebuilt from, the
revisions people read in its history, and the edits that arrived too late."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.modules.people.models import Person
from app.modules.timeutil import utcnow


class SectionUpdate(db.Model):
    """One accepted CRDT update of a section, numbered per section without gaps.

    Append-only: rows are never changed or deleted, so any earlier state of the text can
    be rebuilt and several server processes can share the log. The unique (section, seq)
    pair is what makes two processes that write at once notice each other."""

    __tablename__ = "section_update"
    __table_args__ = (UniqueConstraint("section_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    seq: Mapped[int]
    # None for the first row, which holds the section's text from before live editing.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    update: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SectionSnapshot(db.Model):
    """The whole CRDT state of a section after update `seq`, so loading a section reads
    one snapshot and the few updates after it instead of the whole day's log."""

    __tablename__ = "section_snapshot"
    __table_args__ = (UniqueConstraint("section_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    seq: Mapped[int]
    state: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Revision(db.Model):
    """A burst of one person's work on a section and the text right after it. The update
    log keeps every keystroke; revisions are what a person reads in the history."""

    __tablename__ = "revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("section.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    # typed, restored, amendment, imported…
    origin: Mapped[str] = mapped_column(String(20), default="typed")
    # What a non-typed revision came from: the restored revision, the accepted amendment.
    source_id: Mapped[int | None]
    # The update log rows this revision spans: the text before it is the state at
    # first_seq - 1, rebuilt from the log.
    first_seq: Mapped[int]
    last_seq: Mapped[int]


class RejectedEdit(db.Model):
    """Text typed into a section after it was locked (or its document frozen). It is
    not applied, and not thrown away either: facilitators and its author can read it as
    a proposal. `update` keeps the refused CRDT changes themselves."""

    __tablename__ = "rejected_edit"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("section.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    base_text: Mapped[str] = mapped_column(Text)
    proposed_text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(40))
    update: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # When a facilitator turned it into an amendment, or it was set aside; None while
    # it waits to be looked at.
    settled_at: Mapped[dt.datetime | None]
    amendment_id: Mapped[int | None] = mapped_column(
        ForeignKey("amendment.id", ondelete="SET NULL")
    )

    person: Mapped[Person | None] = relationship()


class CrdtClient(db.Model):
    """Which person first wrote in a section under a Yjs client id. Replicas keep the
    first item they receive for a (client id, clock) pair, so an update written under
    someone else's id could replace that person's next keystroke on the server while
    their own editor kept it: only the person bound here may write new items under the
    id. `person_id` is None for the ids the server writes under (the text from before
    live editing, restores, accepted amendments), which nobody may claim. The unique pair
    decides between two processes binding the same id at once."""

    __tablename__ = "crdt_client"
    __table_args__ = (UniqueConstraint("section_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(BigInteger)
    # SET NULL: an id of someone deleted stays unclaimable.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    first_seen: Mapped[dt.datetime] = mapped_column(default=utcnow)
