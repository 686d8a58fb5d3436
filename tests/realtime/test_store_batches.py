"""The keystrokes that reach a section while its writer gathers share one commit, and
each one's `written` callback runs once it is committed, before its thread is woken."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import event

from app.core.permissions import Role
from app.extensions import db
from app.modules.revisions.models import CrdtClient, SectionUpdate
from app.realtime.client import Replica
from app.realtime.store import Store
from tests import factories

QUEUE_TIMEOUT = 10.0


def _setting():  # type: ignore[no-untyped-def]
    workshop = factories.workshop()
    anna = factories.member(workshop, Role.PARTICIPANT)[0].person
    bruno = factories.member(workshop, Role.PARTICIPANT)[0].person
    section = factories.document(workshop, sections=1).sections[0]
    # Each wrote before under the client id used below: binding a new id costs a commit
    # of its own, once, and the keystrokes measured here are the ones that follow.
    for client_id, person in ((1, anna), (2, bruno)):
        db.session.add(CrdtClient(section_id=section.id, client_id=client_id, person_id=person.id))
    db.session.commit()
    return section.id, anna.id, bruno.id


def _typed(store: Store, section_id: int, client_id: int, text: str) -> bytes:
    replica = Replica(client_id=client_id)
    update, _ = store.sync(section_id, replica.state_vector())
    replica.apply(update)
    typed = replica.insert(0, text)
    assert typed is not None
    return typed


class Meanwhile:
    """A `gather` that, the first time it is called, has another person's update arrive
    from a thread of its own and returns only once that update is waiting too."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.store: Store | None = None
        self.arrival: Callable[[], None] | None = None
        self.thread: threading.Thread | None = None
        self.failures: list[BaseException] = []

    def __call__(self) -> None:
        if self.arrival is None or self.thread is not None:
            return
        self.thread = threading.Thread(target=self._arrive)
        self.thread.start()
        assert self.store is not None
        deadline = time.monotonic() + QUEUE_TIMEOUT
        while not any(len(live.waiting) > 1 for live in self.store._live.values()):
            assert time.monotonic() < deadline, "the other update never queued"
            time.sleep(0.01)

    def _arrive(self) -> None:
        assert self.arrival is not None
        with self.app.app_context():
            try:
                self.arrival()
            except BaseException as error:
                self.failures.append(error)

    def finished(self) -> bool:
        assert self.thread is not None
        self.thread.join(QUEUE_TIMEOUT)
        return not self.thread.is_alive()


def _store(meanwhile: Meanwhile) -> Store:
    store = Store(
        snapshot_every=500,
        burst_window=dt.timedelta(seconds=30),
        capacity=8,
        gather=meanwhile,
    )
    meanwhile.store = store
    return store


def _logged(section_id: int) -> list[int | None]:
    return list(
        db.session.scalars(
            db.select(SectionUpdate.person_id)
            .where(SectionUpdate.section_id == section_id, SectionUpdate.person_id.is_not(None))
            .order_by(SectionUpdate.seq)
        )
    )


@dataclass
class Scene:
    """Anna's update about to be applied; Bruno's arrives while her writer gathers."""

    store: Store
    meanwhile: Meanwhile
    section_id: int
    anna: int
    from_anna: bytes
    bruno: int
    written: list[str]


def _scene(app: Flask) -> Scene:
    section_id, anna, bruno = _setting()
    meanwhile = Meanwhile(app)
    store = _store(meanwhile)
    from_anna = _typed(store, section_id, 1, "Anna. ")
    from_bruno = _typed(store, section_id, 2, "Bruno. ")
    written: list[str] = []
    meanwhile.arrival = lambda: store.apply(
        section_id, bruno, from_bruno, lambda: written.append("bruno")
    )
    return Scene(store, meanwhile, section_id, anna, from_anna, bruno, written)


def test_updates_that_arrive_while_the_writer_gathers_share_its_commit(app) -> None:  # type: ignore[no-untyped-def]
    scene = _scene(app)
    commits: list[int] = []
    listener = lambda _connection: commits.append(1)  # noqa: E731
    event.listen(db.engine, "commit", listener)
    try:
        scene.store.apply(
            scene.section_id, scene.anna, scene.from_anna, lambda: scene.written.append("anna")
        )
        assert scene.meanwhile.finished()
    finally:
        event.remove(db.engine, "commit", listener)

    assert scene.meanwhile.failures == []
    assert len(commits) == 1
    assert sorted(scene.written) == ["anna", "bruno"]
    assert sorted(_logged(scene.section_id)) == sorted([scene.anna, scene.bruno])


def test_a_failing_callback_wakes_everyone_and_loses_nothing(app) -> None:  # type: ignore[no-untyped-def]
    scene = _scene(app)

    def broken() -> None:
        raise RuntimeError("relay unavailable")

    scene.store.apply(scene.section_id, scene.anna, scene.from_anna, broken)

    assert scene.meanwhile.finished()
    assert scene.meanwhile.failures == []
    assert scene.written == ["bruno"]
    assert sorted(_logged(scene.section_id)) == sorted([scene.anna, scene.bruno])
