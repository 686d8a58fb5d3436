"""Changes the server makes on someone's decision (a restore, an accepted amendment) go
through the same log as typing: they merge with concurrent typing, reach the replicas as
ordinary updates and leave a revision that says where they came from."""

from __future__ import annotations

import pytest

from app.core.permissions import Role
from app.extensions import db
from app.modules.revisions.models import Revision, SectionUpdate
from app.realtime.client import Replica
from app.realtime.services import live, write_text
from tests import factories


def _setup():  # type: ignore[no-untyped-def]
    workshop = factories.workshop()
    facilitator, _ = factories.member(workshop, Role.FACILITATOR)
    document = factories.document(workshop, sections=1)
    return facilitator.person, document.sections[0]


def test_a_server_edit_is_logged_as_a_revision_of_its_origin(app) -> None:  # type: ignore[no-untyped-def]
    person, section = _setup()
    assert write_text(person, section, "Testo nuovo della sezione 1.", "restored", 42)
    db.session.expire_all()
    assert section.body == "Testo nuovo della sezione 1."
    [revision] = db.session.scalars(db.select(Revision)).all()
    assert (revision.origin, revision.source_id, revision.author_id) == ("restored", 42, person.id)
    assert revision.text == section.body
    # The seed row and the change itself: a restore is a new state, not a rewrite of the log.
    assert db.session.scalar(db.select(db.func.count(SectionUpdate.id))) == 2


def test_writing_the_same_text_changes_nothing(app) -> None:  # type: ignore[no-untyped-def]
    person, section = _setup()
    assert not write_text(person, section, section.body, "restored")
    assert db.session.scalar(db.select(db.func.count(Revision.id))) == 0


def test_a_server_edit_keeps_concurrent_typing_elsewhere(app) -> None:  # type: ignore[no-untyped-def]
    person, section = _setup()
    store = live().store
    replica = Replica(client_id=7)
    update, _ = store.sync(section.id, replica.state_vector())
    replica.apply(update)
    # Someone types at the end while, unseen by them, the server rewrites the start.
    typed = replica.insert(len(replica.text()), " Aggiunta.")
    write_text(person, section, section.body.replace("Testo", "Contenuto"), "amendment", 3)
    store.apply(section.id, person.id, typed)
    missing, _ = store.sync(section.id, replica.state_vector())
    replica.apply(missing)
    store.settle(section.id)
    db.session.expire_all()
    assert replica.text() == section.body == "Contenuto della sezione 1. Aggiunta."


def test_a_change_computed_from_the_text_sees_what_was_typed_just_before(app) -> None:  # type: ignore[no-untyped-def]
    person, section = _setup()
    store = live().store
    replica = Replica(client_id=9)
    update, _ = store.sync(section.id, replica.state_vector())
    replica.apply(update)
    store.apply(section.id, person.id, replica.insert(0, "Appena scritto. "))
    seen: list[str] = []

    def merged(current: str) -> str:
        seen.append(current)
        return current.replace("sezione 1", "sezione prima")

    assert write_text(person, section, merged, "amendment", 5)
    db.session.expire_all()
    assert seen == ["Appena scritto. Testo della sezione 1."]
    assert section.body == "Appena scritto. Testo della sezione prima."


def test_a_change_that_gives_up_writes_nothing(app) -> None:  # type: ignore[no-untyped-def]
    person, section = _setup()

    def refused(current: str) -> str:
        raise ValueError("non si applica")

    with pytest.raises(ValueError):
        write_text(person, section, refused, "amendment", 5)
    db.session.expire_all()
    assert section.body == "Testo della sezione 1."
    assert db.session.scalar(db.select(db.func.count(Revision.id))) == 0
