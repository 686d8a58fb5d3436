"""Nothing one person sends runs unbounded on the server's event loop (gevent mode, one
thread for every connection): a section's text has a size limit, refused before it is
acknowledged, and the worst Markdown a person can post or type costs a worker process,
never the loop, so `/healthz` keeps answering in well under a second.

The one timed assertion here is a correctness bound with a wide margin: before these
limits the same requests held every page and socket for 6 to 29 seconds."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from app.realtime.client import TavoloClient, enter
from tests.realtime.conftest import Doc, World
from tests.realtime.helpers import csrf_token, wait_until

SECTION_MAX_BYTES = 150 * 1024
# Just under the section limit: the worst that can be stored or previewed.
BRACKETS = "[" * (SECTION_MAX_BYTES - 10)
IMAGES = "![" * ((SECTION_MAX_BYTES - 10) // 2)


def _joined(world: World, persona: str, doc_id: int) -> TavoloClient:
    client = TavoloClient(world.links[persona])
    client.join(doc_id)
    return client


def _page(world: World, persona: str, doc_id: int) -> tuple[requests.Session, str]:
    """A logged-in browser session and the CSRF token of the document page."""
    http = requests.Session()
    enter(http, world.links[persona], timeout=30)
    return http, csrf_token(http, f"{world.base_url}/documents/{doc_id}")


def _with_a_version(world: World, body: str) -> tuple[Doc, requests.Session]:
    """A document holding `body` and a version of it saved by the facilitator, whose
    browser session comes with it."""
    doc = world.document(body)
    http, token = _page(world, "facilitator", doc.id)
    saved = http.post(
        f"{world.base_url}/documents/{doc.id}/versions",
        data={"name": "mattina", "csrf_token": token},
        timeout=60,
    )
    assert saved.status_code == 200
    return doc, http


@contextmanager
def _meanwhile(work: Callable[[], object]) -> Iterator[None]:
    """Runs `work` in a thread, and waits for it to end after the block."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as error:  # reported after the block
            failures.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert not failures, failures


def _healthz_seconds(world: World) -> float:
    started = time.perf_counter()
    response = requests.get(f"{world.base_url}/healthz", timeout=60)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    print(f"healthz {elapsed:.3f} s")  # the figures of docs/security.md, with -s
    return elapsed


def _healthz_while(world: World, work: Callable[[], object]) -> float:
    """How long `/healthz` takes while `work` runs, measured once the work has started
    (it has sent its request and the server is busy with it)."""
    with _meanwhile(work):
        time.sleep(0.3)
        return _healthz_seconds(world)


def _healthz_while_getting(
    world: World, http: requests.Session, url: str
) -> tuple[float, requests.Response]:
    """How long `/healthz` takes while this session opens `url`, and what it got."""
    answers: list[requests.Response] = []
    seconds = _healthz_while(world, lambda: answers.append(http.get(url, timeout=120)))
    return seconds, answers[0]


def test_a_text_beyond_the_section_limit_is_refused_before_it_is_acknowledged(
    world: World,
) -> None:
    doc = world.document("Breve.")
    client = _joined(world, "participant", doc.id)
    try:
        client.insert(doc.section_id, 6, " Scritto prima.")
        client.wait_synced()
        client.insert(doc.section_id, 0, "x" * SECTION_MAX_BYTES)
        wait_until(lambda: "text_too_long" in [e["code"] for e in client.errors])
        client.wait_synced()
        refusal = next(e for e in client.errors if e["code"] == "text_too_long")
        assert "Dividi il testo in più sezioni" in refusal["message"]
        assert client.text(doc.section_id) == world.body(doc) == "Breve. Scritto prima."
        # The section still takes text, up to the limit.
        client.insert(doc.section_id, 0, "Dopo. ")
        client.wait_synced()
        assert world.body(doc) == "Dopo. Breve. Scritto prima."
        assert client.connected
    finally:
        client.close()


def test_the_server_answers_while_someone_previews_the_worst_markdown(world: World) -> None:
    doc = world.document("Testo.")
    http, token = _page(world, "observer", doc.id)
    url = f"{world.base_url}/sections/{doc.section_id}/preview"
    answers: list[requests.Response] = []

    def preview(body: str) -> Callable[[], object]:
        return lambda: answers.append(
            http.post(url, json={"body": body}, headers={"X-CSRFToken": token}, timeout=120)
        )

    # 2 MB is refused for its size; 150 KB of brackets goes to a worker (rendered there,
    # or shown as typed if the worker runs out of time).
    seconds = [
        _healthz_while(world, preview("[" * (2 * 1024 * 1024))),
        _healthz_while(world, preview(BRACKETS)),
    ]
    assert max(seconds) < 1.0, seconds
    assert answers[0].status_code == 413
    assert "lunghezza massima" in answers[0].json()["error"]["message"]
    assert answers[1].status_code == 200
    assert "[[[[" in answers[1].json()["html"]


def test_the_server_answers_while_someone_views_a_hostile_section(world: World) -> None:
    doc = world.document(IMAGES)
    http = requests.Session()
    enter(http, world.links["participant"], timeout=30)
    page = f"{world.base_url}/documents/{doc.id}"
    seconds, first = _healthz_while_getting(world, http, page)
    # Once more: the outcome is remembered, the page no longer waits for a worker.
    again, second = _healthz_while_getting(world, http, page)
    assert max(seconds, again) < 1.0, (seconds, again)
    assert all(p.status_code == 200 and "![![![" in p.text for p in (first, second))


