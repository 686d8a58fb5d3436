"""A synthesis of the world's document, made in the world's workshop. Pulling and
updating moderate the synthesis: its workshop's facilitators, or the lead of the
synthesis itself. The world's lead leads the lab (`w.document`), not the synthesis, so
leading a lab lets nobody write into the synthesis. Reading the coverage, the lists
of passages, the passages the editor marks and the labs' version is every member's."""

from app.core.permissions import Role
from app.modules.synthesis import services as synthesis
from tests.web.authz import Rule, World


def _synthesis(w: World) -> None:
    facilitator = w.memberships[Role.FACILITATOR].person
    made = synthesis.create(facilitator, w.workshop, "Sintesi", [w.document], ["Proposte"])
    w.extras["synthesis"] = made.document


def _pulled(w: World) -> None:
    _synthesis(w)
    facilitator = w.memberships[Role.FACILITATOR].person
    target = w.extras["synthesis"].sections[0]
    w.extras["passage"] = synthesis.pull(facilitator, target, w.section)


def _document(w: World) -> dict[str, int]:
    return {"document_id": w.extras["synthesis"].id}


RULES = [
    Rule("synthesis.new", "GET", "facilitator", lambda w: {"workshop_id": w.workshop.id}),
    Rule(
        "synthesis.new",
        "POST",
        "facilitator",
        lambda w: {"workshop_id": w.workshop.id},
        data=lambda w: {"title": "Sintesi", "sources": [w.document.id], "headings": "Proposte"},
    ),
    Rule(
        "synthesis.pull",
        "POST",
        "facilitator",
        _document,
        data=lambda w: {
            "source_section": w.section.id,
            "target": w.extras["synthesis"].sections[0].id,
            "what": "section",
        },
        setup=_synthesis,
    ),
    Rule(
        "synthesis.update",
        "POST",
        "facilitator",
        lambda w: {"passage_id": w.extras["passage"].id},
        setup=_pulled,
    ),
    Rule("synthesis.provenance", "GET", "observer", _document, setup=_synthesis),
    Rule("synthesis.sources_version", "GET", "observer", _document, setup=_synthesis),
    Rule("synthesis.marks", "GET", "observer", _document, setup=_pulled),
    Rule("synthesis.coverage", "GET", "observer", _document, setup=_synthesis),
]
