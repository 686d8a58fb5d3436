"""A synthesis gathers lab documents into one text organised by its own headings
(strengths, critical points, proposals, good practices). Every passage pulled from a
lab keeps where it came from: the lab, the section, the words as they were and the
section's text at that moment, so that later edits of either text never lose the link
(app/core/provenance)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.anchoring import Anchor
from app.extensions import db
from app.modules.columns import AnchoredPassage
from app.modules.documents.models import Document, Section
from app.modules.people.models import Person
from app.modules.timeutil import utcnow

synthesis_source = Table(
    "synthesis_source",
    db.metadata,
    Column(
        "synthesis_id",
        ForeignKey("synthesis.document_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("document_id", ForeignKey("document.id", ondelete="CASCADE"), primary_key=True),
)


class Synthesis(db.Model):
    __tablename__ = "synthesis"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship(foreign_keys=[document_id])
    sources: Mapped[list[Document]] = relationship(
        secondary=synthesis_source, order_by="Document.id"
    )


class PulledPassage(AnchoredPassage, db.Model):
    """A lab's passage in a section of the synthesis. The anchor columns say where it
    is in the synthesis; the source columns where it was in the lab. The titles are
    copied so that a lab deleted later is still named."""

    __tablename__ = "pulled_passage"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        ForeignKey("section.id", ondelete="CASCADE"), index=True
    )
    source_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("document.id", ondelete="SET NULL"), index=True
    )
    source_section_id: Mapped[int | None] = mapped_column(
        ForeignKey("section.id", ondelete="SET NULL"), index=True
    )
    source_document_title: Mapped[str] = mapped_column(String(300))
    source_section_title: Mapped[str] = mapped_column(String(300))
    source_quote: Mapped[str] = mapped_column(Text)
    source_prefix: Mapped[str] = mapped_column(String(200), default="")
    source_suffix: Mapped[str] = mapped_column(String(200), default="")
    source_start: Mapped[int] = mapped_column(default=0)
    # The lab's section as it read when the passage was pulled or last updated.
    source_then: Mapped[str] = mapped_column(Text)
    # Its place in the section's log, and the lab's latest named version then.
    source_seq: Mapped[int] = mapped_column(default=0)
    source_version_name: Mapped[str | None] = mapped_column(String(200))
    pulled_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    pulled_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime | None]

    section: Mapped[Section] = relationship(foreign_keys=[section_id])
    source_document: Mapped[Document | None] = relationship(foreign_keys=[source_document_id])
    source_section: Mapped[Section | None] = relationship(foreign_keys=[source_section_id])
    pulled_by: Mapped[Person | None] = relationship()

    @property
    def source_anchor(self) -> Anchor:
        return Anchor(self.source_quote, self.source_prefix, self.source_suffix, self.source_start)
