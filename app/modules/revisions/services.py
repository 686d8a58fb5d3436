"""Revision bookkeeping and rejected edits. Services take the acting person and never
read the request; the caller commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam

from app.core.sync import continues_burst
from app.extensions import db
from app.modules.revisions.models import RejectedEdit, Revision


@dataclass(frozen=True)
class Burst:
    """What the live store remembers of an author's latest revision of a section, so that
    most keystrokes extend it without looking it up first."""

    revision_id: int
    ended_at: dt.datetime


@dataclass(frozen=True)
class Typing:
    """One author's updates of a section since its text was last stored: their numbers
    in the log and when the first and the last were made."""

    first_seq: int
    last_seq: int
    started_at: dt.datetime
    ended_at: dt.datetime


def record_typing(
    section_id: int,
    author_id: int,
    text: str,
    typing: Typing,
    window: dt.timedelta,
    remembered: Burst | None,
) -> Burst:
    """Extends the author's own latest revision of the section when it ended shortly
    before this typing began, else opens a new one. Per author rather than per section:
    with eight people typing at once a per-section rule would cut the history into one
    revision per keystroke. `remembered` may be out of date (another process extended or
    opened one meanwhile): the extension then matches no row and the revision is looked
    up."""
    if remembered is not None and (burst := _extend(remembered, text, typing, window)):
        return burst
    latest = _latest_typed(section_id, author_id)
    if latest is not None and (burst := _extend(latest, text, typing, window)):
        return burst
    revision_id = db.session.execute(
        _OPEN_BURST,
        {
            "section_id": section_id,
            "author_id": author_id,
            "started_at": typing.started_at,
            "ended_at": typing.ended_at,
            "text": text,
            "origin": "typed",
            "first_seq": typing.first_seq,
            "last_seq": typing.last_seq,
        },
    ).scalar_one()
    return Burst(revision_id, typing.ended_at)


def record_typings(
    section_id: int,
    typings: dict[int, tuple[str, Typing]],
    window: dt.timedelta,
    remembered: dict[int, Burst],
) -> dict[int, Burst] | None:
    """`record_typing` for every author of the section at once, by author id. Most
    authors continue the revision they were extending: those are extended in one
    statement, since a section's text is stored with a whole room's typing at a time and
    the writer of the section waits meanwhile. None when one of those revisions had
    changed meanwhile (another process extended it): call again with nothing
    remembered, after rolling back."""
    continuing = {
        author: burst
        for author, (_, typing) in typings.items()
        if (burst := remembered.get(author)) is not None
        and continues_burst(burst.ended_at, typing.started_at, window)
    }
    if continuing:
        extended = db.session.execute(
            _EXTEND_BURST,
            [
                {
                    "revision": burst.revision_id,
                    "was": burst.ended_at,
                    "now": typings[author][1].ended_at,
                    "text": typings[author][0],
                    "last": typings[author][1].last_seq,
                }
                for author, burst in continuing.items()
            ],
        )
        if extended.rowcount != len(continuing):
            return None
    bursts = {
        author: Burst(burst.revision_id, typings[author][1].ended_at)
        for author, burst in continuing.items()
    }
    for author, (text, typing) in typings.items():
        if author not in bursts:
            bursts[author] = record_typing(section_id, author, text, typing, window, None)
    return bursts


def _latest_typed(section_id: int, author_id: int) -> Burst | None:
    row = db.session.execute(
        db.select(Revision.id, Revision.ended_at)
        .where(
            Revision.section_id == section_id,
            Revision.author_id == author_id,
            Revision.origin == "typed",
        )
        .order_by(Revision.ended_at.desc(), Revision.id.desc())
        .limit(1)
    ).first()
    return Burst(row.id, row.ended_at) if row else None


def _extend(burst: Burst, text: str, typing: Typing, window: dt.timedelta) -> Burst | None:
    if not continues_burst(burst.ended_at, typing.started_at, window):
        return None
    extended = db.session.execute(
        _EXTEND_BURST,
        {
            "revision": burst.revision_id,
            "was": burst.ended_at,
            "now": typing.ended_at,
            "text": text,
            "last": typing.last_seq,
        },
    )
    return Burst(burst.revision_id, typing.ended_at) if extended.rowcount == 1 else None


# Core statements built once: typing extends revisions every time a section's text is stored.
_REVISIONS = Revision.__table__
_OPEN_BURST = _REVISIONS.insert().returning(_REVISIONS.c.id)
_EXTEND_BURST = (
    _REVISIONS.update()
    .where(_REVISIONS.c.id == bindparam("revision"), _REVISIONS.c.ended_at == bindparam("was"))
    .values(ended_at=bindparam("now"), text=bindparam("text"), last_seq=bindparam("last"))
)


def record_change(
    section_id: int,
    person_id: int,
    text: str,
    seq: int,
    now: dt.datetime,
    origin: str,
    source_id: int | None,
) -> None:
    """A change the server made on someone's decision (a restore, an accepted amendment)
    is a revision of its own, so the history says where the text came from."""
    db.session.execute(
        db.insert(Revision).values(
            section_id=section_id,
            author_id=person_id,
            started_at=now,
            ended_at=now,
            text=text,
            origin=origin,
            source_id=source_id,
            first_seq=seq,
            last_seq=seq,
        )
    )


def open_rejected_edit(
    section_id: int, person_id: int, base_text: str, now: dt.datetime, window: dt.timedelta
) -> RejectedEdit | None:
    """The proposal a new refused edit continues: the same person's latest one on the
    same unchanged text, recent enough. Keystrokes typed before the browser learns of a
    lock depend on each other, so they are kept together as one proposal."""
    latest = db.session.execute(
        db.select(RejectedEdit)
        .where(
            RejectedEdit.section_id == section_id,
            RejectedEdit.person_id == person_id,
            RejectedEdit.settled_at.is_(None),
        )
        .order_by(RejectedEdit.updated_at.desc(), RejectedEdit.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if (
        latest is not None
        and latest.base_text == base_text
        and continues_burst(latest.updated_at, now, window)
    ):
        return latest
    return None


def keep_rejected_edit(
    section_id: int,
    person_id: int,
    base_text: str,
    proposed_text: str,
    reason: str,
    update: bytes,
    now: dt.datetime,
    continued: RejectedEdit | None,
) -> RejectedEdit:
    if continued is not None:
        continued.proposed_text = proposed_text
        continued.update = update
        continued.reason = reason
        continued.updated_at = now
        return continued
    edit = RejectedEdit(
        section_id=section_id,
        person_id=person_id,
        base_text=base_text,
        proposed_text=proposed_text,
        reason=reason,
        update=update,
        created_at=now,
        updated_at=now,
    )
    db.session.add(edit)
    return edit
