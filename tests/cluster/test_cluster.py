"""Several processes behind the proxy serve one room as one server would: what people
type converges and is stored once, whichever process they reach; a process that dies,
a Redis that restarts and a database that goes away lose nothing acknowledged."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests

from app.realtime.client import TavoloClient, enter
from tests.cluster.conftest import Shared
from tests.realtime.conftest import PEOPLE, Doc
from tests.realtime.helpers import TOKEN, csrf_token, settle, typing_tokens, wait_until

SETTLED = 60.0
# Each typist's pace: ten tokens a second, some forty characters, still several times a
# fast typist. At the local tests' 0.03 s, three typists sent a hundred updates a second
# through two processes, Redis and the proxy: on a busy two-core machine the surviving
# process fell further behind at every second, until the replies to its pings queued
# behind the updates and it closed the connections as silent.
PACE = 0.1


class WatchedClient(TavoloClient):
    """Remembers every acknowledgement of an update, to tell what the server confirmed."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.acks: list[tuple[int, dict]] = []
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def _on_update_ack(self, section_id: int, seq: int, reply: dict) -> None:
        self.acks.append((seq, reply))
        super()._on_update_ack(section_id, seq, reply)


@contextmanager
def people(shared: Shared, doc: Doc, *where: tuple[str, int]) -> Iterator[list[WatchedClient]]:
    """One client per (persona, route), each in the document; closed at the end."""
    clients = [
        WatchedClient(shared.world.links[persona], route=route, timeout=20)
        for persona, route in where
    ]
    try:
        joins = [threading.Thread(target=c.join, args=(doc.id,)) for c in clients]
        for thread in joins:
            thread.start()
        for thread in joins:
            thread.join()
        yield clients
    finally:
        for client in clients:
            client.close()


def assert_stored_once(
    shared: Shared, doc: Doc, clients: list[WatchedClient], typed: dict, opening: str
) -> str:
    """Every client shows the stored text, which holds the opening once and every token
    typed exactly once, in a log numbered without gaps or repeats."""
    settle(clients, SETTLED)
    text = shared.world.body(doc)
    assert [c.text(doc.section_id) for c in clients] == [text] * len(clients)
    assert text.count(opening) == 1
    assert sorted(TOKEN.findall(text)) == sorted(t for tokens in typed.values() for t in tokens)
    ((first, last, count, seeds),) = shared.world.server.sql(
        "SELECT MIN(seq), MAX(seq), COUNT(*), COUNT(*) FILTER (WHERE person_id IS NULL)"
        " FROM section_update WHERE section_id = ?",
        doc.section_id,
    )
    assert (first, last, seeds) == (1, count, 1)
    return text


def test_people_on_both_processes_converge_and_are_stored_once(running: Shared) -> None:
    doc = running.world.document("Apertura condivisa.\n")
    first, second = running.routes["tavolo1"], running.routes["tavolo2"]
    with people(
        running,
        doc,
        ("writer1", first),
        ("writer2", second),
        ("writer3", first),
        ("writer4", second),
    ) as clients:
        with typing_tokens(clients, doc.section_id, PACE) as typed:
            # Until each person has seen everyone's typing relayed, across processes too.
            wait_until(lambda: all(sees_everyone(c, doc, len(clients)) for c in clients), 60)
        assert_stored_once(running, doc, clients, typed, "Apertura condivisa.")


def sees_everyone(client: TavoloClient, doc: Doc, typists: int, since: int = 0) -> bool:
    """Whether the client shows a token of every typist numbered `since` or later, without
    asking the server for anything: relayed to it."""
    found = {}
    for token in TOKEN.findall(client.text(doc.section_id)):
        typist, number = map(int, token[1:-1].split("."))
        found[typist] = max(found.get(typist, -1), number)
    return all(found.get(n, -1) >= since for n in range(typists))


