"""Who works in which lab. A workshop's labs are its documents written in parallel by
groups of the room (six labs of the Case della Comunità, each with its own findings);
a person assigned to a lab writes there, and its lead moderates it as a facilitator of
that lab only."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.modules.documents.models import Document
from app.modules.people.models import Membership
from app.modules.timeutil import utcnow


class LabAssignment(db.Model):
    __tablename__ = "lab_assignment"
    # One lab per person: the labs of a day run at the same time.
    __table_args__ = (UniqueConstraint("membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(ForeignKey("membership.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(
        ForeignKey("document.id", ondelete="CASCADE"), index=True
    )
    leads: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    membership: Mapped[Membership] = relationship()
    document: Mapped[Document] = relationship()
