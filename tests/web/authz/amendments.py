from app.core.permissions import Role
from app.modules.amendments import services as amendments
from tests import factories
from tests.web.authz import Rule, World


def _amendment(w: World) -> None:
    """Proposed by someone else than the people asking, so that support is possible."""
    author, _ = factories.member(w.workshop, Role.PARTICIPANT)
    body = w.section.body
    w.extras["amendment"] = amendments.propose(
        author.person, w.section, body, body + " Aggiunta.", "Per completezza."
    )


def _section(w: World) -> dict[str, int]:
    return {"section_id": w.section.id}


def _id(w: World) -> dict[str, int]:
    return {"amendment_id": w.extras["amendment"].id}


RULES = [
    Rule("amendments.panel", "GET", "observer", _section),
    Rule("amendments.new", "GET", "participant", _section),
    Rule(
        "amendments.create",
        "POST",
        "participant",
        _section,
        data=lambda w: {
            "base_text": w.section.body,
            "replacement": w.section.body + " Proposta.",
            "rationale": "Motivo.",
        },
    ),
    Rule("amendments.show", "GET", "observer", _id, setup=_amendment),
    Rule(
        "amendments.stance",
        "POST",
        "participant",
        _id,
        data=lambda w: {"stance": "support"},
        setup=_amendment,
    ),
    Rule("amendments.withdraw", "POST", "participant", _id, setup=_amendment),
    Rule("amendments.accept", "POST", "moderator", _id, setup=_amendment),
    Rule(
        "amendments.resolve",
        "POST",
        "moderator",
        _id,
        data=lambda w: {"shown": w.section.body, "text": w.section.body + " Risolto."},
        setup=_amendment,
    ),
    Rule(
        "amendments.reject",
        "POST",
        "moderator",
        _id,
        data=lambda w: {"reason": "Fuori tema."},
        setup=_amendment,
    ),
]
