"""Vote rounds: opened and closed by a facilitator, cast by participants and
facilitators, counted by app/core/tally.py. See models.py for what a secret round keeps
(and why it cannot be changed once cast).

Times are passed in (`now`) rather than read here, so that "the closing time has
passed" means the same thing to every check of one request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app.core.attendance import majority
from app.core.permissions import Capability, DocumentStatus, Role, can
from app.core.tally import CHOICES, Count, Result, Scale, is_choice, is_objection, needs_reason
from app.core.tally import tally as count_votes
from app.extensions import db
from app.modules.amendments.models import Amendment
from app.modules.attendance.services import day_of, present_on
from app.modules.audit.services import record
from app.modules.documents.models import Document, Section
from app.modules.people.models import Membership, Person
from app.modules.votes.models import (
    Ballot,
    SecretReason,
    Visibility,
    VoteParticipation,
    VoteRound,
    VoteTally,
)

QUESTION_MAX = 500
REASON_MAX = 2000
QUORUM_MAX = 10_000
VOTERS = (Role.PARTICIPANT, Role.FACILITATOR)


class VoteError(Exception):
    """A request about votes that cannot be carried out; the message is for people."""


@dataclass(frozen=True)
class RoundSettings:
    question: str
    scale: Scale
    secret: bool = False
    closes_at: dt.datetime | None = None
    quorum: int | None = None
    results_visible: Visibility = Visibility.AFTER_CLOSE
    reason_required_for_objection: bool = False
    on_present: bool = False


def open_round(
    actor: Person,
    document: Document,
    section: Section,
    amendment: Amendment | None,
    settings: RoundSettings,
    now: dt.datetime,
) -> VoteRound:
    if document.status is DocumentStatus.PUBLISHED:
        raise VoteError(_("Il documento è pubblicato: non si aprono più votazioni."))
    if section.document_id != document.id:
        raise VoteError(_("La sezione scelta non appartiene a questo documento."))
    if amendment is not None and amendment.section_id != section.id:
        raise VoteError(_("L'emendamento scelto non appartiene a questa sezione."))
    if amendment is not None and not amendment.is_pending:
        raise VoteError(_("L'emendamento è già stato deciso o ritirato: non si vota più."))
    question = settings.question.strip()
    if not question:
        raise VoteError(_("Scrivi la domanda su cui si vota."))
    if len(question) > QUESTION_MAX:
        raise VoteError(_("La domanda supera i %(n)d caratteri.", n=QUESTION_MAX))
    if settings.closes_at is not None and settings.closes_at <= now:
        raise VoteError(_("L'orario di chiusura è già passato: scegli un orario futuro."))
    if settings.secret and settings.results_visible is Visibility.LIVE:
        raise VoteError(
            _(
                "Nel voto segreto i risultati si vedono solo a votazione chiusa: in diretta "
                "si capirebbe come ha votato chi ha appena votato."
            )
        )
    if settings.quorum is not None and not 1 <= settings.quorum <= QUORUM_MAX:
        raise VoteError(_("Il quorum è un numero di persone, almeno 1."))
    quorum = settings.quorum
    if settings.on_present:
        present = _present_voters(document, now)
        if not present:
            raise VoteError(
                _(
                    "Nessun partecipante risulta presente oggi: segna le presenze prima di "
                    "contare la votazione sui presenti."
                )
            )
        quorum = quorum if quorum is not None else majority(len(present))
    vote_round = VoteRound(
        document=document,
        section=section,
        amendment=amendment,
        question=question,
        scale=settings.scale,
        secret=settings.secret,
        closes_at=settings.closes_at,
        quorum=quorum,
        results_visible=settings.results_visible,
        reason_required_for_objection=settings.reason_required_for_objection,
        on_present=settings.on_present,
        opened_by=actor,
        opened_at=now,
    )
    db.session.add(vote_round)
    db.session.flush()
    if vote_round.secret:
        _prepare_tallies(vote_round)
    record(actor.id, "vote.opened", vote_round, document.workshop_id, secret=settings.secret)
    return vote_round


def _prepare_tallies(vote_round: VoteRound) -> None:
    """Every count row exists from the start, so no row's position in the table tells
    which choice the first voters made."""
    categories = sorted({m.category for m in _voters(vote_round, None)})
    db.session.add_all(
        VoteTally(round_id=vote_round.id, choice=choice, category=category, count=0)
        for category in categories
        for choice in CHOICES[vote_round.scale]
    )


def cast(
    membership: Membership, vote_round: VoteRound, choice: str, reason: str, now: dt.datetime
) -> None:
    """`membership` is the voter's in the round's workshop. In a secret round a reason
    is kept only with an objection, without name (the form says so before voting)."""
    if not can(membership.role, Capability.VOTE):
        raise VoteError(_("Il tuo ruolo permette di seguire la votazione, non di votare."))
    if not vote_round.is_open(now):
        raise VoteError(_("La votazione è chiusa: il voto non è stato registrato."))
    if not is_choice(vote_round.scale, choice):
        raise VoteError(_("Scegli una delle risposte proposte."))
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise VoteError(_("La motivazione supera i %(n)d caratteri.", n=REASON_MAX))
    if needs_reason(vote_round.scale, choice, vote_round.reason_required_for_objection) and (
        not reason
    ):
        raise VoteError(_("Per un voto contrario questa votazione chiede una motivazione."))
    if vote_round.secret:
        _cast_secret(membership, vote_round, choice, reason)
    else:
        _cast_open(membership.person, vote_round, choice, reason, now)


def _cast_open(
    person: Person, vote_round: VoteRound, choice: str, reason: str, now: dt.datetime
) -> None:
    ballot = db.session.execute(
        db.select(Ballot).where(Ballot.round_id == vote_round.id, Ballot.person_id == person.id)
    ).scalar_one_or_none()
    if ballot is None:
        ballot = Ballot(round_id=vote_round.id, person=person)
        db.session.add(ballot)
    ballot.choice, ballot.reason, ballot.updated_at = choice, reason, now
    try:
        db.session.flush()
    except IntegrityError as error:  # the same person, twice at the same instant
        raise VoteError(
            _("Il tuo voto era appena stato registrato: se vuoi cambiarlo, vota di nuovo.")
        ) from error


def _cast_secret(membership: Membership, vote_round: VoteRound, choice: str, reason: str) -> None:
    if has_voted(vote_round, membership.person):
        raise VoteError(
            _("Hai già votato. Nel voto segreto il voto non si può cambiare: non si sa qual è.")
        )
    db.session.add(VoteParticipation(round_id=vote_round.id, person_id=membership.person_id))
    try:
        db.session.flush()
    except IntegrityError as error:  # the same person, twice at the same instant
        raise VoteError(_("Hai già votato: il voto non è stato registrato due volte.")) from error
    counted = db.session.execute(
        db.update(VoteTally)
        .where(
            VoteTally.round_id == vote_round.id,
            VoteTally.choice == choice,
            VoteTally.category == membership.category,
        )
        .values(count=VoteTally.count + 1)
    )
    if counted.rowcount == 0:
        # A category that joined the workshop after the round opened.
        db.session.add(
            VoteTally(round_id=vote_round.id, choice=choice, category=membership.category, count=1)
        )
    if reason and is_objection(vote_round.scale, choice):
        db.session.add(SecretReason(round_id=vote_round.id, text=reason))
    db.session.flush()


def close(actor: Person, vote_round: VoteRound, now: dt.datetime) -> None:
    if not vote_round.is_open(now):
        raise VoteError(_("La votazione è già chiusa."))
    vote_round.closed_at, vote_round.closed_by = now, actor
    record(actor.id, "vote.closed", vote_round, vote_round.document.workshop_id)


# Reading


def has_voted(vote_round: VoteRound, person: Person) -> bool:
    model = VoteParticipation if vote_round.secret else Ballot
    return (
        db.session.execute(
            db.select(model.id).where(model.round_id == vote_round.id, model.person_id == person.id)
        ).first()
        is not None
    )


def my_ballot(vote_round: VoteRound, person: Person) -> Ballot | None:
    if vote_round.secret:
        return None
    return db.session.execute(
        db.select(Ballot).where(Ballot.round_id == vote_round.id, Ballot.person_id == person.id)
    ).scalar_one_or_none()


def voters_so_far(vote_round: VoteRound) -> int:
    model = VoteParticipation if vote_round.secret else Ballot
    return (
        db.session.scalar(db.select(db.func.count(model.id)).where(model.round_id == vote_round.id))
        or 0
    )


def result(vote_round: VoteRound, now: dt.datetime) -> Result | None:
    """The result, or None while the round hides it (until it closes)."""
    if not vote_round.shows_results(now):
        return None
    return count_votes(
        vote_round.scale,
        _counts(vote_round),
        eligible=len(_eligible(vote_round, now)),
        quorum=vote_round.quorum,
    )


def _counts(vote_round: VoteRound) -> list[Count]:
    if vote_round.secret:
        rows = db.session.scalars(
            db.select(VoteTally).where(VoteTally.round_id == vote_round.id, VoteTally.count > 0)
        )
        return [Count(t.choice, t.category, t.count) for t in rows]
    return [Count(b.choice, category) for b, category in open_ballots(vote_round)]


def open_ballots(vote_round: VoteRound) -> list[tuple[Ballot, str]]:
    """An open round's ballots with each voter's stakeholder category."""
    rows = db.session.execute(
        db.select(Ballot, Membership.category)
        .join(
            Membership,
            (Membership.person_id == Ballot.person_id)
            & (Membership.workshop_id == vote_round.document.workshop_id),
        )
        .where(Ballot.round_id == vote_round.id)
        .order_by(Ballot.updated_at, Ballot.id)
    ).all()
    return [(ballot, category) for ballot, category in rows]


def _eligible(vote_round: VoteRound, now: dt.datetime) -> list[Membership]:
    """Whom the turnout is counted on: the voters, or those of them present on the day
    the round opened."""
    voters = _voters(vote_round, vote_round.ended_at(now))
    if not vote_round.on_present:
        return voters
    present = present_on(
        vote_round.document.workshop, day_of(vote_round.document.workshop, vote_round.opened_at)
    )
    return [m for m in voters if m.id in present]


def _present_voters(document: Document, now: dt.datetime) -> list[Membership]:
    present = present_on(document.workshop, day_of(document.workshop, now))
    return [
        row.membership
        for row in present.values()
        if row.membership.role in VOTERS and row.membership.active
    ]


def _voters(vote_round: VoteRound, at: dt.datetime | None) -> list[Membership]:
    """Who may vote: participants and facilitators of the workshop, as they were at `at`
    (the end of the round), or now while it is open."""
    query = db.select(Membership).where(
        Membership.workshop_id == vote_round.document.workshop_id,
        Membership.role.in_(VOTERS),
    )
    if at is None:
        query = query.where(Membership.revoked_at.is_(None))
    else:
        query = query.where(
            Membership.created_at <= at,
            Membership.revoked_at.is_(None) | (Membership.revoked_at > at),
        )
    return list(db.session.scalars(query))


def section_rounds(section: Section, now: dt.datetime) -> list[VoteRound]:
    """Open rounds first (oldest first), then closed ones (most recent first)."""
    rounds = db.session.scalars(db.select(VoteRound).where(VoteRound.section_id == section.id))
    ordered = sorted(rounds, key=lambda r: r.id)
    open_ = [r for r in ordered if r.is_open(now)]
    closed = [r for r in reversed(ordered) if not r.is_open(now)]
    return open_ + closed


def secret_reasons(vote_round: VoteRound) -> list[str]:
    """Sorted by their text: the order they were given in would hint at who gave them."""
    return sorted(
        db.session.scalars(
            db.select(SecretReason.text).where(SecretReason.round_id == vote_round.id)
        )
    )
