"""The commitments register: commitments recorded or proposed at the table, agreed by a
facilitator, followed up afterwards by their institution through its own link, read
as a page, a CSV file, an annex of the export and on the published page.

Every change of status leaves a line in the commitment's history (who, when, from what
to what, with a note) and in the workshop's audit log."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.anchoring import Anchor, anchor_at, locate
from app.core.commitments import Actor, Draft, Status, note_problem, problems, refusal
from app.core.invitations import Message
from app.core.permissions import Capability, DocumentStatus, Role, can
from app.core.tally import Scale
from app.core.tokens import hash_token, new_token
from app.extensions import db
from app.modules.audit.services import record, safe_cell
from app.modules.commitments.models import Commitment, CommitmentChange
from app.modules.documents.models import Document, Section
from app.modules.people.models import Membership, Person
from app.modules.port import current_text
from app.modules.timeutil import utcnow
from app.modules.votes import services as votes
from app.modules.votes.models import Visibility, VoteRound
from app.modules.workshops.models import Workshop
from app.web.labels import COMMITMENT_STATUS_LABELS as STATUS_LABELS
from app.web.labels import vote_choice_label as choice_label

QUOTE_MAX = 2000
# Where an institution's link leads: the page that shows its commitment and its form.
LINK_PATH = "/impegno/"


class CommitmentError(Exception):
    """A request about commitments that cannot be carried out; the message is for people."""


class NotAllowed(CommitmentError):
    """The person's role does not let them do this."""


def _text(message: Message) -> str:
    return _(message.template, **message.params)


@dataclass(frozen=True)
class Clause:
    """The clause a commitment comes from, as the form names it: a section and,
    optionally, a passage of its text copied as it reads."""

    section: Section
    quote: str = ""


def record_commitment(
    actor: Person,
    membership: Membership,
    draft: Draft,
    clause: Clause | None,
    today: dt.date,
) -> Commitment:
    """A facilitator records what an institution said, a participant proposes one on its
    behalf: either way it starts as a proposal, which the room agrees afterwards."""
    if not can(membership.role, Capability.PROPOSE):
        raise NotAllowed(_("Il tuo ruolo permette di leggere gli impegni, non di proporne."))
    found = problems(draft, today)
    if found:
        raise CommitmentError(" ".join(_text(problem) for problem in found))
    draft = draft.cleaned()
    commitment = Commitment(
        workshop_id=membership.workshop_id,
        institution=draft.institution,
        action=draft.action,
        responsible=draft.responsible,
        due_on=draft.due_on,
        indicator=draft.indicator,
        status=Status.PROPOSED,
        created_by_id=actor.id,
        **_clause_fields(membership.workshop_id, clause),
    )
    commitment.changes.append(
        CommitmentChange(actor_id=actor.id, from_status=None, to_status=Status.PROPOSED)
    )
    db.session.add(commitment)
    db.session.flush()
    facilitator = membership.role is Role.FACILITATOR
    record(
        actor.id,
        "commitment.recorded" if facilitator else "commitment.proposed",
        commitment,
        commitment.workshop_id,
        institution=commitment.institution,
        section_id=commitment.section_id,
    )
    return commitment


# The fields a facilitator corrects, in the order of the form.
EDITABLE = ("institution", "action", "responsible", "due_on", "indicator")


def update_commitment(
    actor: Person, membership: Membership, commitment: Commitment, draft: Draft, today: dt.date
) -> list[str]:
    """A facilitator corrects what was written down (a name misspelt in the room, a new
    responsible person months later); the audit log keeps what it said before. Returns
    the names of the fields that changed."""
    if membership.role is not Role.FACILITATOR:
        raise NotAllowed(_("Solo un facilitatore può correggere un impegno."))
    found = problems(draft, today, recorded_due=commitment.due_on)
    if found:
        raise CommitmentError(" ".join(_text(problem) for problem in found))
    draft = draft.cleaned()
    changed = [name for name in EDITABLE if getattr(draft, name) != getattr(commitment, name)]
    if not changed:
        return []
    before = {name: _shown(getattr(commitment, name)) for name in changed}
    for name in changed:
        setattr(commitment, name, getattr(draft, name))
    commitment.updated_at = utcnow()
    record(
        actor.id,
        "commitment.updated",
        commitment,
        commitment.workshop_id,
        before=before,
        after={name: _shown(getattr(commitment, name)) for name in changed},
    )
    return changed


