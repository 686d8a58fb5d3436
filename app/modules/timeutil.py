"""Times are stored as naive UTC: SQLite has no time zones, and one convention for both
databases keeps comparisons correct everywhere."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
