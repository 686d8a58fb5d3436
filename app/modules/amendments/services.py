"""Amendments: proposed by participants, supported or opposed by the others, accepted
(merged into the live text) or rejected with a reason by a facilitator.

An accepted amendment reaches the section through `write_text`, like a restore: the
change is stored in the update log, recorded as a revision that names the amendment,
and sent to every open editor. A merge that does not apply cleanly applies nothing and
is handed back to the facilitator as a Conflict (see app/core/merge.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _

from app.core import merge as merging
from app.core.diff import Chunk, Op, word_diff
from app.core.permissions import DocumentStatus, SectionState
from app.extensions import db
from app.modules.amendments.models import Amendment, AmendmentStatus, AmendmentSupport, Stance
from app.modules.audit.services import record
from app.modules.documents.models import Section
from app.modules.people.models import Person
from app.modules.port import SectionTooLong, open_text, write_text
from app.modules.revisions.models import RejectedEdit, Revision
from app.modules.timeutil import utcnow

TEXT_MAX = 100_000
RATIONALE_MAX = 5000
REASON_MAX = 1000
# Unchanged text kept on each side of a change when an amendment is shown compactly.
CONTEXT_CHARS = 80


class AmendmentError(Exception):
    """A request about amendments that cannot be carried out; the message is for people."""


class NotAllowed(AmendmentError):
    """The person may not do this to this amendment (not its author, say)."""


class Conflict(AmendmentError):
    """Part of the amendment no longer fits the live text: nothing was applied. `shown`
    is the live text the merge was tried on, so the facilitator's resolution can be
    merged in turn with whatever is typed while they resolve."""

    def __init__(self, result: merging.Merge, shown: str) -> None:
        super().__init__(
            _(
                "Una parte dell'emendamento non corrisponde più al testo attuale: "
                "nessuna modifica è stata applicata."
            )
        )
        self.result = result
        self.shown = shown


@dataclass(frozen=True)
class Passage:
    """A passage as the editor saw it: code-point offsets into its text and the quote."""

    start: int
    end: int
    quote: str


def locate_passage(text: str, passage: Passage) -> Passage | None:
    """The passage in `text`: where the editor said, or the occurrence of the quote
    nearest to it (the text may have changed between the selection and the form)."""
    if not passage.quote:
        return None
    if _fits(text, passage) and text[passage.start : passage.end] == passage.quote:
        return passage
    starts = _occurrences(text, passage.quote)
    if not starts:
        return None
    start = min(starts, key=lambda i: abs(i - passage.start))
    return Passage(start, start + len(passage.quote), passage.quote)


def _fits(text: str, passage: Passage) -> bool:
    return bool(passage.quote) and 0 <= passage.start < passage.end <= len(text)


def _occurrences(text: str, quote: str) -> list[int]:
    found, at = [], text.find(quote)
    while at != -1:
        found.append(at)
        at = text.find(quote, at + 1)
    return found


def propose(
    actor: Person,
    section: Section,
    base_text: str,
    replacement: str,
    rationale: str,
    passage: Passage | None = None,
) -> Amendment:
    """`replacement` is the new text of the passage, or of the whole section when there
    is no passage. An empty replacement of a passage proposes to delete it."""
    _require_writable(section)
    base_text, replacement = _lf(base_text), _lf(replacement)
    if passage is not None:
        passage = Passage(passage.start, passage.end, _lf(passage.quote))
    if len(base_text) > TEXT_MAX or len(replacement) > TEXT_MAX:
        raise AmendmentError(_("Il testo supera i %(n)d caratteri.", n=TEXT_MAX))
    rationale = rationale.strip()
    if len(rationale) > RATIONALE_MAX:
        raise AmendmentError(_("La motivazione supera i %(n)d caratteri.", n=RATIONALE_MAX))
    if passage is None:
        if not replacement.strip():
            raise AmendmentError(
                _("Il testo proposto è vuoto: scrivi il nuovo testo della sezione.")
            )
        proposed = replacement
    else:
        if not _fits(base_text, passage) or base_text[passage.start : passage.end] != passage.quote:
            raise AmendmentError(
                _("Il passaggio scelto non si trova più nel testo: selezionalo di nuovo.")
            )
        proposed = merging.proposal(base_text, passage.start, passage.end, replacement)
    if proposed == base_text:
        raise AmendmentError(_("Il testo proposto è uguale a quello attuale: cambia qualcosa."))
    amendment = Amendment(
        section=section,
        author=actor,
        base_text=base_text,
        proposed_text=proposed,
        passage_start=passage.start if passage else None,
        passage_end=passage.end if passage else None,
        passage_quote=passage.quote if passage else None,
        rationale=rationale,
    )
    db.session.add(amendment)
    db.session.flush()
    record(actor.id, "amendment.proposed", amendment, section.document.workshop_id)
    return amendment


def take_stance(
    actor: Person, amendment: Amendment, stance: Stance, reason: str = ""
) -> AmendmentSupport:
    _require_pending(amendment)
    if amendment.author_id == actor.id:
        raise NotAllowed(_("È il tuo emendamento: lo sostengono o lo contrastano gli altri."))
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise AmendmentError(_("La motivazione supera i %(n)d caratteri.", n=REASON_MAX))
    existing = next((s for s in amendment.stances if s.person_id == actor.id), None)
    if existing is None:
        existing = AmendmentSupport(amendment=amendment, person=actor, stance=stance)
        db.session.add(existing)
    existing.stance, existing.reason, existing.updated_at = stance, reason, utcnow()
    db.session.flush()
    return existing


def withdraw(actor: Person, amendment: Amendment) -> None:
    """Only before anyone has supported it: after that it belongs to its supporters too,
    and a facilitator rejects it instead (as Decidim does)."""
    _require_pending(amendment)
    if amendment.author_id != actor.id:
        raise NotAllowed(_("Solo chi l'ha proposto può ritirare l'emendamento."))
    if amendment.count(Stance.SUPPORT):
        raise AmendmentError(
            _("Altre persone sostengono già l'emendamento: chiedi ai facilitatori di respingerlo.")
        )
    amendment.status = AmendmentStatus.WITHDRAWN
    amendment.decided_by, amendment.decided_at = actor, utcnow()
    record(actor.id, "amendment.withdrawn", amendment, amendment.section.document.workshop_id)


def accept(actor: Person, amendment: Amendment) -> merging.Merge:
    """Merges the amendment into the live text, or raises Conflict with nothing applied."""
    _require_decidable(amendment)
    result = _merge_and_write(actor, amendment, amendment.base_text, amendment.proposed_text)
    _recorded(actor, amendment, result.outcome.value)
    return result


def resolve(actor: Person, amendment: Amendment, shown: str, text: str) -> merging.Merge:
    """The facilitator's own text for a conflicting amendment, written on `shown` (the
    live text of the conflict page): merged like an amendment, so that what people typed
    while the facilitator was resolving is kept."""
    _require_decidable(amendment)
    shown, text = _lf(shown), _lf(text)
    if len(text) > TEXT_MAX or len(shown) > TEXT_MAX:
        raise AmendmentError(_("Il testo supera i %(n)d caratteri.", n=TEXT_MAX))
    result = _merge_and_write(actor, amendment, shown, text)
    _recorded(actor, amendment, "resolved")
    return result


def reject(actor: Person, amendment: Amendment, reason: str) -> None:
    _require_pending(amendment)
    reason = reason.strip()
    if not reason:
        raise AmendmentError(_("Scrivi il motivo per cui l'emendamento è respinto."))
    if len(reason) > REASON_MAX:
        raise AmendmentError(_("Il motivo supera i %(n)d caratteri.", n=REASON_MAX))
    _decide(actor, amendment, AmendmentStatus.REJECTED, reason)
    record(actor.id, "amendment.rejected", amendment, amendment.section.document.workshop_id)


def _merge_and_write(
    actor: Person, amendment: Amendment, base: str, proposed: str
) -> merging.Merge:
    """Merges under the section's lock, against the text as it is at that instant, so
    that a keystroke stored a moment before the acceptance is kept, not undone."""
    results: list[merging.Merge] = []

    def merged(current: str) -> str:
        result = merging.merge(base, proposed, current)
        if not result.applied:
            raise Conflict(result, current)
        results.append(result)
        return result.text

    # Opened before deciding: opening commits, and would commit the decision of a merge
    # that is then refused.
    open_text(amendment.section_id)
    # Decided first: write_text commits, and the decision must commit with the text.
    _decide(actor, amendment, AmendmentStatus.ACCEPTED, None)
    try:
        written = write_text(actor, amendment.section, merged, "amendment", amendment.id)
    except Conflict:
        db.session.rollback()
        raise
    except SectionTooLong as error:
        db.session.rollback()
        raise AmendmentError(str(error)) from error
    if written:
        amendment.revision_id = db.session.scalar(
            db.select(Revision.id)
            .where(Revision.origin == "amendment", Revision.source_id == amendment.id)
            .order_by(Revision.id.desc())
            .limit(1)
        )
    return results[0]


def _recorded(actor: Person, amendment: Amendment, merge: str) -> None:
    record(
        actor.id,
        "amendment.accepted",
        amendment,
        amendment.section.document.workshop_id,
        merge=merge,
    )


def _decide(
    actor: Person, amendment: Amendment, status: AmendmentStatus, reason: str | None
) -> None:
    amendment.status = status
    amendment.decided_by, amendment.decided_at = actor, utcnow()
    amendment.decision_reason = reason


def _lf(text: str) -> str:
    """Browsers send line breaks of form fields as CRLF; the editor and the stored text
    use LF, and a merge must compare like with like."""
    return text.replace("\r\n", "\n")


def late_edits(section: Section, viewer: Person, manages: bool) -> list[RejectedEdit]:
    """The text typed into the section after it was locked, still waiting: for its
    facilitators all of it, for anyone else their own."""
    query = db.select(RejectedEdit).where(
        RejectedEdit.section_id == section.id, RejectedEdit.settled_at.is_(None)
    )
    if not manages:
        query = query.where(RejectedEdit.person_id == viewer.id)
    return list(db.session.scalars(query.order_by(RejectedEdit.created_at, RejectedEdit.id)))


def late_suggestion(edit: RejectedEdit) -> Suggestion:
    """What the late text would change, on the text it was typed on."""
    return Suggestion(_trimmed(word_diff(edit.base_text, edit.proposed_text)), False)


def promote_late_edit(actor: Person, edit: RejectedEdit, now: dt.datetime) -> Amendment:
    """A facilitator brings text typed after the lock into the room's deliberation: an
    amendment in its author's name, decided like any other (accepted on the locked
    section too). The text it was typed on is its base, so the merge keeps whatever
    changed in the section since."""
    if edit.settled_at is not None:
        raise AmendmentError(_("Questo testo è già stato esaminato."))
    section = db.session.get(Section, edit.section_id)
    assert section is not None
    if section.document.status is not DocumentStatus.DRAFT:
        raise AmendmentError(
            _("Il documento non è più in bozza: non si possono proporre emendamenti.")
        )
    if edit.proposed_text == edit.base_text:
        raise AmendmentError(_("Il testo arrivato non cambia nulla della sezione."))
    amendment = Amendment(
        section=section,
        author_id=edit.person_id,
        base_text=edit.base_text,
        proposed_text=edit.proposed_text,
        rationale=_("Scritto mentre la sezione veniva bloccata."),
    )
    db.session.add(amendment)
    db.session.flush()
    edit.settled_at, edit.amendment_id = now, amendment.id
    record(actor.id, "amendment.proposed", amendment, section.document.workshop_id, late=True)
    return amendment


def set_aside_late_edit(actor: Person, edit: RejectedEdit, manages: bool, now: dt.datetime) -> None:
    """Its author, or a facilitator, says the late text needs no decision."""
    if not manages and edit.person_id != actor.id:
        raise AmendmentError(_("Puoi mettere da parte solo il testo che hai scritto tu."))
    if edit.settled_at is not None:
        raise AmendmentError(_("Questo testo è già stato esaminato."))
    edit.settled_at = now


def _require_writable(section: Section) -> None:
    if section.document.status is not DocumentStatus.DRAFT:
        raise AmendmentError(
            _("Il documento non è più in bozza: non si possono proporre emendamenti.")
        )
    if section.state is not SectionState.OPEN:
        raise AmendmentError(
            _("La sezione è bloccata o approvata: non si possono proporre emendamenti.")
        )


def _require_pending(amendment: Amendment) -> None:
    if not amendment.is_pending:
        raise AmendmentError(_("L'emendamento è già stato deciso o ritirato."))


def _require_decidable(amendment: Amendment) -> None:
    """A facilitator may accept on a locked section (locking to consolidate the
    amendments is the usual way), but not change an approved section or a document
    that is no longer a draft."""
    _require_pending(amendment)
    section = amendment.section
    if section.document.status is not DocumentStatus.DRAFT:
        raise AmendmentError(_("Il documento non è più in bozza: il testo non si può cambiare."))
    if section.state is SectionState.APPROVED:
        raise AmendmentError(_("La sezione è approvata: riaprila per accogliere l'emendamento."))


# Reading


@dataclass(frozen=True)
class Suggestion:
    """An amendment as insertions and deletions: against the live text when it still
    fits there, else against the text it was written on."""

    chunks: list[Chunk]
    fits: bool


def suggestion(amendment: Amendment, current: str) -> Suggestion:
    if amendment.is_pending:
        result = merging.merge(amendment.base_text, amendment.proposed_text, current)
        if result.applied:
            return Suggestion(_trimmed(word_diff(current, result.text)), True)
    return Suggestion(_trimmed(word_diff(amendment.base_text, amendment.proposed_text)), False)


def _trimmed(chunks: list[Chunk]) -> list[Chunk]:
    """Long unchanged stretches shortened to their ends, so a one-word amendment of a
    long section reads as that word in its sentence."""
    out = []
    for i, chunk in enumerate(chunks):
        text = chunk.text
        if chunk.op is Op.EQUAL and len(text) > 2 * CONTEXT_CHARS:
            head = text[:CONTEXT_CHARS] if i > 0 else ""
            tail = text[-CONTEXT_CHARS:] if i < len(chunks) - 1 else ""
            text = f"{head}…{tail}"
        out.append(Chunk(chunk.op, text))
    return out


def section_amendments(section: Section) -> list[Amendment]:
    """Pending first, oldest first (the order they were proposed in), then the decided
    ones, most recent first."""
    amendments = db.session.scalars(
        db.select(Amendment).where(Amendment.section_id == section.id)
    ).all()
    pending = sorted((a for a in amendments if a.is_pending), key=lambda a: a.id)
    decided = sorted(
        (a for a in amendments if not a.is_pending),
        key=lambda a: (a.decided_at or a.created_at, a.id),
        reverse=True,
    )
    return pending + decided


def pending_count(section: Section) -> int:
    return (
        db.session.scalar(
            db.select(db.func.count(Amendment.id)).where(
                Amendment.section_id == section.id, Amendment.status == AmendmentStatus.PENDING
            )
        )
        or 0
    )
