"""The dissent register: what was objected to, and by whom when that is known, section
by section, so that the final document shows the disagreement it went through.

Entries come from three places:
- open vote rounds: every objection ("contrario", "no"), and every reservation that
  came with a reason, with name and organisation;
- secret vote rounds: only the reasons objectors chose to give, without name;
- minority positions a facilitator records, from a comment or written down directly.
Votes are read only from rounds whose results are visible, so the register never
reveals a result that the round still hides. Vote entries follow the votes: a person
who changes their vote before the round closes changes the register too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from flask_babel import gettext as _

from app.core.permissions import Capability, DocumentStatus, can
from app.core.tally import is_objection
from app.extensions import db
from app.modules.audit.services import record
from app.modules.comments.models import Comment
from app.modules.dissent.models import MinorityPosition
from app.modules.documents.models import Document, Section
from app.modules.people.models import Membership, Person
from app.modules.votes import services as votes
from app.modules.votes.models import VoteRound

TEXT_MAX = 5000
ORGANISATION_MAX = 300
RESERVATION = "riserve"


class DissentError(Exception):
    """A request about the register that cannot be carried out; the message is for people."""


class Kind(StrEnum):
    OBJECTION = "objection"
    RESERVATION = "reservation"
    SECRET = "secret"
    MINORITY = "minority"


@dataclass(frozen=True)
class Entry:
    kind: Kind
    text: str
    name: str = ""
    organisation: str = ""
    question: str = ""  # the vote it came from
    at: dt.datetime | None = None


@dataclass
class SectionDissent:
    section: Section
    entries: list[Entry] = field(default_factory=list)


def mark_comment(actor: Person, comment: Comment) -> MinorityPosition:
    if comment.is_hidden:
        raise DissentError(_("Il commento è nascosto: non può entrare nel registro."))
    already = db.session.execute(
        db.select(MinorityPosition.id).where(MinorityPosition.comment_id == comment.id)
    ).first()
    if already is not None:
        raise DissentError(_("Questo commento è già nel registro del dissenso."))
    position = MinorityPosition(
        section_id=comment.section_id,
        comment_id=comment.id,
        organisation=_organisation(comment),
        text=comment.body,
        marked_by_id=actor.id,
    )
    return _recorded(actor, position, comment.section)


def add_position(
    actor: Person, membership: Membership, section: Section, organisation: str, text: str
) -> MinorityPosition:
    """A facilitator writes down anyone's position, in the name they give; a
    participant files their own, in the name of the organisation they represent at this
    table, and only while the text can still change: a published document's register
    is the one handed over with it."""
    if not can(membership.role, Capability.MANAGE):
        if section.document.status is DocumentStatus.PUBLISHED:
            raise DissentError(
                _("Il documento è pubblicato: il suo registro del dissenso è chiuso.")
            )
        organisation = membership.organisation or actor.name
    organisation, text = organisation.strip(), text.strip()
    if not text:
        raise DissentError(_("Scrivi la posizione di minoranza da registrare."))
    if len(text) > TEXT_MAX:
        raise DissentError(_("Il testo supera i %(n)d caratteri.", n=TEXT_MAX))
    if len(organisation) > ORGANISATION_MAX:
        raise DissentError(
            _("Il nome dell'organizzazione supera i %(n)d caratteri.", n=ORGANISATION_MAX)
        )
    position = MinorityPosition(
        section_id=section.id, organisation=organisation, text=text, marked_by_id=actor.id
    )
    return _recorded(actor, position, section)


def _recorded(actor: Person, position: MinorityPosition, section: Section) -> MinorityPosition:
    db.session.add(position)
    db.session.flush()
    record(actor.id, "dissent.recorded", position, section.document.workshop_id)
    return position


def _organisation(comment: Comment) -> str:
    if comment.author_id is None:
        return ""
    return (
        db.session.scalar(
            db.select(Membership.organisation).where(
                Membership.person_id == comment.author_id,
                Membership.workshop_id == comment.section.document.workshop_id,
            )
        )
        or ""
    )


def is_marked(comment: Comment) -> bool:
    return (
        db.session.execute(
            db.select(MinorityPosition.id).where(MinorityPosition.comment_id == comment.id)
        ).first()
        is not None
    )


def register(document: Document, now: dt.datetime) -> list[SectionDissent]:
    """Every section of the document, in order, with its entries (possibly none)."""
    by_section = {s.id: SectionDissent(s) for s in document.sections}
    rounds = db.session.scalars(
        db.select(VoteRound).where(VoteRound.document_id == document.id).order_by(VoteRound.id)
    )
    for vote_round in rounds:
        if vote_round.section_id in by_section and vote_round.shows_results(now):
            by_section[vote_round.section_id].entries.extend(_vote_entries(vote_round))
    positions = db.session.scalars(
        db.select(MinorityPosition)
        .join(Section)
        .where(Section.document_id == document.id)
        .order_by(MinorityPosition.created_at, MinorityPosition.id)
    )
    for position in positions:
        by_section[position.section_id].entries.append(
            Entry(
                Kind.MINORITY,
                position.text,
                organisation=position.organisation,
                at=position.created_at,
            )
        )
    return list(by_section.values())


def _vote_entries(vote_round: VoteRound) -> list[Entry]:
    if vote_round.secret:
        return [
            Entry(Kind.SECRET, reason, question=vote_round.question)
            for reason in votes.secret_reasons(vote_round)
        ]
    entries = []
    for ballot, _category in votes.open_ballots(vote_round):
        objection = is_objection(vote_round.scale, ballot.choice)
        if not objection and not (ballot.choice == RESERVATION and ballot.reason):
            continue
        entries.append(
            Entry(
                Kind.OBJECTION if objection else Kind.RESERVATION,
                ballot.reason,
                name=ballot.person.name,
                organisation=_membership_organisation(vote_round, ballot.person_id),
                question=vote_round.question,
                at=ballot.updated_at,
            )
        )
    return entries


def _membership_organisation(vote_round: VoteRound, person_id: int) -> str:
    return (
        db.session.scalar(
            db.select(Membership.organisation).where(
                Membership.person_id == person_id,
                Membership.workshop_id == vote_round.document.workshop_id,
            )
        )
        or ""
    )
