"""The authorization matrix: every route of the application × every kind of person.

Each feature declares its routes in a module of this package (one `RULES` list per
module). The test walks the application's own route table, so a route added without a
rule fails the suite."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.core.permissions import Role
from app.extensions import db
from app.modules.labs import services as lab_services
from app.modules.people import organisers
from tests import factories
from tests.conftest import login

# Who is asking. "uninvited" is logged in through another workshop, so it tests the
# boundary between workshops, not just login; "other_link" is this workshop's facilitator
# logged in through the link of their membership in another workshop (a link opens its
# own membership only, never the person's others); "organiser" is this workshop's
# facilitator too, logged in through their organiser's link, which opens only the
# workshops created through it; "revoked" was this workshop's facilitator, revoked while
# logged in. "lead" is a participant who leads the lab of the world's document, and
# "lead_elsewhere" one who leads another lab of the same workshop.
PERSONAS = (
    "anonymous",
    "uninvited",
    "other_link",
    "organiser",
    "revoked",
    "observer",
    "participant",
    "lead",
    "lead_elsewhere",
    "facilitator",
)

# Who a route answers. The roles of the workshop admit the roles above them; an
# organiser's login reaches no workshop by itself, only what organisers may do.
LEVELS: dict[str, frozenset[str]] = {
    "public": frozenset(PERSONAS),
    "authenticated": frozenset(PERSONAS) - {"anonymous"},
    "observer": frozenset({"observer", "participant", "lead", "lead_elsewhere", "facilitator"}),
    "participant": frozenset({"participant", "lead", "lead_elsewhere", "facilitator"}),
    # Running the world's document: its facilitators and its lab's lead.
    "moderator": frozenset({"lead", "facilitator"}),
    # Their own, or as the document's moderator.
    "author_or_moderator": frozenset({"participant", "lead", "facilitator"}),
    "facilitator": frozenset({"facilitator"}),
    "organiser": frozenset({"organiser"}),
    # Creating a workshop: an organiser, or anyone who already runs one.
    "creator": frozenset({"organiser", "facilitator"}),
}


@dataclass
class World:
    """The objects a request can point at, built fresh for every case."""

    workshop: Any
    other_workshop: Any
    document: Any
    section: Any
    memberships: dict[Role, Any]
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    endpoint: str
    method: str
    level: str
    url_args: Callable[[World], dict[str, Any]] = lambda w: {}
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    # A JSON body instead of form data, for the routes scripts call.
    json: Callable[[World], Any] | None = None
    # Prepares the world for this route (e.g. publish the document) before the request.
    setup: Callable[[World], None] = lambda w: None


def _all_rules() -> list[Rule]:
    rules: list[Rule] = []
    for module in pkgutil.iter_modules(__path__):
        rules.extend(importlib.import_module(f"{__name__}.{module.name}").RULES)
    return rules


def world_and_links() -> tuple[World, dict[str, str]]:
    """The world every rule is tried in, and each persona's personal link."""
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
        lab_services.assign(None, lead, lab, True)
    db.session.commit()
    world = World(workshop, other, document, document.sections[0], memberships)
    world.extras["participant_token"] = tokens["participant"]
    world.extras["revoked_membership"] = revoked
    return world, tokens


def log_in(client, tokens: dict[str, str], persona: str) -> None:  # type: ignore[no-untyped-def]
    if persona == "anonymous":
        return
    login(client, tokens[persona])


RULES = _all_rules()
