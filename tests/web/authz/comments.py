from app.core.permissions import Role
from app.modules.comments import services as comments
from tests.web.authz import Rule, World


def _comment_by(role: Role):  # type: ignore[no-untyped-def]
    def setup(w: World) -> None:
        person = w.memberships[role].person
        w.extras["comment"] = comments.add_comment(person, role, w.section, "Un commento")

    return setup


def _comment(w: World) -> dict[str, int]:
    return {"comment_id": w.extras["comment"].id}


RULES = [
    Rule("comments.section", "GET", "observer", lambda w: {"section_id": w.section.id}),
    Rule(
        "comments.create",
        "POST",
        "participant",
        lambda w: {"section_id": w.section.id},
        data=lambda w: {"body": "Nuovo commento"},
    ),
    # Only the author edits: here the author is the facilitator, so other participants
    # are refused like observers.
    Rule(
        "comments.edit",
        "POST",
        "facilitator",
        _comment,
        data=lambda w: {"body": "Corretto"},
        setup=_comment_by(Role.FACILITATOR),
    ),
    # The author (a participant) or the document's moderators resolve.
    Rule(
        "comments.resolve",
        "POST",
        "author_or_moderator",
        _comment,
        data=lambda w: {"action": "resolve"},
        setup=_comment_by(Role.PARTICIPANT),
    ),
    Rule(
        "comments.hide",
        "POST",
        "moderator",
        _comment,
        data=lambda w: {"reason": "Fuori tema"},
        setup=_comment_by(Role.PARTICIPANT),
    ),
    Rule("comments.sidebar", "GET", "moderator", lambda w: {"document_id": w.document.id}),
]
