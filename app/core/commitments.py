"""The rules of the commitments register: what a commitment must say, and who may move
it from one status to another.

A commitment is proposed first, by a facilitator writing down what an institution said
or by a participant on its behalf; the room agrees it, and only a facilitator records
that agreement. After the event the institution follows it up through its own link: it
may say the work has started, is done, or has been dropped, and nothing else. Every
refusal is a Message, an Italian template translated where it is shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from app.core.invitations import N_, Message


class Status(StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class Actor(StrEnum):
    """Who asks for a change: a member of the workshop by role, or whoever holds the
    institution's link."""

    FACILITATOR = "facilitator"
    PARTICIPANT = "participant"
    INSTITUTION = "institution"


# The moves a status allows. A finished or dropped commitment can be taken up again
# (an institution that marked it done too early, a dropped one that finds its funds),
# but never goes back to being a mere proposal: it was agreed in the room.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.PROPOSED: frozenset({Status.AGREED, Status.DROPPED}),
    Status.AGREED: frozenset({Status.IN_PROGRESS, Status.DONE, Status.DROPPED}),
    Status.IN_PROGRESS: frozenset({Status.AGREED, Status.DONE, Status.DROPPED}),
    Status.DONE: frozenset({Status.IN_PROGRESS}),
    Status.DROPPED: frozenset({Status.AGREED}),
}

# What the institution's link may do: follow up a commitment agreed in the room, never
# agree one, nor revive one the room dropped.
_INSTITUTION_FROM = frozenset({Status.AGREED, Status.IN_PROGRESS, Status.DONE})
_INSTITUTION_TO = frozenset({Status.IN_PROGRESS, Status.DONE, Status.DROPPED})

INSTITUTION_MAX = 300
ACTION_MAX = 2000
RESPONSIBLE_MAX = 200
INDICATOR_MAX = 1000
NOTE_MAX = 2000


def allowed(current: Status, actor: Actor) -> list[Status]:
    """The statuses this actor may choose next, in the order of Status."""
    return [target for target in Status if refusal(current, target, actor) is None]


def refusal(current: Status, target: Status, actor: Actor) -> Message | None:
    """Why this actor may not move a commitment from `current` to `target`, or None."""
    if actor is Actor.PARTICIPANT:
        if target is Status.AGREED:
            return Message(
                N_("Solo un facilitatore può registrare che un impegno è stato concordato.")
            )
        return Message(N_("Solo un facilitatore può cambiare lo stato di un impegno."))
    # The institution is first told why it cannot act at all, then what it may choose.
    if actor is Actor.INSTITUTION and current is Status.PROPOSED:
        return Message(
            N_(
                "L'impegno non è ancora stato concordato al tavolo: per ora non si "
                "può aggiornare da qui."
            )
        )
    if actor is Actor.INSTITUTION and current not in _INSTITUTION_FROM:
        return Message(
            N_("L'impegno è stato abbandonato: solo i facilitatori possono riprenderlo.")
        )
    if target is current:
        return Message(N_("L'impegno è già in questo stato."))
    if target not in TRANSITIONS[current]:
        return Message(N_("Da questo stato l'impegno non può passare a quello scelto."))
    if actor is Actor.INSTITUTION and target not in _INSTITUTION_TO:
        return Message(
            N_("Da qui si può solo dire che l'impegno è in corso, completato o abbandonato.")
        )
    return None


@dataclass(frozen=True)
class Draft:
    """A commitment as typed in the form, before it is checked."""

    institution: str
    action: str
    responsible: str = ""
    due_on: dt.date | None = None
    indicator: str = ""

    def cleaned(self) -> Draft:
        return Draft(
            institution=self.institution.strip(),
            action=self.action.strip(),
            responsible=self.responsible.strip(),
            due_on=self.due_on,
            indicator=self.indicator.strip(),
        )


_LENGTHS = (
    ("institution", INSTITUTION_MAX, N_("Il nome dell'ente supera i %(n)d caratteri.")),
    ("action", ACTION_MAX, N_("L'azione supera i %(n)d caratteri.")),
    ("responsible", RESPONSIBLE_MAX, N_("Il nome del responsabile supera i %(n)d caratteri.")),
    ("indicator", INDICATOR_MAX, N_("L'indicatore supera i %(n)d caratteri.")),
)


def problems(draft: Draft, today: dt.date, recorded_due: dt.date | None = None) -> list[Message]:
    """Everything wrong with a commitment as typed, in the order of the form's fields,
    so a person corrects it all in one go. `today` is the date where the room is; a due
    date already recorded (`recorded_due`, when a commitment is corrected) may have
    passed since: it is the one the institution took on."""
    draft = draft.cleaned()
    found = []
    if not draft.institution:
        found.append(Message(N_("Indica l'ente che si impegna.")))
    if not draft.action:
        found.append(Message(N_("Descrivi l'azione a cui l'ente si impegna.")))
    for name, limit, template in _LENGTHS:
        if len(getattr(draft, name)) > limit:
            found.append(Message(template, {"n": limit}))
    if draft.due_on is not None and draft.due_on < today and draft.due_on != recorded_due:
        found.append(Message(N_("La scadenza è già passata: scegli una data da oggi in poi.")))
    return found


def note_problem(note: str) -> Message | None:
    if len(note.strip()) > NOTE_MAX:
        return Message(N_("La nota supera i %(n)d caratteri."), {"n": NOTE_MAX})
    return None
