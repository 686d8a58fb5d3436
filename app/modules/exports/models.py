from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.modules.timeutil import utcnow

if TYPE_CHECKING:
    from app.modules.documents.models import Document
    from app.modules.people.models import Person


class Export(db.Model):
    """A file handed out: which text (live, a named version, the frozen or published
    one), in which format, by whom, and the two fingerprints that let anyone check
    later that a PDF in a mailbox is the text that was agreed."""

    __tablename__ = "export"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    format: Mapped[str] = mapped_column(String(8))
    version_name: Mapped[str | None] = mapped_column(String(200))
    document_status: Mapped[str] = mapped_column(String(20))
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    file_name: Mapped[str] = mapped_column(String(255), unique=True)
    file_sha256: Mapped[str] = mapped_column(String(64))
    text_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship()
    person: Mapped[Person | None] = relationship()


class DocumentLogo(db.Model):
    """A logo on the cover of the exported PDF, uploaded by a facilitator. The picture
    is one of the document's media files, named by its content; `alt` is the
    organisation's name as the facilitator typed it."""

    __tablename__ = "document_logo"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(40))
    position: Mapped[int]
    alt: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
