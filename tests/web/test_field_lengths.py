"""Every field that the forms and scripts send, one at a time, made longer than any
column or given a NUL: the answer is a refusal in Italian or the value kept, never a
server error.

SQLite keeps any length and any character, so this bites in the PostgreSQL pass of
`make test` (tests/databases.py), as a region's deployment would: there a title one
character over its column, or a NUL anywhere, failed the statement."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, url_for
from sqlalchemy import String

from app.extensions import db
from app.modules.workshops.models import Workshop
from tests import factories
from tests.conftest import fresh_app
from tests.web.authz import LEVELS, RULES, Rule, log_in, world_and_links

pytestmark = pytest.mark.database

WRITES = [rule for rule in RULES if rule.method != "GET"]


def _longest_column() -> int:
    return max(
        column.type.length or 0
        for table in db.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, String)
    )


def _persona(rule: Rule) -> str:
    allowed = LEVELS[rule.level]
    return "facilitator" if "facilitator" in allowed else sorted(allowed)[0]


def _variants(body: Any, longer: str) -> Iterator[tuple[str, Any]]:
    """The body again with one string changed, for each string in it (nested too)."""
    if isinstance(body, str):
        yield "lungo", body + longer
        yield "NUL", body[:1] + "\x00" + body[1:]
    elif isinstance(body, dict):
        for key, value in body.items():
            for what, changed in _variants(value, longer):
                yield f"{key}: {what}", {**body, key: changed}
    elif isinstance(body, list):
        for index, value in enumerate(body):
            for what, changed in _variants(value, longer):
                yield f"[{index}]: {what}", [*body[:index], changed, *body[index + 1 :]]


@pytest.mark.parametrize("rule", WRITES, ids=lambda r: f"{r.method} {r.endpoint}")
def test_no_field_too_long_or_with_a_nul_is_a_server_error(tmp_path: Path, rule: Rule) -> None:
    with fresh_app(tmp_path, RATELIMIT_ENABLED=False) as app:
        world, links = world_and_links()
        client = app.test_client()
        log_in(client, links, _persona(rule))
        rule.setup(world)
        db.session.commit()
        with app.test_request_context():
            url = url_for(rule.endpoint, **rule.url_args(world))
        kind = "json" if rule.json else "data"
        longer = "x" * (_longest_column() + 1)

        def variants() -> list[tuple[str, Any]]:
            """Made again for each request: an uploaded file is read by the request."""
            body = rule.json(world) if rule.json else rule.data(world)
            return list(_variants(body, longer))

        for index in range(len(variants())):
            what, changed = variants()[index]
            response = client.open(url, method=rule.method, **{kind: changed})
            assert response.status_code < 500, f"{what}: {response.text[:300]}"
        if not variants():
            pytest.skip("questa richiesta non porta testo scritto da una persona")


def test_a_nul_is_kept_as_a_replacement_character_and_found_again(app: Flask) -> None:
    """On both databases alike: written as U+FFFD, and a lookup by the typed value (a
    link, a title) finds the row instead of failing the statement."""
    workshop = factories.workshop("Tavolo\x00 della salute")
    db.session.expire_all()
    assert db.session.scalar(db.select(Workshop.title)) == "Tavolo\ufffd della salute"
    found = db.session.scalar(
        db.select(Workshop.id).where(Workshop.title == "Tavolo\x00 della salute")
    )
    assert found == workshop.id
