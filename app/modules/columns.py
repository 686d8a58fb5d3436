"""Column types shared by the features' models."""

from __future__ import annotations

from enum import Enum as PyEnum

from sqlalchemy import Enum


def value_enum(enum_type: type[PyEnum]) -> Enum:
    """Stores an enum's values ("open", not "OPEN") as plain strings: readable in the
    database, and the same on SQLite and PostgreSQL without native enum types."""
    return Enum(
        enum_type, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )
