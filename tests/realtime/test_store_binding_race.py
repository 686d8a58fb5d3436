"""Two server processes take the first update under a client id nobody used yet, from
two different people, at the same moment: the database's unique pair decides who owns
the id, on SQLite and on PostgreSQL, and only the owner's text is in the section. The
other update is refused when it writes beyond the owner's items; where it holds only
clocks the owner already wrote, it changes nothing (replicas keep the first item for an
id and clock), as any repetition of known items."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from app.core.permissions import Role
from app.extensions import db
from app.modules.revisions.models import CrdtClient
from app.realtime.client import Replica
from app.realtime.store import ForeignClient, Store
from tests import factories
from tests.conftest import fresh_app

ROUNDS = 12
JOIN_TIMEOUT = 30.0


@pytest.fixture
def postgres_app(tmp_path: Path, postgres_url: str) -> Iterator[Flask]:
    with fresh_app(tmp_path, postgres_url) as application:
        yield application


def _store() -> Store:
    return Store(snapshot_every=500, burst_window=dt.timedelta(seconds=30), capacity=8)


def _race(application: Flask) -> None:
    workshop = factories.workshop()
    people = [factories.member(workshop, Role.PARTICIPANT)[0].person_id for _ in range(2)]
    section_id = factories.document(workshop, sections=1).sections[0].id
    stores = [_store(), _store()]
    base, _ = stores[0].sync(section_id, b"\x00")
    for round_ in range(ROUNDS):
        client_id = 1000 + round_
        updates = []
        for person in range(2):
            replica = Replica(client_id=client_id)
            replica.apply(base)
            updates.append(replica.insert(0, _text(person, round_)))
        outcomes = _at_once(application, stores, section_id, people, updates)
        owner = db.session.scalar(
            db.select(CrdtClient.person_id).where(
                CrdtClient.section_id == section_id, CrdtClient.client_id == client_id
            )
        )
        winner = people.index(owner)
        assert outcomes[winner] == "stored"
        if winner == 0:
            # The loser's update reaches beyond the owner's clocks: never stored.
            assert outcomes[1] == "refused"
        update, _ = _store().sync(section_id, b"\x00")
        text = Replica()
        text.apply(update)
        assert _text(winner, round_) in text.text()
        assert _text(1 - winner, round_) not in text.text()


def _text(person: int, round_: int) -> str:
    return f"<{person}.{round_}>" + "+" * person


def _at_once(
    application: Flask,
    stores: list[Store],
    section_id: int,
    people: list[int],
    updates: list[bytes],
) -> list[str]:
    outcomes = ["", ""]
    start = threading.Barrier(2)

    def send(person: int) -> None:
        with application.app_context():
            start.wait()
            try:
                stores[person].apply(section_id, people[person], updates[person])
                outcomes[person] = "stored"
            except ForeignClient:
                outcomes[person] = "refused"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send, args=(person,)) for person in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    return outcomes


def test_sqlite_lets_one_of_two_people_bind_a_new_client_id(app: Flask) -> None:
    _race(app)


@pytest.mark.postgres
def test_postgres_lets_one_of_two_people_bind_a_new_client_id(postgres_app: Flask) -> None:
    _race(postgres_app)
