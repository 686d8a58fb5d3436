"""The rules of a workshop's agenda, apart from storage and the clock: whether a session
fits (it ends after it starts, lasts a working day at most, and shares its room with no
other session at the same time), which session is running at a given moment, which
automatic openings and lockings are due, and when the closing warning starts (the
editors' countdowns turn to it then).

Every function takes `now` from its caller, so the rules can be checked at any moment
of a day, and times are naive UTC like the stored ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

MAX_LENGTH = dt.timedelta(hours=12)
WARNING = dt.timedelta(minutes=5)
# What the one-click extension offers; anything else is refused.
EXTENSIONS_MINUTES = (5, 10)


class Problem(StrEnum):
    ENDS_BEFORE_START = "ends_before_start"
    TOO_LONG = "too_long"
    OVERLAP = "overlap"


@dataclass(frozen=True)
class Slot:
    """A session's place in the day. `id` is None for a session not stored yet."""

    id: int | None
    start: dt.datetime
    end: dt.datetime
    room: str


def same_room(a: str, b: str) -> bool:
    """ "Sala A" and "sala a " are the same room; an empty room is a room too (the only
    one of a workshop that names none)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def overlaps(a: Slot, b: Slot) -> bool:
    """Back to back (one ends at 11:15, the next starts at 11:15) is no overlap."""
    return a.start < b.end and b.start < a.end


def problems(slot: Slot, others: Iterable[Slot]) -> list[Problem]:
    """Why `slot` cannot be stored beside `others` (itself among them is ignored)."""
    found: list[Problem] = []
    if slot.end <= slot.start:
        return [Problem.ENDS_BEFORE_START]
    if slot.end - slot.start > MAX_LENGTH:
        found.append(Problem.TOO_LONG)
    if any(
        other.id is None or other.id != slot.id
        for other in others
        if same_room(other.room, slot.room) and overlaps(slot, other)
    ):
        found.append(Problem.OVERLAP)
    return found


def is_running(slot: Slot, now: dt.datetime) -> bool:
    return slot.start <= now < slot.end


def current(slots: Iterable[Slot], now: dt.datetime) -> list[Slot]:
    """The sessions running at `now`, one per room at most, earliest first."""
    return sorted((s for s in slots if is_running(s, now)), key=lambda s: (s.start, s.room))


def warning_from(slot: Slot) -> dt.datetime:
    """When the closing warning starts: five minutes before the end, or at the start of
    a session shorter than that."""
    return max(slot.end - WARNING, slot.start)


class Action(StrEnum):
    OPEN = "open"
    LOCK = "lock"


@dataclass(frozen=True)
class Automation:
    """A session's automatic transitions: what the facilitator chose, and what was done."""

    slot: Slot
    open_at_start: bool
    lock_at_end: bool
    opened_at: dt.datetime | None
    locked_at: dt.datetime | None


def due(sessions: Iterable[Automation], now: dt.datetime) -> list[tuple[int, Action]]:
    """The transitions to apply at `now`, each once: an opening while the session runs,
    a locking from its end on. A session whose whole time went by unseen (the server
    was off) is only locked: opening it then would let people write after its end."""
    actions: list[tuple[int, Action]] = []
    for session in sessions:
        slot = session.slot
        assert slot.id is not None
        if session.open_at_start and session.opened_at is None and is_running(slot, now):
            actions.append((slot.id, Action.OPEN))
        if session.lock_at_end and session.locked_at is None and now >= slot.end:
            actions.append((slot.id, Action.LOCK))
    return actions


def extended(slot: Slot, minutes: int, others: Sequence[Slot]) -> Slot | Problem:
    """The session `minutes` longer, or why it cannot be (the room is taken right after
    it, or it would last more than a day's session)."""
    longer = Slot(slot.id, slot.start, slot.end + dt.timedelta(minutes=minutes), slot.room)
    found = problems(longer, others)
    return found[0] if found else longer
