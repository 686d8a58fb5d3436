from __future__ import annotations

import pytest
from flask import Flask, url_for

from app import create_app
from app.config import TestConfig
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.audit.services import REFUSED
from app.modules.people import services as people
from tests.conftest import fresh_app
from tests.web.authz import LEVELS, PERSONAS, RULES, Rule, World, log_in, world_and_links

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def _route_table(app: Flask) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in (rule.methods or set()) & METHODS
    }


def test_every_route_has_a_rule(tmp_path) -> None:
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'r.db'}")
    declared = {(r.endpoint, r.method) for r in RULES}
    missing = _route_table(app) - declared
    assert not missing, f"routes without an authorization rule: {sorted(missing)}"
    stale = declared - _route_table(app)
    assert not stale, f"rules for routes that do not exist: {sorted(stale)}"


def _refusals(world: World) -> int:
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.workshop_id == world.workshop.id, AuditEvent.action == REFUSED)
    )


def _denied(response) -> bool:  # type: ignore[no-untyped-def]
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and "/entra" in response.headers.get("Location", "")


# Every route once on PostgreSQL too, as the facilitator, who reaches most of them.
ON_EVERY_DATABASE = "facilitator"


@pytest.mark.parametrize(
    "persona",
    [
        pytest.param(p, marks=pytest.mark.database) if p == ON_EVERY_DATABASE else p
        for p in PERSONAS
    ],
)
@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.method} {r.endpoint}")
def test_matrix(tmp_path, rule: Rule, persona: str) -> None:
    with fresh_app(tmp_path, RATELIMIT_ENABLED=False) as app:
        world, tokens = world_and_links()
        client = app.test_client()
        log_in(client, tokens, persona)
        # Revocation happens after login: it must bite on the very next request.
        people.revoke(None, world.extras["revoked_membership"])
        rule.setup(world)
        db.session.commit()
        with app.test_request_context():
            url = url_for(rule.endpoint, **rule.url_args(world))
        body = {"json": rule.json(world)} if rule.json else {"data": rule.data(world)}
        response = client.open(url, method=rule.method, **body)
        # Read to the end: a streamed answer (a CSV) holds its request's context until then.
        response.get_data()
        allowed = persona in LEVELS[rule.level]
        assert response.status_code < 500, response.text[:500]
        if allowed:
            assert not _denied(response), f"{persona} refused ({response.status_code})"
        else:
            assert _denied(response), f"{persona} let in ({response.status_code})"
        if response.status_code == 403 and rule.url_args(world):
            assert _refusals(world) == 1, "a refusal missing from the workshop's audit log"