def newest_token(clients: list[WatchedClient], doc: Doc) -> int:
    """The highest token number anyone shows now."""
    numbers = [
        int(token[1:-1].split(".")[1])
        for client in clients
        for token in TOKEN.findall(client.text(doc.section_id))
    ]
    return max(numbers, default=0)


def test_a_killed_process_loses_nothing_its_people_go_on_on_the_other(running: Shared) -> None:
    doc = running.world.document("Prima del guasto.\n")
    home = running.process_of(doc.id)
    other = next(name for name in running.routes if name != home)
    where = [("writer5", doc.id), ("writer6", doc.id), ("writer7", running.routes[other])]
    with people(running, doc, *where) as clients:
        with typing_tokens(clients, doc.section_id, PACE) as typed:
            wait_until(lambda: all(sees_everyone(c, doc, len(clients)) for c in clients), 60)
            running.cluster.kill(running.number(home))
            since = newest_token(clients, doc) + 3
            # Its people come back through the proxy, to the other process, and everyone
            # sees what everyone types again.
            wait_until(lambda: all(sees_everyone(c, doc, len(clients), since) for c in clients), 90)
        assert running.process_of(doc.id) == other
        assert_stored_once(running, doc, clients, typed, "Prima del guasto.")


def test_redis_restarted_while_people_type_loses_nothing(running: Shared) -> None:
    doc = running.world.document("Durante il riavvio.\n")
    first, second = running.routes["tavolo1"], running.routes["tavolo2"]
    with people(running, doc, ("writer1", first), ("writer2", second)) as clients:
        try:
            with typing_tokens(clients, doc.section_id, PACE) as typed:
                wait_until(lambda: all(sees_everyone(c, doc, len(clients)) for c in clients), 60)
                running.redis.stop()
                acknowledged = [len(c.acks) for c in clients]
                # Typing goes on, stored and acknowledged by each process.
                wait_until(
                    lambda: all(
                        len(c.acks) > n + 20 for c, n in zip(clients, acknowledged, strict=True)
                    ),
                    60,
                )
                # People still enter with their link: the limits count in memory meanwhile.
                link = running.world.links["writer3"]
                assert requests.get(link, timeout=20).status_code == 200
                running.redis.start()
                since = newest_token(clients, doc) + 3
                # Relaying between the processes resumes.
                wait_until(
                    lambda: all(sees_everyone(c, doc, len(clients), since) for c in clients), 90
                )
        finally:
            running.redis.start_if_stopped()
        # What was relayed only within each process while Redis was away reaches the
        # other's people too, without their asking.
        wait_until(lambda: everyone_shows_stored(running, doc, clients, typed), 60)
        assert_stored_once(running, doc, clients, typed, "Durante il riavvio.")


def everyone_shows_stored(
    shared: Shared, doc: Doc, clients: list[WatchedClient], typed: dict
) -> bool:
    text = shared.world.body(doc)
    tokens = sorted(t for tokens in typed.values() for t in tokens)
    return sorted(TOKEN.findall(text)) == tokens and all(
        c.text(doc.section_id) == text for c in clients
    )


def test_database_unreachable_edits_are_refused_then_stored(running: Shared) -> None:
    doc = running.world.document("Senza database.\n")
    first, second = running.routes["tavolo1"], running.routes["tavolo2"]
    with people(running, doc, ("writer1", first), ("writer2", second)) as clients:
        for client in clients:
            client.insert(doc.section_id, 0, "Prima. ")
        settle(clients, SETTLED)
        logged = running.world.server.sql(
            "SELECT COUNT(*) FROM section_update WHERE section_id = ?", doc.section_id
        )
        running.relay.cut()
        try:
            answered = [len(c.acks) for c in clients]
            for number, client in enumerate(clients):
                client.insert(doc.section_id, 0, f"⟦{number}.0⟧ ")
            wait_until(
                lambda: all(len(c.acks) > n for c, n in zip(clients, answered, strict=True)), 60
            )
            for client, before in zip(clients, answered, strict=True):
                refusals = [reply for _, reply in client.acks[before:]]
                assert refusals and all(not reply["ok"] for reply in refusals)
                assert {reply["error"]["code"] for reply in refusals} == {"server_error"}
                # What the editor shows beside «Non salvato» while it sends the change again.
                assert any(
                    e["code"] == "server_error" and "non riesce a salvare" in e["message"]
                    for e in client.errors
                )
            assert (
                running.world.server.sql(
                    "SELECT COUNT(*) FROM section_update WHERE section_id = ?", doc.section_id
                )
                == logged
            )
        finally:
            running.relay.restore()
        # Sent again, now stored.
        typed = {n: [f"⟦{n}.0⟧"] for n in range(len(clients))}
        assert_stored_once(running, doc, clients, typed, "Senza database.")


