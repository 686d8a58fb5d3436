"""The facilitator's console: the whole room on one screen. Every section of every
document with its state, its words against the limit, who is in it now, how much it was
written in the last minutes, and what waits on it (comments, amendments, votes); the
attendance; and from the same page, the actions that change the room."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Select

from app.core import agenda as agenda_rules
from app.core.words import limit_status
from app.extensions import db
from app.modules.agenda import services as agenda
from app.modules.agenda.models import AgendaSession
from app.modules.amendments.models import Amendment, AmendmentStatus
from app.modules.attendance.services import day_of, present_on
from app.modules.comments.models import Comment
from app.modules.documents.models import Document, Section
from app.modules.revisions.models import SectionUpdate
from app.modules.votes.models import VoteRound
from app.modules.workshops.models import Workshop

# "Activity": what was written in a section in the last minutes.
RECENT = dt.timedelta(minutes=5)
# Who has a document open now, by its id: (person id, section id or None, name) for each
# connection.
People = Callable[[int], list[tuple[int, int | None, str]]]


@dataclass(frozen=True)
class SectionRow:
    section: Section
    number: str
    words: int
    limit_status: str
    editing: tuple[str, ...]  # people in the section now
    recent_updates: int
    open_comments: int
    pending_amendments: int
    open_votes: int


@dataclass(frozen=True)
class DocumentBlock:
    document: Document
    rows: tuple[SectionRow, ...]
    readers: int  # people with the document open now
    # Their names, for the pages that say who is in a lab (app/modules/labs/grid.py).
    present: tuple[str, ...] = ()


@dataclass(frozen=True)
class Console:
    documents: tuple[DocumentBlock, ...]
    invited: int
    present: int
    connected: int
    open_votes: tuple[VoteRound, ...]
    # The day's programme, each session with whether it is running now.
    sessions: tuple[tuple[AgendaSession, bool], ...]

    def digest(self) -> str:
        """Changes whenever the page would: what the console's page asks every few
        seconds, to redraw only then."""
        parts = [f"{self.invited}/{self.present}/{self.connected}"]
        for block in self.documents:
            parts.append(f"d{block.document.id}:{block.document.status.value}:{block.readers}")
            parts.extend(
                f"{r.section.id}:{r.section.state.value}:{r.words}:{','.join(r.editing)}:"
                f"{r.recent_updates}:{r.open_comments}:{r.pending_amendments}:{r.open_votes}"
                for r in block.rows
            )
        parts.extend(f"v{v.id}" for v in self.open_votes)
        parts.extend(f"s{s.id}:{s.ends_at:%H%M}:{running}" for s, running in self.sessions)
        return hashlib.blake2b("|".join(parts).encode(), digest_size=12).hexdigest()


def console(workshop: Workshop, now: dt.datetime, people_in: People) -> Console:
    documents = list(workshop.documents)
    sections = [s for d in documents for s in d.sections]
    ids = [s.id for s in sections]
    recent = _per_section(
        db.select(SectionUpdate.section_id, db.func.count(SectionUpdate.id))
        .where(
            SectionUpdate.section_id.in_(ids),
            SectionUpdate.created_at >= now - RECENT,
            # The first row of a section is its text from before live editing, stored
            # when someone first opens it: nobody wrote it just now.
            SectionUpdate.person_id.is_not(None),
        )
        .group_by(SectionUpdate.section_id)
    )
    comments = _per_section(
        db.select(Comment.section_id, db.func.count(Comment.id))
        .where(
            Comment.section_id.in_(ids),
            Comment.parent_id.is_(None),
            Comment.resolved_at.is_(None),
            Comment.hidden_at.is_(None),
        )
        .group_by(Comment.section_id)
    )
    amendments = _per_section(
        db.select(Amendment.section_id, db.func.count(Amendment.id))
        .where(Amendment.section_id.in_(ids), Amendment.status == AmendmentStatus.PENDING)
        .group_by(Amendment.section_id)
    )
    rounds = [r for r in _rounds(documents) if r.is_open(now)]
    votes = Counter(vote.section_id for vote in rounds)
    blocks = []
    connected: set[int] = set()
    for document in documents:
        here = people_in(document.id)
        connected.update(person for person, _section, _name in here)
        tree = document.outline()
        rows = tuple(
            SectionRow(
                section=section,
                number=entry.number,
                words=section.word_count,
                limit_status=limit_status(section.word_count, section.word_limit),
                editing=tuple(sorted({name for _p, spot, name in here if spot == section.id})),
                recent_updates=recent.get(section.id, 0),
                open_comments=comments.get(section.id, 0),
                pending_amendments=amendments.get(section.id, 0),
                open_votes=votes.get(section.id, 0),
            )
            for section, entry in zip(document.sections, tree.entries, strict=True)
        )
        names = {person: name for person, _s, name in here}
        blocks.append(DocumentBlock(document, rows, len(names), tuple(sorted(names.values()))))
    members = [m for m in workshop.memberships if m.active]
    return Console(
        documents=tuple(blocks),
        invited=len(members),
        present=len(present_on(workshop, day_of(workshop, now))),
        connected=len(connected),
        open_votes=tuple(rounds),
        sessions=tuple(
            (s, agenda_rules.is_running(s.slot, now)) for s in agenda.sessions_on(workshop, now)
        ),
    )


def _per_section(query: Select[tuple[int, int]]) -> dict[int, int]:
    return {section_id: count for section_id, count in db.session.execute(query).all()}


def _rounds(documents: Iterable[Document]) -> list[VoteRound]:
    ids = [d.id for d in documents]
    return list(
        db.session.scalars(
            db.select(VoteRound).where(
                VoteRound.document_id.in_(ids), VoteRound.closed_at.is_(None)
            )
        )
    )
