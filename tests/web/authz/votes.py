from app.core.permissions import Role
from app.core.tally import Scale
from app.modules.timeutil import utcnow
from app.modules.votes import services as votes
from tests.web.authz import Rule, World


def _round(w: World) -> None:
    w.extras["round"] = votes.open_round(
        w.memberships[Role.FACILITATOR].person,
        w.document,
        w.section,
        None,
        votes.RoundSettings(question="Approviamo?", scale=Scale.CONSENT),
        utcnow(),
    )


def _section(w: World) -> dict[str, int]:
    return {"section_id": w.section.id}


def _id(w: World) -> dict[str, int]:
    return {"round_id": w.extras["round"].id}


RULES = [
    Rule("votes.new", "GET", "moderator", _section),
    Rule(
        "votes.create",
        "POST",
        "moderator",
        _section,
        data=lambda w: {
            "question": "Approviamo la sezione?",
            "scale": "consent",
            "results_visible": "after_close",
        },
    ),
    Rule("votes.show", "GET", "observer", _id, setup=_round),
    Rule("votes.cast", "POST", "participant", _id, data=lambda w: {"choice": "si"}, setup=_round),
    Rule("votes.close", "POST", "moderator", _id, setup=_round),
]
