from app.core.permissions import Role
from app.modules.labs import services as labs
from tests.web.authz import Rule, World


def _participant_leads(w: World) -> None:
    """The participant leads the workshop's document: leading a lab manages no one."""
    labs.assign(None, w.memberships[Role.PARTICIPANT], w.document, True)


def _participant(w: World) -> dict[str, int]:
    return {"workshop_id": w.workshop.id, "membership_id": w.memberships[Role.PARTICIPANT].id}


RULES = [
    Rule(
        "labs.assign",
        "POST",
        "facilitator",
        _participant,
        data=lambda w: {"document": str(w.document.id), "leads": "y"},
        setup=_participant_leads,
    ),
    # The labs side by side are on the workshop's page, which every member reads.
    Rule(
        "labs.grid_version",
        "GET",
        "observer",
        lambda w: {"workshop_id": w.workshop.id},
        setup=_participant_leads,
    ),
]
