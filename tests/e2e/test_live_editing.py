"""Live co-editing in real browsers: two people write in the same section, one of them
loses the connection and keeps typing, and nothing is lost. What Etherpad and HedgeDoc
users complain about (silent disconnects, text gone after a reload) is what this checks.

Screenshots of the save indicator in each state go to tests/e2e/screenshots/."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from app.core.words import count_words
from tests.e2e.conftest import SCREENSHOTS, enter, section_editor
from tests.realtime.server import LiveServer

ROOT = Path(__file__).resolve().parents[2]
SOCKET = re.compile(r"/socket\.io/")
OFFLINE = re.compile(r"Non salvato — in attesa di connessione \((\d+) modific(?:a|he)\)")
WRITERS = [
    ("Giovanna Làzzari", "giovanna@e2e.example.org"),
    ("Niccolò Esposito", "niccolo@e2e.example.org"),
]
# Long enough for Socket.IO's reconnection backoff (at most 5 s) plus a sync.
RECONNECT_MS = 20_000
LOST = "Connessione persa: puoi continuare a scrivere, il testo è conservato su questo dispositivo"


def demo_server(instance: Path, port: int | None = None) -> tuple[LiveServer, dict]:
    """A started server with the demo workshop and two participants who write together."""
    bundle = ROOT / "static" / "build" / "editor.js"
    assert bundle.exists(), "the editor is not built: node static/build.mjs"
    server = LiveServer(instance)
    if port is not None:
        server.port = port
        server.base_url = f"http://127.0.0.1:{port}"
        server.env.update(PORT=str(port), BASE_URL=server.base_url)
    server.prepare_database()
    outputs = server.tavolo(
        ["tavolo", "demo"],
        *(["tavolo", "invite", "1", "--name", name, "--email", email] for name, email in WRITERS),
        ["tavolo", "list-documents", "1"],
    )
    server.start()
    return server, {
        "server": server,
        "writers": outputs[1:3],
        "document": int(outputs[3].split("\t")[0]),
    }


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    server, world = demo_server(tmp_path_factory.mktemp("editor"))
    try:
        yield world
    finally:
        server.stop()


@pytest.fixture(scope="module", autouse=True)
def screenshots() -> None:
    SCREENSHOTS.mkdir(exist_ok=True)


def open_document(context: BrowserContext, link: str, live: dict) -> Page:
    page = context.new_page()
    enter(page, link)
    page.goto(f"{live['server'].base_url}/documents/{live['document']}")
    return page


def stored_on_device(page: Page, document_id: int, text: str, index: int = 0) -> None:
    """IndexedDB writes are asynchronous: a reload in the same millisecond as the last
    keystroke may interrupt the write. Waits until the text has reached the device's
    store, which is what a reload is promised to bring back."""
    section_id = (
        section_editor(page, index)
        .locator("xpath=ancestor::section")
        .get_attribute("data-section-id")
    )
    page.wait_for_function(
        """([name, needle]) => new Promise(resolve => {
            const open = indexedDB.open(name)
            open.onsuccess = () => {
              const store = open.result.transaction('updates').objectStore('updates')
              const all = store.getAll()
              all.onsuccess = () => {
                const bytes = all.result.map(u => new TextDecoder().decode(u)).join('')
                open.result.close()
                resolve(bytes.includes(needle))
              }
            }
            open.onerror = () => resolve(false)
        })""",
        arg=[f"tavolo-doc{document_id}-sec{section_id}", text],
        timeout=10_000,
    )


def indicator(page: Page, index: int = 0) -> Locator:
    return section_editor(page, index).locator(".tv-editor__save")


# Other people's cursors are drawn inside the lines, with their names, and are not text.
LINES_AS_READ = """content => Array.from(content.querySelectorAll('.cm-line'), line => {
    const copy = line.cloneNode(true)
    copy.querySelectorAll('.cm-ySelectionCaret').forEach(node => node.remove())
    return copy.textContent
}).join('\\n')"""


def text_of(page: Page, index: int = 0) -> str:
    return section_editor(page, index).locator(".cm-content").evaluate(LINES_AS_READ)


def shows(page: Page, text: str, index: int = 0) -> None:
    expect(section_editor(page, index).locator(".cm-content")).to_contain_text(text)


def type_at_end(page: Page, text: str, index: int = 0) -> None:
    section_editor(page, index).locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def stored_body(live: dict, page: Page) -> str:
    """The text the server stores for pages and exports, once it includes the whole log
    (a moment after the last update)."""
    section_id = int(section_editor(page).locator("xpath=..").get_attribute("data-section-id"))
    return live["server"].settled_body(section_id)


class Network:
    """The live connection of one browser context, under the test's control.

    `hold()` keeps what the browser sends until `release()`, so that the moment between
    a change and its acknowledgement ("Salvataggio…") lasts long enough to be seen.
    `down()` cuts the connection as a lost Wi-Fi would: offline emulation for the page
    and its long-polling, and the routed WebSocket closed (Playwright carries a routed
    WebSocket itself, so offline emulation alone would not stop it)."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.holding = False
        self.cut = False
        self.held: list = []
        self.page_side = None
        self.server_side = None
        context.route_web_socket(SOCKET, self._connect)

    def _connect(self, socket) -> None:  # type: ignore[no-untyped-def]
        if self.cut:
            socket.close()
            return
        self.page_side = socket
        self.server_side = socket.connect_to_server()
        socket.on_message(self._forward)

    def _forward(self, message) -> None:  # type: ignore[no-untyped-def]
        if self.holding:
            self.held.append(message)
        else:
            self.server_side.send(message)

    def hold(self) -> None:
        self.holding = True

    def release(self) -> None:
        self.holding = False
        for message in self.held:
            self.server_side.send(message)
        self.held.clear()

    def down(self) -> None:
        self.cut = True
        self.context.set_offline(True)
        if self.page_side is not None:
            self.page_side.close()

    def up(self) -> None:
        self.cut = False
        self.context.set_offline(False)


