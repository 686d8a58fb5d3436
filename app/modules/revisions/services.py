"""Revision bookkeeping and rejected edits. Services take the acting person and never
read the request; the caller commits."""

from __future__ import annotations

import datetime as dt

from app.core.sync import continues_burst
from app.extensions import db
from app.modules.revisions.models import RejectedEdit, Revision


def record_typing(
    section_id: int,
    author_id: int,
    text: str,
    first_seq: int,
    last_seq: int,
    now: dt.datetime,
    window: dt.timedelta,
) -> None:
    """Extends the author's own latest revision of the section when it is recent, else
    opens a new one. Per author rather than per section: with eight people typing at
    once a per-section rule would cut the history into one revision per keystroke."""
    latest = db.session.execute(
        db.select(Revision.id, Revision.ended_at)
        .where(
            Revision.section_id == section_id,
            Revision.author_id == author_id,
            Revision.origin == "typed",
        )
        .order_by(Revision.ended_at.desc(), Revision.id.desc())
        .limit(1)
    ).first()
    if latest is not None and continues_burst(latest.ended_at, now, window):
        db.session.execute(
            db.update(Revision)
            .where(Revision.id == latest.id)
            .values(ended_at=now, text=text, last_seq=last_seq)
        )
        return
    db.session.execute(
        db.insert(Revision).values(
            section_id=section_id,
            author_id=author_id,
            started_at=now,
            ended_at=now,
            text=text,
            origin="typed",
            first_seq=first_seq,
            last_seq=last_seq,
        )
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
        .where(RejectedEdit.section_id == section_id, RejectedEdit.person_id == person_id)
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
