from app.core.permissions import Role
from app.modules.workshops import services as workshops
from tests.web.authz import Rule, World


def _workshop(w: World) -> dict[str, int]:
    return {"workshop_id": w.workshop.id}


def _archive(w: World) -> None:
    workshops.archive(w.memberships[Role.FACILITATOR].person, w.workshop)


RULES = [
    Rule("workshops.index", "GET", "authenticated"),
    # Creating a workshop is for organisers and for people who already facilitate one.
    Rule("workshops.new", "GET", "creator"),
    Rule("workshops.new", "POST", "creator", data=lambda w: {"title": "Nuovo tavolo"}),
    Rule("workshops.show", "GET", "observer", _workshop),
    Rule("workshops.edit", "GET", "facilitator", _workshop),
    Rule(
        "workshops.edit",
        "POST",
        "facilitator",
        _workshop,
        data=lambda w: {"title": "Tavolo rinominato", "time_zone": "Europe/London"},
    ),
    Rule("workshops.archive", "POST", "facilitator", _workshop, data=lambda w: {"confirm": "y"}),
    Rule("workshops.restore", "POST", "facilitator", _workshop, setup=_archive),
]