def _shown(value: object) -> str:
    """Dates as ISO text: the audit log's details are JSON."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _clause_fields(workshop_id: int, clause: Clause | None) -> dict[str, object]:
    """The passage is looked for in the section's text as it is now, last keystrokes
    included, and anchored there; one that is not in the text is refused rather than
    kept, since it would point at words the document does not contain."""
    if clause is None:
        return {}
    section = clause.section
    if section.document.workshop_id != workshop_id:
        raise CommitmentError(_("Scegli una sezione di un documento di questo tavolo."))
    quote = clause.quote.strip()
    if not quote:
        return {"section_id": section.id}
    if len(quote) > QUOTE_MAX:
        raise CommitmentError(
            _("Il passaggio supera i %(n)d caratteri: scegline uno più breve.", n=QUOTE_MAX)
        )
    body = current_text(section.id)
    found = locate(Anchor(quote=quote, prefix="", suffix="", start=0), body)
    if found is None:
        raise CommitmentError(
            _(
                "Il passaggio non si trova nel testo della sezione «%(title)s»: copialo come è "
                "scritto, o lascia vuoto il campo.",
                title=section.title,
            )
        )
    anchor = anchor_at(body, *found)
    return {
        "section_id": section.id,
        "anchor_quote": anchor.quote,
        "anchor_prefix": anchor.prefix,
        "anchor_suffix": anchor.suffix,
        "anchor_start": anchor.start,
    }


def _actor_of(role: Role) -> Actor:
    return Actor.FACILITATOR if role is Role.FACILITATOR else Actor.PARTICIPANT


def change_status(
    actor: Person, membership: Membership, commitment: Commitment, target: Status, note: str
) -> CommitmentChange:
    """Agreeing a proposal, and any later change made at the table, is a facilitator's."""
    if not can(membership.role, Capability.PROPOSE):
        raise NotAllowed(_("Il tuo ruolo permette di leggere gli impegni, non di cambiarli."))
    reason = refusal(commitment.status, target, _actor_of(membership.role))
    if reason is not None:
        error = NotAllowed if membership.role is not Role.FACILITATOR else CommitmentError
        raise error(_text(reason))
    if target is Status.AGREED and commitment.vote_round is not None:
        note = _with_outcome(commitment.vote_round, note)
    return _apply(commitment, target, note, actor_id=actor.id, via_link=False)


def put_to_vote(actor: Person, commitment: Commitment, now: dt.datetime) -> VoteRound:
    """The table may agree a commitment by a vote on the clause it comes from, held
    like any other; the facilitator then records it as agreed, and its history keeps the
    outcome."""
    if commitment.status is not Status.PROPOSED:
        raise CommitmentError(_("Si mette ai voti un impegno ancora proposto."))
    if commitment.section is None:
        raise CommitmentError(
            _("Collega l'impegno a una sezione del documento per metterlo ai voti.")
        )
    if commitment.vote_round is not None and commitment.vote_round.is_open(now):
        raise CommitmentError(_("Sull'impegno c'è già una votazione aperta."))
    section = commitment.section
    question = _(
        "Il tavolo concorda l'impegno di %(institution)s: %(action)s?",
        institution=commitment.institution,
        action=commitment.action,
    )
    if len(question) > votes.QUESTION_MAX:
        question = question[: votes.QUESTION_MAX - 2].rstrip() + "…?"
    settings = votes.RoundSettings(
        question=question, scale=Scale.CONSENT, results_visible=Visibility.LIVE
    )
    try:
        vote_round = votes.open_round(actor, section.document, section, None, settings, now)
    except votes.VoteError as error:
        raise CommitmentError(str(error)) from error
    commitment.vote_round = vote_round
    return vote_round


def register_version(workshop: Workshop, now: dt.datetime) -> str:
    """Changes whenever the register would: a commitment added, corrected, changing
    status or being voted on."""
    parts = []
    for c in db.session.scalars(
        db.select(Commitment).where(Commitment.workshop_id == workshop.id).order_by(Commitment.id)
    ):
        parts.append(f"{c.id}:{c.status.value}:{c.updated_at.isoformat()}:{c.vote_round_id}")
        if c.vote_round is not None and c.vote_round.is_open(now):
            parts.append(f"v{c.vote_round_id}:{votes.voters_so_far(c.vote_round)}")
    return hashlib.blake2b("|".join(parts).encode(), digest_size=10).hexdigest()


def _with_outcome(vote_round: VoteRound, note: str) -> str:
    """The vote's counts, written into the history of the agreement they led to."""
    now = utcnow()
    if vote_round.is_open(now):
        raise CommitmentError(
            _("La votazione sull'impegno è ancora aperta: chiudila prima di registrarlo.")
        )
    result = votes.result(vote_round, now)
    if result is None:
        return note
    counts = ", ".join(f"{choice_label(choice)} {count}" for choice, count in result.counts.items())
    outcome = _("Esito della votazione: %(counts)s.", counts=counts)
    return f"{outcome} {note.strip()}".strip()


def update_through_link(commitment: Commitment, target: Status, note: str) -> CommitmentChange:
    """The institution's own follow-up: its link names no person, so the history says
    the change came through the link."""
    reason = refusal(commitment.status, target, Actor.INSTITUTION)
    if reason is not None:
        raise CommitmentError(_text(reason))
    return _apply(commitment, target, note, actor_id=None, via_link=True)


def _apply(
    commitment: Commitment, target: Status, note: str, *, actor_id: int | None, via_link: bool
) -> CommitmentChange:
    problem = note_problem(note)
    if problem is not None:
        raise CommitmentError(_text(problem))
    now = utcnow()
    change = CommitmentChange(
        actor_id=actor_id,
        via_link=via_link,
        from_status=commitment.status,
        to_status=target,
        note=note.strip(),
        at=now,
    )
    commitment.changes.append(change)
    before = commitment.status
    commitment.status, commitment.updated_at = target, now
    db.session.flush()
    record(
        actor_id,
        "commitment.status_changed",
        commitment,
        commitment.workshop_id,
        before=before.value,
        after=target.value,
        note=change.note or None,
        via="institution_link" if via_link else None,
    )
    return change


def link_url(token: str) -> str:
    """Built on BASE_URL, like the personal links: it is sent to an institution that
    opens it from its own office, months later."""
    return current_app.config["BASE_URL"] + LINK_PATH + token


def issue_link(actor: Person, commitment: Commitment) -> str:
    """A new link for the institution; the previous one stops working at once. Only the
    hash is kept, so the link is shown this once."""
    token = new_token()
    renewed = commitment.token_hash is not None
    commitment.token_hash, commitment.token_issued_at = hash_token(token), utcnow()
    record(
        actor.id,
        "commitment.link_renewed" if renewed else "commitment.link_issued",
        commitment,
        commitment.workshop_id,
        institution=commitment.institution,
    )
    return link_url(token)


def revoke_link(actor: Person, commitment: Commitment) -> None:
    if commitment.token_hash is None:
        raise CommitmentError(_("Questo impegno non ha un link attivo."))
    commitment.token_hash, commitment.token_issued_at = None, None
    record(
        actor.id,
        "commitment.link_revoked",
        commitment,
        commitment.workshop_id,
        institution=commitment.institution,
    )


def commitment_for_token(token: str) -> Commitment | None:
    if not token or len(token) > 100:
        return None
    return db.session.execute(
        db.select(Commitment).where(Commitment.token_hash == hash_token(token))
    ).scalar_one_or_none()