def test_the_console_shows_who_is_present_on_every_process(running: Shared) -> None:
    doc = running.world.document("Chi c'è.\n")
    first, second = running.routes["tavolo1"], running.routes["tavolo2"]
    names = [PEOPLE["writer1"][1], PEOPLE["writer2"][1]]
    facilitator = requests.Session()
    enter(facilitator, running.world.links["facilitator"])
    consoles = [
        f"http://127.0.0.1:{port}/workshops/{running.world.workshop_id}/console"
        for port in running.cluster.shape.ports
    ]

    def shown(console: str) -> list[str]:
        page = facilitator.get(console, timeout=30).text
        return [name for name in names if name in page]

    with people(running, doc, ("writer1", first), ("writer2", second)) as clients:
        assert [shown(console) for console in consoles] == [[], []]
        for client in clients:
            client.set_presence(doc.section_id)
        # Whichever process answers the page, it names both, each on another process.
        for console in consoles:
            wait_until(lambda console=console: shown(console) == names, 60)


def test_logging_out_closes_the_logins_connections_on_every_process(running: Shared) -> None:
    doc = running.world.document("Uscita.\n")
    # Connected to the first process, logging out through the second.
    answering = running.cluster.shape.ports[1]
    route = running.routes["tavolo1"]
    with people(running, doc, ("writer4", route)) as (client,):
        page = f"http://127.0.0.1:{answering}/workshops/{running.world.workshop_id}"
        token = csrf_token(client._http, page)
        out = client._http.post(
            f"http://127.0.0.1:{answering}/esci",
            data={"csrf_token": token},
            headers={"Referer": page},
            allow_redirects=False,
        )
        assert out.status_code == 302
        wait_until(lambda: not client.connected, 30)


def test_limits_count_on_every_process(running: Shared) -> None:
    """Twenty wrong links a minute from one address, wherever they are tried."""
    wrong = "/i/" + "x" * 32
    # Another address than the tests' own (the proxy is trusted to say whom it serves).
    someone = {"X-Forwarded-For": "198.51.100.7"}
    answers = [
        requests.get(f"http://127.0.0.1:{port}{wrong}", headers=someone, timeout=30).status_code
        for _ in range(13)
        for port in running.cluster.shape.ports
    ]
    assert 429 not in answers[:20]
    assert set(answers[20:]) == {429}


