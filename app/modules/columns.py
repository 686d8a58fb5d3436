"""Column types shared by the features' models."""

from __future__ import annotations

from enum import Enum as PyEnum

from sqlalchemy import Enum, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.anchoring import Anchor


def value_enum(enum_type: type[PyEnum]) -> Enum:
    """Stores an enum's values ("open", not "OPEN") as plain strings: readable in the
    database, and the same on SQLite and PostgreSQL without native enum types."""
    return Enum(
        enum_type, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )


class AnchoredPassage:
    """A passage of a section's text that survives its later edits (app/core/anchoring):
    the quote, a little text on either side, and where it was. Comments and commitments
    point at their clause this way."""

    anchor_quote: Mapped[str | None] = mapped_column(Text)
    anchor_prefix: Mapped[str | None] = mapped_column(String(200))
    anchor_suffix: Mapped[str | None] = mapped_column(String(200))
    anchor_start: Mapped[int | None]

    @property
    def anchor(self) -> Anchor | None:
        if self.anchor_quote is None:
            return None
        return Anchor(
            quote=self.anchor_quote,
            prefix=self.anchor_prefix or "",
            suffix=self.anchor_suffix or "",
            start=self.anchor_start or 0,
        )