def test_the_server_answers_while_someone_renders_a_redline(world: World) -> None:
    doc, http = _with_a_version(world, "Prima versione.")
    world.server.sql(
        "UPDATE section SET body = ? WHERE id = ?", "Ogni parola cambia. " * 5000, doc.section_id
    )
    redline = f"{world.base_url}/documents/{doc.id}/compare/redline.pdf"
    seconds, pdf = _healthz_while_getting(world, http, redline)
    assert seconds < 1.0, seconds
    assert pdf.status_code in (200, 503)


def _render_workers(server_pid: int) -> list[int]:
    """The export workers the server has started and that are still running."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
            command = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields.get("PPid", "0")) == server_pid and b"exports/worker.py" in command:
            found.append(int(status.parent.name))
    return found


def test_a_redline_nobody_waits_for_any_more_is_stopped(world: World) -> None:
    """The comparison of a whole section rewritten takes WeasyPrint far longer than the
    few seconds given here; once the browser has closed the connection, its worker is
    killed at the next check (every half second), not at the time limit."""
    doc, http = _with_a_version(world, "Prima versione.")
    rewritten = " ".join(f"parola{n}" for n in range(SECTION_MAX_BYTES // 12))
    world.server.sql("UPDATE section SET body = ? WHERE id = ?", rewritten, doc.section_id)
    cookies = "; ".join(f"{k}={v}" for k, v in http.cookies.get_dict().items())
    browser = socket.create_connection(("127.0.0.1", world.server.port))
    browser.sendall(
        f"GET /documents/{doc.id}/compare/redline.pdf HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{world.server.port}\r\nCookie: {cookies}\r\n\r\n".encode()
    )
    wait_until(lambda: len(_render_workers(world.server.pid)) == 1, timeout=60)
    browser.close()
    wait_until(lambda: not _render_workers(world.server.pid), timeout=5)
    assert _healthz_seconds(world) < 1.0


def test_the_server_answers_while_someone_compares_two_long_versions(world: World) -> None:
    """Two versions of a section at the limit, one word in two changed: the word diff
    takes seconds (up to its 10 s timeout), on a thread of its own."""
    words = [f"parola{n}" for n in range(SECTION_MAX_BYTES // 12)]
    doc, http = _with_a_version(world, " ".join(words))
    changed = " ".join(w if n % 2 else f"x{w}" for n, w in enumerate(words))
    world.server.sql("UPDATE section SET body = ? WHERE id = ?", changed, doc.section_id)
    compare = f"{world.base_url}/documents/{doc.id}/compare"
    seconds, page = _healthz_while_getting(world, http, compare)
    assert seconds < 1.0, seconds
    assert page.status_code == 200


def test_the_server_answers_while_someone_imports_the_worst_markdown(world: World) -> None:
    """A facilitator imports a text of brackets just under the section limit: its
    sections are read (two seconds of the parser, 32 s for a megabyte) by a worker at the
    upload and again at the confirmation, while everyone else is served."""
    http = requests.Session()
    enter(http, world.links["facilitator"], timeout=30)
    form = f"{world.base_url}/workshops/{world.workshop_id}/import"
    token = csrf_token(http, form)
    hostile = "# Parentesi\n\n" + "[" * (SECTION_MAX_BYTES - 1024)
    answers: list[requests.Response] = []

    def upload() -> None:
        answers.append(
            http.post(
                form,
                data={"csrf_token": token, "level": "1"},
                files={"file": ("parentesi.md", hostile.encode())},
                allow_redirects=False,
                timeout=120,
            )
        )

    uploading = _healthz_while(world, upload)
    assert answers[0].status_code == 302, answers[0].text[-500:]
    preview = world.base_url + answers[0].headers["Location"]
    page = http.get(preview, timeout=60)
    assert page.status_code == 200 and "Parentesi" in page.text

    def confirm() -> None:
        answers.append(
            http.post(
                preview.split("?")[0],
                data={"csrf_token": token, "title": "Parentesi", "level": "1"},
                allow_redirects=False,
                timeout=120,
            )
        )

    confirming = _healthz_while(world, confirm)
    assert max(uploading, confirming) < 1.0, (uploading, confirming)
    assert answers[1].status_code == 302, answers[1].text[-500:]
    assert "/documents/" in answers[1].headers["Location"]


def test_the_server_answers_while_someone_asks_to_freeze_a_hostile_text(world: World) -> None:
    """The checklist before freezing lists the template's hints of every section: they
    are read off the page's HTML (rendered by a worker, with its time limit), not by
    parsing each section again on the server's loop (75,000 "*a" took it 7 s). This
    text runs out of the worker's time: shown as typed, it has no hints to list."""
    doc = world.document("*a" * ((SECTION_MAX_BYTES - 10) // 2))
    http, token = _page(world, "facilitator", doc.id)
    answers: list[requests.Response] = []
    seconds = _healthz_while(
        world,
        lambda: answers.append(
            http.post(
                f"{world.base_url}/documents/{doc.id}/status",
                data={"csrf_token": token, "status": "frozen"},
                timeout=120,
            )
        ),
    )
    assert seconds < 1.0, seconds
    assert answers[0].status_code == 200
    assert 'name="confirm" value="y"' in answers[0].text
