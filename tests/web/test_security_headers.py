"""Safe by default, and self-contained: every page carries the protective headers, nothing
is fetched from another site (the room often has no internet, and a CDN would learn who
takes part), forms refuse requests without their CSRF token, and the language switch
cannot send people elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.config import ROOT, TestConfig
from app.core.permissions import Role
from app.extensions import db
from tests.conftest import FreshContextClient, login

ABSOLUTE_URL = re.compile(r"""(?:https?:)?//[^\s"'<>()\\]+""", re.IGNORECASE)
# XML namespaces name a vocabulary; nothing is fetched from them.
NAMESPACE = re.compile(r"""xmlns(?::\w+)?=["'][^"']*["']""")
BUILD = ROOT / "static" / "build"


def _external(text: str, own_host: str = "localhost") -> list[str]:
    """Absolute and protocol-relative URLs that do not point at this site."""
    found = []
    for match in ABSOLUTE_URL.finditer(NAMESPACE.sub("", text)):
        url = match.group(0)
        start = match.start()
        # "//" inside a path or a comment ("a//b", "// note") is not a URL.
        if url.startswith("//") and start > 0 and text[start - 1] not in "\"'(= ":
            continue
        host = re.sub(r"^(?:https?:)?//", "", url, flags=re.IGNORECASE).split("/")[0]
        if host.split(":")[0] != own_host:
            found.append(url)
    return found


@pytest.fixture
def world(client: FlaskClient, make) -> dict:  # type: ignore[no-untyped-def]
    """A facilitator inside a workshop with a document: the pages that show the most."""
    workshop = make.workshop("Tavolo di prova", place="Lodi")
    _, token = make.member(workshop, Role.FACILITATOR, name="Fausta Facilitatrice")
    make.member(workshop, Role.PARTICIPANT, name="Paolo Partecipante")
    document = make.document(workshop)
    login(client, token)
    return {"workshop": workshop, "document": document}


def _pages(world: dict) -> list[str]:
    workshop_id, document_id = world["workshop"].id, world["document"].id
    return [
        "/entra",
        "/workshops",
        "/workshops/new",
        f"/workshops/{workshop_id}",
        f"/workshops/{workshop_id}/members",
        f"/workshops/{workshop_id}/documents/new",
        f"/documents/{document_id}",
        "/pagina-che-non-esiste",
    ]


def test_every_page_carries_the_protective_headers(client: FlaskClient, world: dict) -> None:
    for path in [*_pages(world), "/healthz", "/static/build/app.js"]:
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        headers = response.headers
        policy = dict(
            directive.strip().split(" ", 1)
            for directive in headers["Content-Security-Policy"].split(";")
        )
        assert policy["default-src"] == "'self'", path
        # Only our own scripts: no inline script, no eval, nothing from elsewhere.
        assert policy["script-src"] == "'self'", path
        assert policy["frame-ancestors"] == "'none'", path
        assert policy["object-src"] == "'none'", path
        assert policy["base-uri"] == "'none'", path
        assert policy["form-action"] == "'self'", path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        # An invitation token in a URL must never travel to another site as a Referer.
        assert headers["Referrer-Policy"] == "no-referrer", path


def test_rendered_pages_reference_nothing_from_elsewhere(
    client: FlaskClient, world: dict
) -> None:
    for path in _pages(world):
        page = client.get(path).text
        assert "<html" in page, path
        assert not _external(page), (path, _external(page))


def test_templates_reference_nothing_from_elsewhere() -> None:
    templates = sorted((ROOT / "templates").rglob("*"))
    assert any(path.suffix == ".html" for path in templates)
    found = {
        str(path.relative_to(ROOT)): _external(path.read_text())
        for path in templates
        if path.is_file() and _external(path.read_text())
    }
    assert not found, found


def test_built_stylesheets_load_nothing_from_elsewhere() -> None:
    stylesheets = sorted(BUILD.glob("*.css"))
    assert stylesheets, "static/build is empty: run `node static/build.mjs`"
    remote = re.compile(r"""(?:url\(\s*["']?|@import\s+["']?)(?:https?:)?//""", re.IGNORECASE)
    found = [path.name for path in stylesheets if remote.search(path.read_text())]
    assert not found, found


def test_the_external_url_check_sees_what_it_must() -> None:
    """The scans above are only as good as this detector."""
    assert _external('<script src="https://cdn.example.org/x.js">')
    assert _external('<link href="//fonts.example.com/css">')
    assert _external("background: url(//cdn.example.net/a.png)")
    assert not _external('<a href="http://localhost/i/abc">')
    assert not _external('<svg xmlns="http://www.w3.org/2000/svg">')
    assert not _external("a comment // not a URL")


@pytest.fixture
def csrf_app(tmp_path: Path) -> Flask:  # type: ignore[misc]
    """The application as it runs for people: CSRF protection on."""
    application = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'csrf.db'}",
        EXPORTS_DIR=tmp_path / "exports",
        WTF_CSRF_ENABLED=True,
    )
    application.test_client_class = FreshContextClient
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()
        db.engine.dispose()


def _token(page: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert found, "no CSRF token in the page"
    return found.group(1)


def test_a_form_without_its_csrf_token_is_refused(csrf_app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    client = csrf_app.test_client()
    workshop = make.workshop()
    _, token = make.member(workshop, Role.FACILITATOR)
    login(client, token)
    form = {"title": "Tavolo senza token"}

    refused = client.post("/workshops/new", data=form)
    assert refused.status_code == 400
    assert "Il modulo è scaduto o non è valido" in refused.text

    # The same request with the page's token passes, as a form field or as the header
    # that static/src/app.js sends with fetch().
    csrf = _token(client.get("/workshops/new").text)
    assert client.post("/workshops/new", data={**form, "csrf_token": csrf}).status_code == 302
    with_header = client.post("/workshops/new", data=form, headers={"X-CSRFToken": csrf})
    assert with_header.status_code == 302


def test_logging_out_needs_the_csrf_token(csrf_app: Flask, make) -> None:  # type: ignore[no-untyped-def]
    """Otherwise any site could log people out of the workshop in the middle of it."""
    client = csrf_app.test_client()
    workshop = make.workshop()
    _, token = make.member(workshop, Role.PARTICIPANT)
    login(client, token)
    assert client.post("/esci").status_code == 400
    assert client.get(f"/workshops/{workshop.id}").status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/entra",
        "https://evil.example/",
        "http:evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "",
    ],
)
def test_the_language_switch_stays_on_this_site(client: FlaskClient, target: str) -> None:
    response = client.post("/lingua/en", data={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_language_switch_returns_to_the_page(client: FlaskClient) -> None:
    response = client.post("/lingua/en", data={"next": "/workshops/3?tab=persone"})
    assert response.headers["Location"] == "/workshops/3?tab=persone"
