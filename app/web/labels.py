"""Names of roles and states as people read them, translated at render time."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

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
DOCUMENT_STATUS_LABELS = {
    DocumentStatus.DRAFT: _l("Bozza"),
    DocumentStatus.FROZEN: _l("Congelato"),
    DocumentStatus.PUBLISHED: _l("Pubblicato"),
}


def init_app(app: Flask) -> None:
    app.context_processor(
        lambda: {
            "role_labels": ROLE_LABELS,
            "section_state_labels": SECTION_STATE_LABELS,
            "document_status_labels": DOCUMENT_STATUS_LABELS,
        }
    )