@pytest.mark.e2e
def test_offline_typing_is_kept_and_both_people_converge(live: dict, browser: Browser) -> None:
    first_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
    network = Network(first_ctx)
    second_ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="it-IT"
    )
    try:
        first = open_document(first_ctx, live["writers"][0], live)
        second = open_document(second_ctx, live["writers"][1], live)
        for page in (first, second):
            expect(indicator(page)).to_have_text("Salvato")
            expect(page.locator("#live-presence")).to_contain_text("2 persone nel documento")

        # Online: the change waits for its acknowledgement, then it is saved.
        network.hold()
        type_at_end(first, "\n\nPrima proposta scritta insieme.")
        expect(indicator(first)).to_have_text("Salvataggio…")
        section_editor(first).screenshot(path=SCREENSHOTS / "editor-saving.png")
        network.release()
        expect(indicator(first)).to_have_text("Salvato")
        section_editor(first).screenshot(path=SCREENSHOTS / "editor-saved.png")
        shows(second, "Prima proposta scritta insieme.")

        # Offline: typing goes on, accents and emoji included, and the page says so.
        network.down()
        expect(first.locator("#live-banner")).to_have_text(LOST)
        offline_words = " Perché la città è più unita: già fatto, però c'è ancora lavoro 🙂."
        type_at_end(first, offline_words)
        first.wait_for_timeout(1500)
        type_at_end(first, " Niente è perso 💪.")
        expect(indicator(first)).to_have_text(OFFLINE)
        changes = int(OFFLINE.search(indicator(first).inner_text()).group(1))
        assert changes >= 2
        assert "Niente è perso 💪." in text_of(first)
        section_editor(first).screenshot(path=SCREENSHOTS / "editor-offline.png")
        first.screenshot(path=SCREENSHOTS / "editor-offline-page.png")

        # Meanwhile the other person, on a phone, writes in the same section.
        type_at_end(second, "\n\nSecondo contributo, dal telefono.")
        expect(indicator(second)).to_have_text("Salvato")
        second.screenshot(path=SCREENSHOTS / "editor-phone.png")
        assert "Niente è perso" not in text_of(second)

        # Back online: what was typed offline reaches the server and the other person.
        network.up()
        expect(indicator(first)).to_have_text("Salvato", timeout=RECONNECT_MS)
        expect(first.locator("#live-banner")).to_contain_text("Connessione ristabilita")
        section_editor(first).screenshot(path=SCREENSHOTS / "editor-reconnected.png")
        shows(second, "Niente è perso 💪.")
        shows(first, "Secondo contributo, dal telefono.")

        final = text_of(first)
        assert text_of(second) == final
        typed = ["Prima proposta scritta insieme.", offline_words.strip(), "Niente è perso 💪."]
        assert all(piece in final for piece in [*typed, "Secondo contributo, dal telefono."])
        assert stored_body(live, first) == final
        words = count_words(final)
        expect(section_editor(first).locator(".tv-editor__words")).to_have_text(
            re.compile(rf"^{words} / \d+ parole$")
        )
    finally:
        first_ctx.close()
        second_ctx.close()


