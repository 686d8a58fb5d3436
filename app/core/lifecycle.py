"""The life of a document: written as a draft, frozen while the facilitators check the
final text, published for the institutions. Publishing is final: the text handed over
in public must stay the text that was handed over."""

from __future__ import annotations

from app.core.permissions import DocumentStatus

TRANSITIONS: dict[DocumentStatus, tuple[DocumentStatus, ...]] = {
    DocumentStatus.DRAFT: (DocumentStatus.FROZEN,),
    DocumentStatus.FROZEN: (DocumentStatus.DRAFT, DocumentStatus.PUBLISHED),
    DocumentStatus.PUBLISHED: (),
}


def next_statuses(status: DocumentStatus) -> tuple[DocumentStatus, ...]:
    return TRANSITIONS[status]


def can_move(current: DocumentStatus, target: DocumentStatus) -> bool:
    return target in TRANSITIONS[current]


def asks_confirmation(target: DocumentStatus) -> bool:
    """Freezing stops everyone's typing and publishing is final: both are confirmed
    after a look at what is still open. Going back to draft undoes nothing."""
    return target is not DocumentStatus.DRAFT


def structure_editable(status: DocumentStatus) -> bool:
    """Sections are added, renamed, moved, removed, locked or approved only in a draft:
    a frozen text is the one being checked, and checking a moving target is pointless."""
    return status is DocumentStatus.DRAFT