def test_the_agendas_transitions_apply_once_with_every_process_ticking(running: Shared) -> None:
    """Both processes look for due transitions twice a second: each session opens its
    section once and locks it once."""
    sql = running.world.server.sql
    sections = [running.world.document("Sessione.\n", state="locked").section_id for _ in range(6)]
    # Each session with its section in one statement: a tick between the two would
    # open a session without its section.
    sessions = [
        sql(
            "WITH made AS (INSERT INTO agenda_session (workshop_id, title, room, starts_at,"
            " ends_at, open_at_start, lock_at_end, created_at) VALUES (?, 'Sessione', '',"
            " (now() at time zone 'utc') - interval '1 minute',"
            " (now() at time zone 'utc') + interval '8 seconds', true, true,"
            " now() at time zone 'utc') RETURNING id)"
            " INSERT INTO agenda_session_section SELECT id, ? FROM made RETURNING session_id",
            running.world.workshop_id,
            section,
        )[0][0]
        for section in sections
    ]

    def events(action: str) -> list[tuple]:
        return sql(
            "SELECT object_id, COUNT(*) FROM audit_event WHERE action = ?"
            " AND object_id = ANY(?) GROUP BY object_id ORDER BY object_id",
            action,
            sessions,
        )

    wait_until(
        lambda: (
            sql(
                "SELECT COUNT(*) FROM agenda_session WHERE id = ANY(?) AND locked_at IS NOT NULL",
                sessions,
            )[0][0]
            == len(sessions)
        ),
        60,
    )
    # A process that read a transition as due just before the other applied it has
    # tried to claim it within its tick: three ticks later every attempt is over.
    time.sleep(1.5)
    assert events("agenda.sections_opened") == [(s, 1) for s in sorted(sessions)]
    assert events("agenda.sections_locked") == [(s, 1) for s in sorted(sessions)]
    assert {state for (state,) in sql("SELECT state FROM section WHERE id = ANY(?)", sections)} == {
        "locked"
    }


def test_a_section_locked_through_one_process_is_locked_for_people_on_the_other(
    running: Shared,
) -> None:
    doc = running.world.document("Da bloccare.\n")
    route = running.routes["tavolo2"]
    with people(running, doc, ("writer6", route)) as (client,):
        client.insert(doc.section_id, 0, "Scritto. ")
        client.wait_synced(SETTLED)
        facilitator = requests.Session()
        enter(facilitator, running.world.links["facilitator"])
        first = f"http://127.0.0.1:{running.cluster.shape.ports[0]}"
        console = f"{first}/workshops/{running.world.workshop_id}/console"
        locked = facilitator.post(
            f"{console}/sezioni/{doc.section_id}",
            data={"state": "locked", "csrf_token": csrf_token(facilitator, console)},
            headers={"Referer": console},
            allow_redirects=False,
        )
        assert locked.status_code == 302
        # Told through Redis, by the process that locked it.
        wait_until(lambda: client.section_states.get(doc.section_id, {}).get("state") == "locked")
        answered = len(client.acks)
        client.insert(doc.section_id, 0, "Troppo tardi. ")
        wait_until(lambda: len(client.acks) > answered)
        assert client.acks[-1][1]["error"]["code"] == "section_locked"
        assert running.world.body(doc) == "Scritto. Da bloccare.\n"


def test_a_restore_through_one_process_sees_what_was_typed_through_the_other(
    running: Shared,
) -> None:
    """The first process holds the section from before the typing; the restore it makes
    must start from the text as the second process stored it, or it would change
    nothing and say it restored."""
    doc = running.world.document("Testo salvato.")
    first, second = running.routes["tavolo1"], running.routes["tavolo2"]
    with people(running, doc, ("writer1", first)) as (early,):
        early.wait_synced(SETTLED)
    facilitator = requests.Session()
    enter(facilitator, running.world.links["facilitator"])
    process = f"http://127.0.0.1:{running.cluster.shape.ports[0]}"
    versions = f"{process}/documents/{doc.id}/versions"

    def post(url: str, data: dict) -> int:
        token = csrf_token(facilitator, versions)
        answer = facilitator.post(
            url,
            data={**data, "csrf_token": token},
            headers={"Referer": versions},
            allow_redirects=False,
        )
        return answer.status_code

    assert post(versions, {"name": "Prima della giornata"}) == 302
    ((version,),) = running.world.server.sql("SELECT id FROM version WHERE document_id = ?", doc.id)
    with people(running, doc, ("writer2", second)) as (late,):
        late.insert(doc.section_id, 0, "Aggiunto dopo. ")
        late.wait_synced(SETTLED)
        assert post(f"{versions}/{version}/restore", {}) == 302
        assert running.world.body(doc) == "Testo salvato."
        wait_until(lambda: late.text(doc.section_id) == "Testo salvato.")
