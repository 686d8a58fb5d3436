"""An accepted update takes effect entirely: one whose items are all named, yet wait
for one another, is refused and leaves no trace in the text, on the server or in a
fresh process."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.permissions import Role
from app.core.yjs_clients import clocks
from app.extensions import db
from app.modules.revisions.models import SectionUpdate
from app.realtime.client import Replica
from app.realtime.crdt import held
from app.realtime.store import InvalidUpdate, Store
from tests import factories
from tests.forged_updates import text_group, uint


def _store() -> Store:
    return Store(snapshot_every=5, burst_window=dt.timedelta(seconds=30), capacity=8)


def test_items_that_wait_for_one_another_are_refused(app) -> None:  # type: ignore[no-untyped-def]
    workshop = factories.workshop()
    attacker = factories.member(workshop, Role.PARTICIPANT)[0].person_id
    writer = factories.member(workshop, Role.PARTICIPANT)[0].person_id
    section = factories.document(workshop, sections=1).sections[0]
    section.body = "Base."
    db.session.commit()
    store = _store()
    store.sync(section.id, b"\x00")
    # Each item is written to the right of the other: every id it names is in the update,
    # and neither can be placed before the other.
    circle = uint(2) + text_group(1002, (1001, 0), "b") + text_group(1001, (1002, 0), "a")
    circle += uint(0)  # an empty delete set
    assert clocks(circle).needs == {}

    with pytest.raises(InvalidUpdate):
        store.apply(section.id, attacker, circle)

    replica = Replica(client_id=7)
    replica.apply(store.sync(section.id, b"\x00")[0])
    typed = replica.insert(5, " Dopo.")
    assert typed is not None
    store.apply(section.id, writer, typed)
    fresh = Replica()
    fresh.apply(_store().sync(section.id, b"\x00")[0])
    assert fresh.text() == "Base. Dopo."
    assert not {1001, 1002} & set(held(fresh.doc))
    logged = db.session.execute(
        db.select(SectionUpdate.person_id).where(SectionUpdate.section_id == section.id)
    ).scalars()
    assert attacker not in set(logged)
