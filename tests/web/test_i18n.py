"""Italian first, English from the catalogue: the interface is Italian unless a person
picks English, and every Italian string has an English translation. The catalogue tests
guard strings added later: they fail until `make translations` has collected them and
someone has translated them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import Flask, render_template_string, session
from flask.testing import FlaskClient
from flask_babel import refresh

from app.config import ROOT

CATALOGUE = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# The same keywords as `make translations` passes to pybabel.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "_l": None,
            "lazy_gettext": None}
LANG = re.compile(r'<html lang="([a-z]+)">')


def _lang(page: str) -> str:
    found = LANG.search(page)
    assert found, "no <html lang> in the page"
    return found.group(1)


def test_pages_are_italian_by_default(client: FlaskClient) -> None:
    page = client.get("/entra").text
    assert _lang(page) == "it"
    assert "Entra in Tavolo" in page
    assert "Vai al contenuto" in page


def test_dates_read_as_people_write_them(app: Flask) -> None:
    template = "{{ day|long_date }}"
    day = dt.date(2026, 3, 5)
    with app.test_request_context():
        assert render_template_string(template, day=day) == "5 marzo 2026"
    with app.test_request_context():
        session["lang"] = "en"
        # The test's application context outlives the request, and with it the locale
        # Flask-Babel keeps for it; on the server every request has its own.
        refresh()
        assert render_template_string(template, day=day) == "5 March 2026"


def test_switching_to_english_and_back(client: FlaskClient) -> None:
    switched = client.post("/lingua/en", data={"next": "/entra"})
    assert switched.status_code == 302
    assert switched.headers["Location"] == "/entra"

    page = client.get("/entra").text
    assert _lang(page) == "en"
    assert "Log in to Tavolo" in page
    assert "Skip to content" in page
    assert "Entra in Tavolo" not in page
    # The switch itself keeps its labels, each in its own language.
    assert 'lang="it" title="Italiano"' in page

    client.post("/lingua/it", data={"next": "/entra"})
    assert _lang(client.get("/entra").text) == "it"


def test_a_link_or_an_image_cannot_switch_the_language(client: FlaskClient) -> None:
    """`![x](/lingua/en)` in a section once switched every reader's language."""
    assert client.get("/lingua/en").status_code == 405
    assert _lang(client.get("/entra").text) == "it"


def test_an_unknown_language_keeps_the_current_one(client: FlaskClient) -> None:
    client.post("/lingua/en")
    client.post("/lingua/xx")
    assert _lang(client.get("/entra").text) == "en"


def test_errors_speak_the_chosen_language(client: FlaskClient) -> None:
    assert "Pagina non trovata" in client.get("/non-esiste").text
    client.post("/lingua/en")
    page = client.get("/non-esiste").text
    assert "Page not found" in page
    assert "Error 404" in page


def _catalogue():  # type: ignore[no-untyped-def]
    with CATALOGUE.open("rb") as po:
        return read_po(po)


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def test_every_english_entry_is_translated() -> None:
    problems = []
    for message in _catalogue():
        if not message.id:
            continue
        strings = [message.string] if isinstance(message.string, str) else message.string
        if message.fuzzy:
            problems.append(f"fuzzy (check and remove the flag): {_key(message.id)!r}")
        elif not all(strings):
            problems.append(f"not translated: {_key(message.id)!r}")
    assert not problems, "\n".join(problems)


def test_translations_keep_the_placeholders() -> None:
    problems = [
        f"{_key(message.id)!r}: {'; '.join(str(error) for error in errors)}"
        for message, errors in _catalogue().check()
    ]
    assert not problems, "\n".join(problems)


def test_catalogue_has_every_source_string() -> None:
    """A string added to the code or a template after the last `make translations` would
    show in Italian to people who chose English."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    in_source = {
        _key(message_id)
        for _file, _line, message_id, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS
        )
    }
    in_catalogue = {_key(message.id) for message in _catalogue() if message.id}
    missing = sorted(in_source - in_catalogue)
    assert not missing, (
        "strings missing from the English catalogue (run `make translations`, then "
        "translate them in " + str(Path(CATALOGUE).relative_to(ROOT)) + "):\n"
        + "\n".join(missing)
    )
