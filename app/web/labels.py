"""Names of roles and states as people read them, translated at render time."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.core.commitments import Status as CommitmentStatus
from app.core.permissions import DocumentStatus, Role, SectionState

ROLE_LABELS = {
    Role.FACILITATOR: _l("Facilitatore"),
    Role.PARTICIPANT: _l("Partecipante"),
    Role.OBSERVER: _l("Osservatore"),
}
SECTION_STATE_LABELS = {
    SectionState.OPEN: _l("Aperta"),
    SectionState.LOCKED: _l("Bloccata"),
    SectionState.APPROVED: _l("Approvata"),
}
# A section of a frozen or published document says so, whatever its own state: "Aperta"
# next to a text nobody can change any more would be a lie.
SECTION_OF_DOCUMENT_LABELS = {
    DocumentStatus.FROZEN: _l("Congelata"),
    DocumentStatus.PUBLISHED: _l("Pubblicata"),
}
DOCUMENT_STATUS_LABELS = {
    DocumentStatus.DRAFT: _l("Bozza"),
    DocumentStatus.FROZEN: _l("Congelato"),
    DocumentStatus.PUBLISHED: _l("Pubblicato"),
}
# Commitments are "impegni": the statuses agree with the feminine "azione" they record.
COMMITMENT_STATUS_LABELS = {
    CommitmentStatus.PROPOSED: _l("Proposta"),
    CommitmentStatus.AGREED: _l("Concordata"),
    CommitmentStatus.IN_PROGRESS: _l("In corso"),
    CommitmentStatus.DONE: _l("Completata"),
    CommitmentStatus.DROPPED: _l("Abbandonata"),
}

VOTE_CHOICE_LABELS = {
    "favorevole": _l("Favorevole"),
    "riserve": _l("Favorevole con riserve"),
    "contrario": _l("Contrario"),
    "astenuto": _l("Astenuto"),
    "si": _l("Sì"),
    "no": _l("No"),
}


def vote_choice_label(choice: str) -> str:
    return str(VOTE_CHOICE_LABELS.get(choice, choice))


def init_app(app: Flask) -> None:
    app.context_processor(
        lambda: {
            "role_labels": ROLE_LABELS,
            "section_state_labels": SECTION_STATE_LABELS,
            "section_of_document_labels": SECTION_OF_DOCUMENT_LABELS,
            "document_status_labels": DOCUMENT_STATUS_LABELS,
            "commitment_status_labels": COMMITMENT_STATUS_LABELS,
        }
    )
    # A global: macros imported without the page's context name choices too.
    app.jinja_env.globals["vote_choice_labels"] = VOTE_CHOICE_LABELS
