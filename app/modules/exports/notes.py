"""Notes an export may put at the foot of its pages, on words of the text, each kind
optional: the sources of a synthesis's passages, for one.

A kind of note comes from a provider: a key (the checkbox of the export form), a label,
whether it has anything to say about a document (the form offers it only then), and a
function that gives, for a document and the version exported, the notes on words of
each section, by section id. The exporter finds the words in the text it exports and
puts the call after them (app/core/footnotes.py); words it does not find get no call.
Features keep their provider in their annex.py, next to their annex, and add it with
`register` when it is imported."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from app.core.footnotes import BodyNote
from app.modules.documents.models import Document

NotesBySection = Mapping[int, Sequence[BodyNote]]


@dataclass(frozen=True)
class NoteProvider:
    key: str
    label: object  # a lazy string: translated when the form is drawn
    offered: Callable[[Document], bool]
    build: Callable[[Document, str | None], NotesBySection]


PROVIDERS: dict[str, NoteProvider] = {}


def register(provider: NoteProvider) -> None:
    PROVIDERS[provider.key] = provider


def offered(document: Document) -> list[NoteProvider]:
    return [provider for provider in PROVIDERS.values() if provider.offered(document)]
