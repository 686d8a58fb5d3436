"""Browser tests against the real thing: the server started as `make run` starts it, on a
fresh instance folder, driven by Debian's Chromium through Playwright.

Helpers for the tests of this folder: `check_accessibility` runs axe-core in the page and
fails on serious or critical violations; `screenshot` saves a full page to
tests/e2e/screenshots/ for people to look at."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from tests.realtime.server import LiveServer

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).parent / "screenshots"
# The pictures the documentation shows are refreshed only when asked for
# (`make screenshots`): a test run writes no tracked file, only the ignored folder above.
DOCS_SCREENSHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("TAVOLO_DOCS_SCREENSHOTS")
    else SCREENSHOTS / "docs"
)
DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "it-IT"}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "locale": "it-IT",
}


@dataclass(frozen=True)
class Site:
    base_url: str
    facilitator_link: str

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One server for the whole session, with the demo workshop and its facilitator's
    personal link, as `tavolo demo` prints it (the organiser's first run has its own
    test, test_first_run.py)."""
    for built in ("app.js", "tavolo.css", "fonts.css", "bootstrap-italia.min.css"):
        assert (ROOT / "static" / "build" / built).exists(), "run `node static/build.mjs` first"
    server = LiveServer(tmp_path_factory.mktemp("e2e"))
    server.prepare_database()
    link = demo_link(server)
    server.start()
    try:
        yield Site(server.base_url, link)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Per module: Playwright's synchronous API runs one instance at a time, and a module
    may start its own."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def module_page(browser: Browser, source: str, global_name: str) -> Page:
    """A blank page holding one of the front end's modules, bundled as the editor bundles
    it, its exports under `global_name`: the real browser runs it, DOMParser included."""
    esbuild = ROOT / "node_modules" / ".bin" / "esbuild"
    assert esbuild.exists(), "esbuild is not installed: npm ci"
    bundle = subprocess.run(
        [
            str(esbuild),
            str(ROOT / "static" / "src" / source),
            "--bundle",
            "--format=iife",
            f"--global-name={global_name}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    page = browser.new_page()
    page.add_script_tag(content=bundle)
    return page


def demo_link(server: LiveServer) -> str:
    """The demo workshop on the server's instance, and its facilitator's link, as
    `tavolo demo` prints it."""
    demo = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "tavolo"), "demo"],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return demo.stdout.strip()


def new_document(page: Page, title: str, template: str | None = None) -> str:
    """Makes a document from the workshop page the facilitator is on (from a template
    named by its heading, or blank) and returns its address."""
    page.get_by_role("link", name="Nuovo documento").click()
    page.get_by_label("Titolo del documento").fill(title)
    if template:
        # Bootstrap Italia draws the radio button on its label, which is what people click.
        page.locator("label", has_text=template).click()
    page.get_by_role("button", name="Crea il documento").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return page.url.split("#")[0]


def enter(page: Page, link: str) -> None:
    """Opens a personal link as a person does: its page sends the form that enters by
    itself, and the workshop's page follows."""
    page.goto(link)
    page.wait_for_url(re.compile(r"/workshops/\d+$"))


def new_link(page: Page, name: str) -> str:
    """A new personal link for a member, made from the members page of the workshop the
    facilitator is on, as a facilitator hands one out in the room."""
    page.get_by_role("link", name=re.compile("Gestisci e invita")).click()
    page.get_by_role("button", name=f"Nuovo link per {name}").click()
    return page.locator(".invitation-card .card-url").first.inner_text().strip()


def section_editor(page: Page, index: int = 0) -> Locator:
    """The editor of the index-th section: editors appear in whatever order their stored
    replicas open, so the n-th one on the page is not always the n-th section's."""
    return page.locator(".section-editor").nth(index).locator(".tv-editor")


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {' '.join(node['target'])}")
            lines.append(f"       {node['html'][:160]}")
            if node.get("failureSummary"):
                summary = node["failureSummary"].replace("\n", "\n       ")
                lines.append(f"       {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def check_accessibility(page: Page, what: str) -> None:
    """WCAG 2.1 AA, as the AgID guidelines require, plus axe's best practices; serious and
    critical findings fail. axe is evaluated through the DevTools protocol, which the
    page's Content-Security-Policy (no inline or foreign scripts) does not apply to."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text())
    results = page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: 'tag', values: [
                'wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
            resultTypes: ['violations'],
        })"""
    )
    blocking = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not blocking, f"accessibility of {what} ({page.url}):\n{_describe(blocking)}"
    others = [v for v in results["violations"] if v not in blocking]
    if others:
        print(f"minor accessibility findings on {what}:\n{_describe(others)}")


def no_console_errors(messages: list[str]) -> None:
    assert not messages, "errors in the browser console:\n" + json.dumps(messages, indent=2)
