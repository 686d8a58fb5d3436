from app.core.permissions import Role
from app.modules.comments import services as comments
from tests.web.authz import Rule, World


def _comment(w: World) -> None:
    author = w.memberships[Role.PARTICIPANT].person
    w.extras["comment"] = comments.add_comment(
        author, Role.PARTICIPANT, w.section, "Non siamo d'accordo sul finanziamento."
    )


def _document(w: World) -> dict[str, int]:
    return {"document_id": w.document.id}


RULES = [
    Rule("dissent.register", "GET", "observer", _document),
    Rule(
        "dissent.add",
        "POST",
        "participant",
        _document,
        data=lambda w: {"section_id": w.section.id, "organisation": "ASST", "text": "Contrari."},
    ),
    Rule(
        "dissent.mark_comment",
        "POST",
        "moderator",
        lambda w: {"comment_id": w.extras["comment"].id},
        setup=_comment,
    ),
]
