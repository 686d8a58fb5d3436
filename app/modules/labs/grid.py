"""The labs side by side, as the workshop's page shows them while they run at the same
time: for each lab its leads, its people, how far its sections are, how much was
written in the last minutes and who is in it now. The figures are the console's
(app/modules/room/console.py), read once for the whole workshop: this adds only who
works in which lab."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass

from app.core.permissions import DocumentStatus, SectionState
from app.modules.documents.models import Document
from app.modules.labs.models import LabAssignment
from app.modules.labs.services import assignments_of
from app.modules.room import console as room_console
from app.modules.workshops.models import Workshop


@dataclass(frozen=True)
class LabCard:
    document: Document
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
        return self.document.status is DocumentStatus.DRAFT


@dataclass(frozen=True)
class Grid:
    cards: tuple[LabCard, ...]

    def digest(self) -> str:
        """Changes whenever the grid would: what the workshop's page asks every few
        seconds, to redraw only then."""
        parts = [
            f"{c.document.id}:{c.document.title}:{c.document.status.value}:"
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
                document=block.document,
                leads=tuple(sorted(a.membership.person.name for a in members if a.leads)),
                assigned=len(members),
                states=tuple((state, counted[state]) for state in SectionState if counted[state]),
                words=sum(row.words for row in block.rows),
                recent_updates=sum(row.recent_updates for row in block.rows),
                present=block.present,
            )
        )
    return Grid(tuple(cards))
