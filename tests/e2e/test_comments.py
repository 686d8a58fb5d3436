"""Comments in real browsers: two participants and a facilitator on the same document.
A comment anchored on a selected passage, a reply seen live by the other participant,
the thread resolved; then a passage someone commented is deleted from the text and its
comment moves, visibly, to the "no longer anchored" list. Screenshots go to
docs/screenshots/comments-*.png with `make screenshots`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import DESKTOP, DOCS_SCREENSHOTS, check_accessibility, enter
from tests.realtime.server import LiveServer

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = [
    ("Giovanna Làzzari", "giovanna@commenti.example.org"),
    ("Niccolò Esposito", "niccolo@commenti.example.org"),
]
FIRST_LINE = "La casa di comunità apre in ogni quartiere entro il 2027."
SECOND_LINE = "Un fondo comune finanzia gli alloggi temporanei."
LIVE_MS = 15_000


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[dict]:  # type: ignore[no-untyped-def]
    assert (ROOT / "static" / "build" / "comments.js").exists(), "node static/build.mjs"
    server = LiveServer(tmp_path_factory.mktemp("comments"))
    server.prepare_database()
    outputs = server.tavolo(
        ["tavolo", "demo"],
        *(["tavolo", "invite", "1", "--name", name, "--email", email] for name, email in PEOPLE),
        ["tavolo", "list-documents", "1"],
    )
    server.start()
    try:
        yield {
            "base": server.base_url,
            "facilitator": outputs[0],
            "giovanna": outputs[1],
            "niccolo": outputs[2],
            "document": int(outputs[3].split("\t")[0]),
        }
    finally:
        server.stop()


def _open(context: BrowserContext, link: str, world: dict) -> Page:
    page = context.new_page()
    enter(page, link)
    page.goto(f"{world['base']}/documents/{world['document']}")
    expect(page.locator(".tv-editor .cm-content").first).to_be_visible()
    return page


def _area(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("[data-comments]").first


def _open_comments(page: Page) -> None:
    details = _area(page).locator("[data-comments-details]")
    if details.get_attribute("open") is None:
        details.locator("summary").first.click()


def _type_line_and_select_it(page: Page, line: str) -> None:
    content = page.locator(".tv-editor .cm-content").first
    content.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type(line)
    page.keyboard.press("Shift+Home")


def _comment_on_selection(page: Page, text: str) -> None:
    _open_comments(page)
    form = _area(page).locator("[data-new-comment]")
    expect(form.locator("[data-anchor-choice]")).to_be_visible()
    expect(form.locator("[data-anchor-toggle]")).to_be_checked()
    form.locator("textarea").fill(text)
    form.get_by_role("button", name="Commenta").click()


def _shot(page: Page, name: str) -> None:
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SCREENSHOTS / f"comments-{name}.png"), full_page=False)


def test_anchored_comment_reply_resolve_and_orphan(world: dict, browser: Browser) -> None:
    contexts = [browser.new_context(**DESKTOP) for _ in range(3)]
    giovanna = _open(contexts[0], world["giovanna"], world)
    niccolo = _open(contexts[1], world["niccolo"], world)
    facilitator = _open(contexts[2], world["facilitator"], world)
    errors: list[str] = []
    for page in (giovanna, niccolo, facilitator):
        page.on("pageerror", lambda error: errors.append(str(error)))

    # Giovanna writes a sentence, selects it and comments on it, mentioning Niccolò.
    _type_line_and_select_it(giovanna, FIRST_LINE)
    preview = _area(giovanna).locator("[data-anchor-preview]")
    _comment_on_selection(giovanna, "Serve una data precisa, @Niccolò Esposito?")
    expect(preview).to_have_count(1)
    thread = _area(giovanna).locator(".comment-thread").first
    expect(thread.locator(".comment__quote")).to_have_text(f"«{FIRST_LINE}»")

    # Niccolò sees it arrive without reloading, and answers.
    niccolo_thread = _area(niccolo).locator(".comment-thread").first
    expect(niccolo_thread).to_contain_text("Serve una data precisa", timeout=LIVE_MS)
    expect(niccolo_thread.locator(".comment__quote")).to_have_text(f"«{FIRST_LINE}»")
    # The passage is highlighted in both editors; "Mostra nel testo" points at it.
    expect(giovanna.locator(".tv-editor .tv-annotation").first).to_have_text(FIRST_LINE)
    niccolo_thread.get_by_role("button", name="Mostra nel testo").click()
    expect(niccolo.locator(".tv-editor .tv-annotation--current")).to_have_text(FIRST_LINE)
    niccolo_thread.get_by_text("Rispondi").click()
    niccolo_thread.locator("textarea[name=body]").last.fill("Sì: <b>entro marzo</b>, lo scrivo.")
    niccolo_thread.get_by_role("button", name="Invia la risposta").click()

    # Giovanna sees the reply live, as typed (markup shown as text).
    reply = _area(giovanna).locator(".comment-reply").first
    expect(reply).to_contain_text("Sì: <b>entro marzo</b>, lo scrivo.", timeout=LIVE_MS)
    expect(facilitator.locator("[data-deliberation-panel]")).to_contain_text(
        "1 commento aperto", timeout=LIVE_MS
    )
    _shot(giovanna, "thread")
    _shot(facilitator, "panel")
    check_accessibility(giovanna, "the document page with a comment thread")

    # Niccolò was mentioned: the bell says so.
    niccolo.reload()
    expect(niccolo.locator("[data-notifications-bell]")).to_contain_text("1")
    notices = contexts[1].new_page()
    notices.goto(f"{world['base']}/notifications")
    notice = notices.locator(".notice-item button").first
    expect(notice).to_have_text("Giovanna Làzzari ti ha citato in «Premessa»")
    check_accessibility(notices, "the notifications page")
    _shot(notices, "notifications")
    notice.click()
    expect(notices).to_have_url(re.compile(r"/documents/\d+#commento-\d+$"))
    notices.close()
    niccolo.reload()
    expect(niccolo.locator("[data-notifications-bell]")).not_to_contain_text("1")
    # Back in the document's live room before anything else happens.
    expect(niccolo.locator("#live-presence")).to_be_visible()

    # Giovanna resolves her thread; everybody sees it among the resolved ones.
    _area(giovanna).locator(".comment-thread").first.get_by_role("button", name="Risolvi").click()
    expect(_area(niccolo)).to_contain_text("1 discussione risolta", timeout=LIVE_MS)

    # Niccolò comments on another sentence; Giovanna then deletes that sentence.
    _type_line_and_select_it(niccolo, SECOND_LINE)
    _comment_on_selection(niccolo, "Chi mette i soldi nel fondo?")
    expect(_area(giovanna)).to_contain_text("Chi mette i soldi", timeout=LIVE_MS)
    expect(_area(giovanna).locator(".comment-thread--orphaned")).to_have_count(0)
    content = giovanna.locator(".tv-editor .cm-content").first
    content.click()
    giovanna.keyboard.press("Control+End")
    giovanna.keyboard.press("Shift+Home")
    giovanna.keyboard.press("Backspace")
    for page in (giovanna, niccolo):
        orphans = _area(page).locator("[data-orphans]")
        expect(orphans).to_contain_text("Non più ancorati", timeout=LIVE_MS)
        expect(orphans).to_contain_text(f"«{SECOND_LINE}»")
        expect(orphans).to_contain_text("Chi mette i soldi nel fondo?")
    orphans.scroll_into_view_if_needed()
    _shot(niccolo, "orphaned")
    check_accessibility(niccolo, "the document page with a comment no longer anchored")
    assert not errors, errors
    for context in contexts:
        context.close()


def test_without_javascript_a_refused_comment_comes_back_with_its_text(
    world: dict, browser: Browser
) -> None:
    context = browser.new_context(**DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(world["giovanna"])
    # Without the page's script, entering is one button away.
    page.get_by_role("button", name="Entra").click()
    expect(page).to_have_url(re.compile(r"/workshops/\d+$"))
    page.goto(f"{world['base']}/documents/{world['document']}")
    section = page.locator("[data-comments]").nth(1)
    section.locator("[data-comments-details] > summary").click()
    section.locator("[data-new-comment] textarea").fill("   ")
    section.get_by_role("button", name="Commenta").click()
    expect(page.locator(".alert-danger")).to_contain_text("Il commento è vuoto")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Commenti su «Abitare»")
    _shot(page, "refused")
    page.locator("[data-new-comment] textarea").fill("Un commento scritto senza JavaScript")
    page.get_by_role("button", name="Commenta").click()
    expect(page).to_have_url(re.compile(r"/documents/\d+#commento-\d+$"))
    expect(page.locator("[data-comments]").nth(1)).to_contain_text(
        "Un commento scritto senza JavaScript"
    )
    context.close()
