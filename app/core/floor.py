"""The speaking queue of the room: who asked for the floor, in order, who has it, and
what a request may become. A person asks from their phone; the facilitator gives the
floor, skips a turn or closes the queue, and the order is the order of asking, so that
nobody's turn depends on who the facilitator happens to see.

A request waits until it is given the floor (then it is spoken, and done when the
next one is given or the facilitator ends it), skipped by the facilitator, or withdrawn
by its author; each person has at most one request waiting or speaking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

# What a person may add to their request: a few words on the subject ("su Abitare").
TOPIC_MAX = 120
# A broadcast is a line on every screen ("Pausa caffè fino alle 11:30"), not a text.
BROADCAST_MAX = 200
BROADCAST_MAX_MINUTES = 240


class Projected(StrEnum):
    """What the room's screen shows, chosen by the facilitator."""

    QUEUE = "coda"  # who has the floor, and who is next
    SECTION = "sezione"  # a section's text, as it is being written
    VOTE = "votazione"  # a vote's question, then its result
    AGENDA = "programma"  # the day's sessions, the running one marked


class Status(StrEnum):
    WAITING = "waiting"
    SPEAKING = "speaking"
    DONE = "done"
    SKIPPED = "skipped"
    WITHDRAWN = "withdrawn"


# Who may move a request from one status to the next: the facilitator, or its author.
FACILITATOR_MOVES: dict[Status, frozenset[Status]] = {
    Status.WAITING: frozenset({Status.SPEAKING, Status.SKIPPED}),
    Status.SPEAKING: frozenset({Status.DONE}),
}
AUTHOR_MOVES: dict[Status, frozenset[Status]] = {
    Status.WAITING: frozenset({Status.WITHDRAWN}),
}
ACTIVE = frozenset({Status.WAITING, Status.SPEAKING})


@dataclass(frozen=True)
class Request:
    id: int
    person_id: int
    status: Status
    requested_at: dt.datetime


def may_move(current: Status, target: Status, by_facilitator: bool) -> bool:
    moves = FACILITATOR_MOVES if by_facilitator else AUTHOR_MOVES
    return target in moves.get(current, frozenset())


def waiting(requests: Iterable[Request]) -> list[Request]:
    """The queue, in the order people asked (ids break ties of the same instant)."""
    return sorted(
        (r for r in requests if r.status is Status.WAITING),
        key=lambda r: (r.requested_at, r.id),
    )


def speaking(requests: Iterable[Request]) -> Request | None:
    found = [r for r in requests if r.status is Status.SPEAKING]
    return max(found, key=lambda r: (r.requested_at, r.id)) if found else None


def position(requests: Sequence[Request], person_id: int) -> int | None:
    """1 for the next to speak; None when the person is not waiting."""
    for index, request in enumerate(waiting(requests), start=1):
        if request.person_id == person_id:
            return index
    return None


def has_active(requests: Iterable[Request], person_id: int) -> bool:
    return any(r.person_id == person_id and r.status in ACTIVE for r in requests)


def one_line(text: str) -> str:
    """Spaces collapsed: what a phone sends may hold line breaks and runs of spaces, a
    line shown on every screen may not."""
    return " ".join(text.split())
