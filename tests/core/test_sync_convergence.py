"""Five replicas (the client's own Replica class) and the real store on a real SQLite
database, over a simulated network that delivers messages late, out of order and twice,
loses the server's replies and drops connections. An update that arrives before an
earlier one of its replica is refused for a moment (`out_of_order`) and stays unconfirmed,
to be sent again, as the client does. Two store instances share the database
as two server processes would, and either may crash and start again from the log.

At the end every replica, the store and Section.body hold the same text, every
insertion anyone made is in it exactly once, and every typed update belongs to one of
its author's revisions. Either store stores the text at random moments, as the
processes' settling ticks would."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from app.core.permissions import Role
from app.core.sync import storable
from app.extensions import db
from app.modules.documents.models import Section
from app.modules.revisions.models import Revision, SectionUpdate
from app.realtime.client import Replica
from app.realtime.store import OutOfOrder, Store
from tests import factories

REPLICAS = 5
TOKEN = re.compile(r"⟦\d\.\d+⟧")
NAUGHTY = [
    "é",
    "e\u0301",
    "😀",
    "👩‍👩‍👧‍👦",
    "🇮🇹",
    "\u200b",
    "\u202e",
    "\r\n",
    "\t",
    "\x00",
    "﷽",
    "<script>alert(1)</script>",
    "'; DROP TABLE section; --",
    "𝕋𝕒𝕧𝕠𝕝𝕠",
    "«»",
    "ÅÄÖ",
    " ",
]
filler = st.sampled_from(NAUGHTY) | st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="⟦⟧"), min_size=1, max_size=6
)


def _store() -> Store:
    # Snapshots every few updates, so that restarts load from snapshot plus log.
    return Store(snapshot_every=7, burst_window=dt.timedelta(seconds=30), capacity=8)


@dataclass
class Message:
    kind: str  # "update" (to the server), "ack" or "relay" (to a replica)
    replica: int
    seq: int = 0
    update: bytes = b""


@dataclass
class Network:
    section: Section
    people: list[int]
    # Fixed client ids: concurrent insertions at one place are ordered by client id, and
    # hypothesis needs a replayed example to produce the same text.
    replicas: list[Replica] = field(
        default_factory=lambda: [Replica(client_id=n + 1) for n in range(REPLICAS)]
    )
    online: list[bool] = field(default_factory=lambda: [False] * REPLICAS)
    # An editor stays read-only until its first sync, so nothing is typed before it.
    synced: list[bool] = field(default_factory=lambda: [False] * REPLICAS)
    stores: list[Store] = field(default_factory=lambda: [_store(), _store()])
    wire: list[Message] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    seq: itertools.count = field(default_factory=lambda: itertools.count(1))

    def send(self, replica: int, update: bytes | None) -> None:
        if update is None:
            return
        seq = next(self.seq)
        self.replicas[replica].unconfirmed[seq] = update
        if self.online[replica]:
            self.wire.append(Message("update", replica, seq, update))

    def deliver(self, message: Message, store: Store) -> None:
        self.wire.remove(message)
        if message.kind == "update":
            try:
                store.apply(self.section.id, self.people[message.replica], message.update)
            except OutOfOrder:
                return
            self.wire.append(Message("ack", message.replica, message.seq))
            for other in range(REPLICAS):
                if other != message.replica and self.online[other]:
                    self.wire.append(Message("relay", other, update=message.update))
        elif message.kind == "ack":
            self.replicas[message.replica].unconfirmed.pop(message.seq, None)
        else:
            self.replicas[message.replica].apply(message.update)

    def disconnect(self, replica: int) -> None:
        self.online[replica] = False
        self.wire = [m for m in self.wire if m.replica != replica]

    def connect(self, replica: int, store: Store) -> None:
        """What the client does on (re)connection: sync, then send again whatever the
        server has not confirmed."""
        self.disconnect(replica)
        self.online[replica] = True
        self.synced[replica] = True
        local = self.replicas[replica]
        update, server_vector = store.sync(self.section.id, local.state_vector())
        local.apply(update)
        self.send(replica, local.missing(server_vector))
        for seq, unconfirmed in sorted(local.unconfirmed.items()):
            self.wire.append(Message("update", replica, seq, unconfirmed))


def _edit(net: Network, replica: int, data: st.DataObject) -> None:
    # The same draws whatever the text, so that a replayed example draws alike.
    kind = data.draw(st.sampled_from(["token", "filler", "delete"]))
    where, length = data.draw(st.integers(0, 10**6)), data.draw(st.integers(1, 8))
    words = data.draw(filler)
    local = net.replicas[replica]
    if not net.synced[replica]:
        return
    text = local.text()
    if kind == "delete":
        gaps, start = [], 0
        for match in TOKEN.finditer(text):
            gaps.append((start, match.start()))
            start = match.end()
        gaps = [(a, b) for a, b in [*gaps, (start, len(text))] if b > a]
        if gaps:
            a, b = gaps[where % len(gaps)]
            begin = a + where % (b - a)
            net.send(replica, local.delete(begin, min(length, b - begin)))
        return
    position = where % (len(text) + 1)
    for match in TOKEN.finditer(text):
        if match.start() < position < match.end():
            position = match.end()
    if kind == "token":
        net.tokens.append(f"⟦{replica}.{len(net.tokens)}⟧")
        net.send(replica, local.insert(position, net.tokens[-1]))
    else:
        net.send(replica, local.insert(position, words))


def _step(net: Network, data: st.DataObject) -> None:
    action = data.draw(
        st.sampled_from(
            [
                "edit",
                "edit",
                "edit",
                "deliver",
                "deliver",
                "deliver",
                "duplicate",
                "lose reply",
                "disconnect",
                "connect",
                "restart",
                "store text",
            ]
        )
    )
    replica = data.draw(st.integers(0, REPLICAS - 1))
    store = net.stores[data.draw(st.integers(0, 1))]
    pick = data.draw(st.integers(0, 10**6))
    if action == "edit":
        _edit(net, replica, data)
    elif action == "connect":
        net.connect(replica, store)
    elif action == "disconnect":
        net.disconnect(replica)
    elif action == "restart":
        net.stores[net.stores.index(store)] = _store()
    elif action == "store text":
        store.settle(net.section.id)
    elif net.wire:
        message = net.wire[pick % len(net.wire)]
        if action == "deliver":
            net.deliver(message, store)
        elif action == "duplicate":
            net.wire.append(Message(message.kind, message.replica, message.seq, message.update))
        elif message.kind != "update":
            net.wire.remove(message)


def _settle(net: Network) -> None:
    """Everyone comes back and the network works: connect, deliver everything, and
    again while anything is unconfirmed (its acknowledgement may have been lost)."""
    for _ in range(3):
        for replica in range(REPLICAS):
            net.connect(replica, net.stores[replica % 2])
        while net.wire:
            net.deliver(net.wire[0], net.stores[0])
    assert not any(r.unconfirmed for r in net.replicas)
    for replica in range(REPLICAS):
        net.connect(replica, net.stores[1])
    while net.wire:
        net.deliver(net.wire[0], net.stores[1])


# A failure is reported as found, unshrunk: shrinking replays the database work of an
# example thousands of times, far beyond the suite's time limit on a two-core machine.
@settings(
    max_examples=30,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_replicas_and_database_converge(app, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    workshop = factories.workshop()
    people = [factories.member(workshop, Role.PARTICIPANT)[0].person_id for _ in range(REPLICAS)]
    section = factories.document(workshop, sections=1).sections[0]
    section.body = "Testo «iniziale» è 😀.\n"
    db.session.commit()
    net = Network(section, people)
    for _ in range(data.draw(st.integers(5, 50))):
        _step(net, data)
    _settle(net)
    net.stores[0].settle(section.id)

    body = db.session.execute(db.select(Section.body).where(Section.id == section.id)).scalar_one()
    text = net.replicas[0].text()
    assert [r.text() for r in net.replicas] == [text] * REPLICAS
    assert storable(text) == body
    fresh_process = _store()
    update, _ = fresh_process.sync(section.id, b"\x00")
    rebuilt = Replica()
    rebuilt.apply(update)
    assert rebuilt.text() == text
    assert sorted(TOKEN.findall(text)) == sorted(net.tokens)
    assert _typed_outside_revisions(section.id) == []


def _typed_outside_revisions(section_id: int) -> list[tuple[int, int]]:
    """(person, update number) of logged typing no revision of that person covers."""
    revisions = db.session.execute(
        db.select(Revision.author_id, Revision.first_seq, Revision.last_seq).where(
            Revision.section_id == section_id
        )
    ).all()
    logged = db.session.execute(
        db.select(SectionUpdate.person_id, SectionUpdate.seq).where(
            SectionUpdate.section_id == section_id, SectionUpdate.person_id.is_not(None)
        )
    ).all()
    return [
        (person, seq)
        for person, seq in logged
        if not any(a == person and first <= seq <= last for a, first, last in revisions)
    ]
