"""The authorization matrix: every route of the application × every kind of person.

Each feature declares its routes in a module of this package (one `RULES` list per
module). The test walks the application's own route table, so a route added without a
rule fails the suite."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.core.permissions import Role

# Who is asking. "uninvited" is logged in through another workshop, so it tests the
# boundary between workshops, not just login; "other_link" is this workshop's facilitator
# logged in through the link of their membership in another workshop (a link opens its
# own membership only, never the person's others); "revoked" was this workshop's
# facilitator, revoked while logged in.
PERSONAS = (
    "anonymous", "uninvited", "other_link", "revoked", "observer", "participant", "facilitator"
)

# The least a persona must be for the route to answer: each level admits those after it.
LEVELS: dict[str, frozenset[str]] = {
    "public": frozenset(PERSONAS),
    "authenticated": frozenset(PERSONAS) - {"anonymous"},
    "observer": frozenset({"observer", "participant", "facilitator"}),
    "participant": frozenset({"participant", "facilitator"}),
    "facilitator": frozenset({"facilitator"}),
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