@pytest.mark.e2e
def test_text_typed_before_a_reload_without_connection_is_restored_and_sent(
    live: dict, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
    network = Network(context)
    reader_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
    try:
        page = open_document(context, live["writers"][0], live)
        reader = open_document(reader_ctx, live["writers"][1], live)
        expect(indicator(page, 1)).to_have_text("Salvato")

        network.down()
        type_at_end(page, " Scritto senza rete, poi la pagina è stata ricaricata.", 1)
        expect(indicator(page, 1)).to_have_text(OFFLINE)
        stored_on_device(page, live["document"], "ricaricata", 1)
        # The page comes back from the server but the live connection does not (a proxy
        # or a restarting server): the reload must still show what was typed before it.
        context.route(SOCKET, lambda route: route.abort())
        context.set_offline(False)
        page.reload()
        shows(page, "poi la pagina è stata ricaricata.", 1)
        expect(indicator(page, 1)).to_have_text(OFFLINE)
        section_editor(page, 1).screenshot(path=SCREENSHOTS / "editor-restored-after-reload.png")
        assert "poi la pagina è stata ricaricata." not in text_of(reader, 1)

        context.unroute(SOCKET)
        network.up()
        expect(indicator(page, 1)).to_have_text("Salvato", timeout=RECONNECT_MS)
        shows(reader, "poi la pagina è stata ricaricata.", 1)
        assert text_of(reader, 1) == text_of(page, 1)
    finally:
        context.close()
        reader_ctx.close()


@pytest.mark.e2e
def test_a_copy_from_a_replaced_database_never_enters_the_new_document(
    tmp_path: Path, browser: Browser
) -> None:
    """A rehearsal on the facilitator's laptop, then a fresh database for the real day:
    the same address, the same document and section ids, and the browser still holds
    the rehearsal's text in IndexedDB. It must not be merged into the real text."""
    rehearsal, world = demo_server(tmp_path / "rehearsal")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="it-IT")
    try:
        page = open_document(context, world["writers"][0], world)
        expect(indicator(page)).to_have_text("Salvato")
        type_at_end(page, " Testo della prova generale.")
        expect(indicator(page)).to_have_text("Salvato")
        page.close()
        rehearsal.stop()

        real_day, world = demo_server(tmp_path / "real-day", rehearsal.port)
        try:
            page = open_document(context, world["writers"][0], world)
            expect(indicator(page)).to_have_text("Salvato")
            page.wait_for_timeout(1000)
            assert "prova generale" not in text_of(page)
            assert "prova generale" not in stored_body(world, page)
        finally:
            real_day.stop()
    finally:
        context.close()
        rehearsal.stop()


def test_word_count_in_the_browser_matches_the_server() -> None:
    """The editor counts words in JavaScript while typing; the server, the forms and the
    export count them in Python. Both must give the same number."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    samples = [
        "dell'ASL e l'abitare",
        "Spesi 1.234,50 euro nel socio-sanitario",
        "## Titolo\n\n- **uno** e _due_\n- [tre](https://example.org/a-b-c)\n\n> citazione",
        "1. Primo punto[^1]\n2) Secondo\n\n[^1]: Nota.\n\nVedi <https://example.org/x-y>",
        "Perché la città è più unita: già fatto 🙂 — però c'è ancora lavoro.",
        "```\ncodice_di_esempio()\n```\n\n> 3. citato\n>4) elenco",
        "| Colonna 1 | Colonna 2 |\n| --- | --- |\n| 10,5 % | e-mail |",
        "snake_case, «virgolette» e numeri: 1.000.000 e 3,14",
    ]
    module = (ROOT / "static" / "src" / "editor" / "words.js").as_uri()
    script = (
        f"import {{ countWords }} from {json.dumps(module)};"
        "const samples = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(samples.map(countWords)));"
    )
    completed = subprocess.run(
        [node, "--input-type=module", "-e", script, json.dumps(samples)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert json.loads(completed.stdout) == [count_words(sample) for sample in samples]