@dataclass
class Entry:
    """A commitment as the register shows it, with its clause as it reads now."""

    commitment: Commitment
    # The passage as the text reads now, or as it read when recorded if it is gone.
    passage: str = ""
    orphaned: bool = False


def _entry(commitment: Commitment, texts: dict[int, str]) -> Entry:
    entry = Entry(commitment)
    anchor = commitment.anchor
    if anchor is None or commitment.section_id is None:
        return entry
    if commitment.section_id not in texts:
        texts[commitment.section_id] = current_text(commitment.section_id)
    body = texts[commitment.section_id]
    span = locate(anchor, body)
    entry.passage = body[span[0] : span[1]] if span else anchor.quote
    entry.orphaned = span is None
    return entry


def clause_is_public(commitment: Commitment) -> bool:
    return (
        commitment.section is not None
        and commitment.section.document.status is DocumentStatus.PUBLISHED
    )


def for_institution(commitment: Commitment) -> Entry:
    """Whoever holds the link may be outside the room: until the document is published
    the clause's words are a draft, which only the workshop reads."""
    if not clause_is_public(commitment):
        return Entry(commitment)
    return _entry(commitment, {})


def register(workshop: Workshop) -> list[Entry]:
    """Oldest first: the order in which they were taken at the table."""
    commitments = db.session.scalars(
        db.select(Commitment)
        .where(Commitment.workshop_id == workshop.id)
        .order_by(Commitment.created_at, Commitment.id)
    ).all()
    texts: dict[int, str] = {}
    return [_entry(c, texts) for c in commitments]


def of_document(document: Document) -> list[Entry]:
    """What the document hands over: the workshop's commitments agreed in the room (a
    proposal nobody agreed is not one), those from this document's clauses or from
    none, with their status as it is now."""
    # Ids only: the public page asks at every reader, and the texts stay unread.
    section_ids = set(
        db.session.scalars(db.select(Section.id).where(Section.document_id == document.id))
    )
    return [
        entry
        for entry in register(document.workshop)
        if entry.commitment.status is not Status.PROPOSED
        and (entry.commitment.section_id is None or entry.commitment.section_id in section_ids)
    ]


def _who(change: CommitmentChange) -> str:
    if change.via_link:
        return str(_l("l'ente, con il suo link"))
    return change.actor.name if change.actor is not None else str(_l("sistema"))


def history_line(change: CommitmentChange) -> str:
    """One step of the history in words, as the CSV and the page give it."""
    status = str(STATUS_LABELS[change.to_status])
    text = (
        _("%(status)s (%(who)s)", status=status, who=_who(change))
        if change.from_status is not None
        else _("Registrato come %(status)s (%(who)s)", status=status.lower(), who=_who(change))
    )
    return f"{text}: {change.note}" if change.note else text


def csv_chunks(
    entries: Iterable[Entry], format_moment: Callable[[dt.datetime], str]
) -> Iterator[str]:
    """UTF-8 with a byte-order mark and `;` between cells, cells a spreadsheet would
    run as formulas neutralised: the same file rules as the audit log's."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("Numero"),
            _("Ente"),
            _("Azione"),
            _("Responsabile"),
            _("Scadenza"),
            _("Indicatore"),
            _("Stato"),
            _("Sezione"),
            _("Passaggio"),
            _("Ultimo aggiornamento"),
            _("Storia"),
        ]
    )
    yield "\ufeff" + buffer.getvalue()
    for entry in entries:
        buffer.seek(0)
        buffer.truncate()
        commitment = entry.commitment
        cells = [
            str(commitment.id),
            commitment.institution,
            commitment.action,
            commitment.responsible,
            commitment.due_on.strftime("%d/%m/%Y") if commitment.due_on else "",
            commitment.indicator,
            str(STATUS_LABELS[commitment.status]),
            commitment.section.title if commitment.section is not None else "",
            entry.passage,
            format_moment(commitment.updated_at),
            " | ".join(
                f"{format_moment(change.at)} {history_line(change)}"
                for change in commitment.changes
            ),
        ]
        writer.writerow([safe_cell(cell) for cell in cells])
        yield buffer.getvalue()
