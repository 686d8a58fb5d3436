"""Typing into a section exactly as a browser does: a replica synced with the server's
store, a local change, the resulting CRDT update applied by the store; then the moment
later when the server stores the section's text and revisions."""

from __future__ import annotations

from app.modules.documents.models import Section
from app.modules.people.models import Person
from app.realtime.client import Replica
from app.realtime.services import live


def type_text(person: Person, section: Section, text: str) -> None:
    store = live().store
    replica = Replica()
    update, _ = store.sync(section.id, replica.state_vector())
    replica.apply(update)
    change = replica.replace(text)
    if change is not None:
        store.apply(section.id, person.id, change)
    store.settle(section.id)
