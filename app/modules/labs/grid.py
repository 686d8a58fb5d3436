"""The labs side by side, as the workshop's page shows them while they run at the same
time: for each lab its leads, its people, how far its sections are, how much was
written in the last minutes and who is in it now. The figures are the console's
(app/modules/room/console.py), read once for the whole workshop: this adds only who
works in which lab.

Every screen of the room asks for the grid every few seconds, and reading the console
costs tens of milliseconds: a grid once made is kept (`GridCache`) for everyone who
asks while nothing was decided in the workshop since, for a couple of seconds at most."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from app.core.permissions import DocumentStatus, SectionState
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.labs.models import LabAssignment
from app.modules.labs.services import assignments_of
from app.modules.room import console as room_console
from app.modules.room.models import RoomState
from app.modules.workshops.models import Workshop

# Workshops whose grid a process keeps at once: a server runs a few at a time.
KEPT_WORKSHOPS = 64


@dataclass(frozen=True)
class LabCard:
    """Plain values only, no database objects: a kept grid outlives the request that
    made it."""

    document_id: int
    title: str
    status: DocumentStatus
    leads: tuple[str, ...]  # names
    assigned: int  # people assigned, leads included
    # Sections by state, in the order of the section's life, only the states some have.
    states: tuple[tuple[SectionState, int], ...]
    words: int
    recent_updates: int  # SectionUpdate rows of people in the last minutes
    present: tuple[str, ...]  # names of the people with it open now

    @property
    def drafting(self) -> bool:
        """The states of a frozen or published document's sections say nothing any
        more: its status says it all."""
        return self.status is DocumentStatus.DRAFT


@dataclass(frozen=True)
class Grid:
    cards: tuple[LabCard, ...]

    def digest(self) -> str:
        """Changes whenever the grid would: what the workshop's page asks every few
        seconds, to redraw only then."""
        parts = [
            f"{c.document_id}:{c.title}:{c.status.value}:"
            f"{','.join(c.leads)}:{c.assigned}:{c.states}:{c.words}:{c.recent_updates}:"
            f"{','.join(c.present)}"
            for c in self.cards
        ]
        return hashlib.blake2b("|".join(parts).encode(), digest_size=12).hexdigest()


def grid(workshop: Workshop, now: dt.datetime, people_in: room_console.People) -> Grid:
    """One card per document someone is assigned to, in the workshop's order of
    documents. A document nobody works in is no lab (the plenary's own document, a
    draft being prepared): the list of documents above shows it anyway. Revoked members
    are in no lab: their assignment stays, for the day they are invited again."""
    assignments = [a for a in assignments_of(workshop) if a.membership.active]
    if not assignments:
        return Grid(())
    by_document: dict[int, list[LabAssignment]] = {}
    for assignment in assignments:
        by_document.setdefault(assignment.document_id, []).append(assignment)
    summary = room_console.console(workshop, now, people_in)
    cards = []
    for block in summary.documents:
        members = by_document.get(block.document.id)
        if not members:
            continue
        counted = Counter(row.section.state for row in block.rows)
        cards.append(
            LabCard(
                document_id=block.document.id,
                title=block.document.title,
                status=block.document.status,
                leads=tuple(sorted(a.membership.person.name for a in members if a.leads)),
                assigned=len(members),
                states=tuple((state, counted[state]) for state in SectionState if counted[state]),
                words=sum(row.words for row in block.rows),
                recent_updates=sum(row.recent_updates for row in block.rows),
                present=block.present,
            )
        )
    return Grid(tuple(cards))


@dataclass(frozen=True)
class Decided:
    """What was last decided in the workshop, read in one query: its audit log, where
    every assignment, lead, lock, status, revocation and renaming is written with the
    change, and the room's version (the queue, the line to the room). It leaves out
    what people type and who has a lab open, which a kept grid lags behind by its
    lifetime at most."""

    audit: int
    room: int


def decided(workshop: Workshop) -> Decided:
    audit = (
        db.select(db.func.max(AuditEvent.id))
        .where(AuditEvent.workshop_id == workshop.id)
        .scalar_subquery()
    )
    room = db.select(RoomState.version).where(RoomState.workshop_id == workshop.id)
    latest, version = db.session.execute(db.select(audit, room.scalar_subquery())).one()
    return Decided(latest or 0, version or 0)


@dataclass(frozen=True)
class Shown:
    grid: Grid
    # What the page compares with laboratori.json to know when to redraw: the room's
    # version too, since the region's redraw also brings the facilitator's line to the
    # room (room.js), which a page without a live connection learns no other way.
    version: str


def shown(grid_: Grid, room_version: int) -> Shown:
    return Shown(grid_, f"{room_version}-{grid_.digest()}")


class GridCache:
    """One grid per workshop for every screen that asks, made again when the workshop's
    `Decided` moves (in any process: it is read from the database) or after `lifetime`
    seconds, so that the last minutes' activity, the words typed and who is present
    follow within that time. Kept in the process: a grid is never shared across
    databases or applications."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._kept: dict[int, tuple[Decided, float, Shown]] = {}

    def get(
        self, workshop_id: int, key: Decided, lifetime: float, make: Callable[[], Shown]
    ) -> Shown:
        now = self._clock()
        kept = self._kept.get(workshop_id)
        if kept is not None and kept[0] == key and now - kept[1] < lifetime:
            return kept[2]
        made = make()
        self._kept.pop(workshop_id, None)
        if len(self._kept) >= KEPT_WORKSHOPS:
            del self._kept[next(iter(self._kept))]
        self._kept[workshop_id] = (key, now, made)
        return made
