from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.outline import Outline
from app.core.outline import build as build_outline
from app.core.permissions import DocumentStatus, SectionState
from app.core.words import count_words, hard_limit
from app.extensions import db
from app.modules.columns import value_enum
from app.modules.timeutil import utcnow

if TYPE_CHECKING:
    from app.modules.workshops.models import Workshop


class Document(db.Model):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    subtitle: Mapped[str] = mapped_column(String(500), default="")
    language: Mapped[str] = mapped_column(String(8), default="it")
    status: Mapped[DocumentStatus] = mapped_column(
        value_enum(DocumentStatus), default=DocumentStatus.DRAFT
    )
    # Off for a document whose titles carry their own numbers (an imported file kept
    # as it was): Tavolo then adds none, anywhere the sections are listed.
    numbered: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    template_name: Mapped[str | None] = mapped_column(String(100))
    slug: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    published_at: Mapped[dt.datetime | None]

    workshop: Mapped[Workshop] = relationship(back_populates="documents")
    sections: Mapped[list[Section]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Section.position"
    )

    def outline(self) -> Outline:
        """The sections numbered and nested as every page of the document shows them."""
        return build_outline([(s.title, s.level) for s in self.sections], self.numbered)

    def sections_stamp(self) -> tuple[object, ...]:
        """What differs as soon as anything in the sections changes (a text, a title, a
        position, a section added or removed: each change stamps `updated_at`), asked
        of the database without reading any text."""
        row = db.session.execute(
            sa.select(
                sa.func.count(Section.id),
                sa.func.max(Section.id),
                sa.func.max(Section.updated_at),
                sa.func.sum(Section.body_seq),
            ).where(Section.document_id == self.id)
        ).one()
        return tuple(row)


class Section(db.Model):
    __tablename__ = "section"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    level: Mapped[int] = mapped_column(default=1)
    body: Mapped[str] = mapped_column(Text, default="")
    # The number of the last update of the live log that `body` includes: the log runs
    # ahead of it by the keystrokes of the last moment (see app.realtime.store).
    body_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    guidance: Mapped[str] = mapped_column(Text, default="")
    word_limit: Mapped[int | None]
    # A hard limit refuses any change that would take the text past it (a regional form
    # that rejects a 601-word section); a soft one only warns.
    word_limit_hard: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    state: Mapped[SectionState] = mapped_column(value_enum(SectionState), default=SectionState.OPEN)
    slot_start: Mapped[dt.datetime | None]
    slot_end: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    document: Mapped[Document] = relationship(back_populates="sections")

    @property
    def hard_word_limit(self) -> int | None:
        """The limit no change may take the text past, if the limit is hard."""
        return hard_limit(self.word_limit, self.word_limit_hard)

    @property
    def word_count(self) -> int:
        return count_words(self.body)
