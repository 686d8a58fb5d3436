from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask import Flask, url_for

from app import create_app
from app.config import TestConfig
from app.core.permissions import Role
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.audit.services import REFUSED
from app.modules.labs import services as labs
from app.modules.people import organisers
from app.modules.people import services as people
from tests import factories
from tests.conftest import login
from tests.web import authz
from tests.web.authz import LEVELS, PERSONAS, Rule, World

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def _all_rules() -> list[Rule]:
    rules: list[Rule] = []
    for module in pkgutil.iter_modules(authz.__path__):
        rules.extend(importlib.import_module(f"tests.web.authz.{module.name}").RULES)
    return rules


RULES = _all_rules()


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


def _world() -> tuple[World, dict[str, str]]:
    workshop = factories.workshop("Tavolo della matrice")
    other = factories.workshop("Un altro tavolo")
    document = factories.document(workshop)
    memberships, tokens = {}, {}
    for role in Role:
        memberships[role], tokens[role.value] = factories.member(workshop, role)
    _, tokens["uninvited"] = factories.member(other, Role.PARTICIPANT)
    _, tokens["other_link"] = factories.member(
        other, Role.PARTICIPANT, email=memberships[Role.FACILITATOR].person.email
    )
    facilitator = memberships[Role.FACILITATOR].person
    _, tokens["organiser"] = organisers.make_organiser(facilitator.name, facilitator.email, "")
    db.session.commit()
    revoked, tokens["revoked"] = factories.member(workshop, Role.FACILITATOR)
    second_lab = factories.document(workshop, "Laboratorio 2")
    for persona, lab in (("lead", document), ("lead_elsewhere", second_lab)):
        lead, tokens[persona] = factories.member(workshop, Role.PARTICIPANT)
        labs.assign(None, lead, lab, True)
    db.session.commit()
    world = World(workshop, other, document, document.sections[0], memberships)
    world.extras["participant_token"] = tokens["participant"]
    world.extras["revoked_membership"] = revoked
    return world, tokens


def _log_in(client, tokens: dict[str, str], persona: str) -> None:  # type: ignore[no-untyped-def]
    if persona == "anonymous":
        return
    login(client, tokens[persona])


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


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.method} {r.endpoint}")
def test_matrix(tmp_path, rule: Rule, persona: str) -> None:
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.db'}",
        EXPORTS_DIR=tmp_path / "exports",
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
    )
    app.instance_path = str(tmp_path)
    with app.app_context():
        db.create_all()
        world, tokens = _world()
        client = app.test_client()
        _log_in(client, tokens, persona)
        # Revocation happens after login: it must bite on the very next request.
        people.revoke(None, world.extras["revoked_membership"])
        rule.setup(world)
        db.session.commit()
        with app.test_request_context():
            url = url_for(rule.endpoint, **rule.url_args(world))
        body = {"json": rule.json(world)} if rule.json else {"data": rule.data(world)}
        response = client.open(url, method=rule.method, **body)
        allowed = persona in LEVELS[rule.level]
        assert response.status_code < 500, response.text[:500]
        if allowed:
            assert not _denied(response), f"{persona} refused ({response.status_code})"
        else:
            assert _denied(response), f"{persona} let in ({response.status_code})"
        if response.status_code == 403 and rule.url_args(world):
            assert _refusals(world) == 1, "a refusal missing from the workshop's audit log"
        db.session.remove()
        db.engine.dispose()
