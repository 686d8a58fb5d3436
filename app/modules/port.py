"""What a feature may ask of the live layer: a section's text, and telling the room.

Features change a section's text through the same log as typing, so that open editors
follow and nothing typed a moment earlier is undone, and they tell the people who have
a document open that something changed. They do both through this port, which the live
layer (app/realtime) implements and installs when the application is built: the live
layer imports the features' models, and no feature imports the live layer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from flask import current_app
from flask_babel import gettext as _

if TYPE_CHECKING:
    from app.modules.documents.models import Section
    from app.modules.people.models import Person

INSTALLED = "tavolo.port"


class SectionTooLong(Exception):
    """A change decided by a person would make the section's text longer than the limit,
    or take it past its hard word limit; the message is for people."""


@dataclass(frozen=True)
class Present:
    person_id: int
    section_id: int | None
    name: str


class LivePort(Protocol):
    def current_text(self, section_id: int) -> str:
        """The section's text with every acknowledged keystroke (which may commit)."""

    def open_text(self, section_id: int) -> None:
        """Has the live layer hold the section's text; may commit (see write_text)."""

    def write_text(
        self,
        actor: Person,
        section: Section,
        text: str | Callable[[str], str],
        origin: str,
        source_id: int | None,
    ) -> bool:
        """Stores a change decided by a person and sends it to the open editors."""

    def starting_text(self, section_id: int) -> str | None:
        """The text the section had before anybody typed in it; None if nobody has."""

    def settle_document(self, document_id: int) -> None:
        """Stores every acknowledged keystroke of the document's sections."""

    def notify_document(self, document_id: int, kind: str, payload: dict | None) -> None:
        """Tells the people in the document that `kind` changed."""

    def notify_section_state(self, section: Section) -> None:
        """Tells the people in the document that the section's state changed."""

    def present(self, document_id: int) -> list[Present]:
        """Who has the document open and is not idle, on every server process."""


def _port() -> LivePort:
    return current_app.extensions[INSTALLED]


def current_text(section_id: int) -> str:
    """The section's text with every acknowledged keystroke (which may commit). Read,
    not taken from a loaded section: the live layer writes the text with statements that
    do not refresh loaded objects."""
    return _port().current_text(section_id)


def open_text(section_id: int) -> None:
    """Opening a section nobody has edited yet commits (its stored text becomes the first
    row of its log): a caller about to make changes that must commit with a
    `write_text`, or not at all, opens it first."""
    _port().open_text(section_id)


def write_text(
    actor: Person,
    section: Section,
    text: str | Callable[[str], str],
    origin: str,
    source_id: int | None = None,
) -> bool:
    """A change decided by a person rather than typed (a restore, an accepted amendment):
    stored through the same log as typing, recorded as a revision with its origin, and
    sent to every open editor like any other edit. Commits; False when nothing changed.
    `text` may be a function of the current text (a merge): it is then computed under
    the section's lock, so that a keystroke stored a moment earlier is not undone. An
    exception it raises writes nothing, as does a text above the section's limit
    (`SectionTooLong`). The caller checks that `actor` may make it."""
    return _port().write_text(actor, section, text, origin, source_id)


def starting_text(section_id: int) -> str | None:
    return _port().starting_text(section_id)


def settle_document(document_id: int) -> None:
    """For readers that must show every acknowledged keystroke (versions, exports,
    comparisons with the live text). Commits, when a section was behind."""
    _port().settle_document(document_id)


def notify_document(document_id: int, kind: str, payload: dict | None = None) -> None:
    """Open pages refresh the part named by `kind` (comments, amendments, votes…). Call
    it after the change is committed."""
    _port().notify_document(document_id, kind, payload)


def notify_section_state(section: Section) -> None:
    """A section was locked, opened or approved, or its document changed status. Call it
    after the change is committed."""
    _port().notify_section_state(section)


def present(document_id: int) -> list[Present]:
    """Who has the document open, on any server process, and is not idle: what the
    console and the labs' grid show."""
    return _port().present(document_id)


def section_too_long(max_bytes: int) -> str:
    """Shared by every way text enters a section (typing, amendments, imports, restores)."""
    return _(
        "Il testo della sezione supererebbe la lunghezza massima di %(kb)d KB (circa "
        "%(pages)d pagine) e la modifica non è stata applicata. Dividi il testo in più "
        "sezioni.",
        kb=max_bytes // 1024,
        pages=max(1, max_bytes // 2200),
    )


def section_over_words(limit: int) -> str:
    """Shared by typing and by changes decided by a person (amendments, restores)."""
    return _(
        "La sezione ha un limite rigido di %(limit)d parole: con questa modifica lo "
        "supererebbe e non è stata applicata. Accorcia il testo o chiedi ai facilitatori "
        "di alzare il limite.",
        limit=limit,
    )
