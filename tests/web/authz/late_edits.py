from app.core.permissions import Role
from app.extensions import db
from app.modules.revisions.models import RejectedEdit
from tests.web.authz import Rule, World


def _late_edit_of_the_participant(w: World) -> None:
    edit = RejectedEdit(
        section_id=w.section.id,
        person_id=w.memberships[Role.PARTICIPANT].person_id,
        base_text="Testo.",
        proposed_text="Testo. Arrivato tardi.",
        reason="section_locked",
        update=b"",
    )
    db.session.add(edit)
    db.session.flush()
    w.extras["late"] = edit


def _edit(w: World) -> dict[str, int]:
    return {"edit_id": w.extras["late"].id}


RULES = [
    # Only the document's moderators bring late text into the deliberation.
    Rule(
        "amendments.promote_late", "POST", "moderator", _edit, setup=_late_edit_of_the_participant
    ),
    # Its author, or a moderator, sets it aside; an observer sees nothing of it.
    Rule(
        "amendments.set_aside_late",
        "POST",
        "author_or_moderator",
        _edit,
        setup=_late_edit_of_the_participant,
    ),
]
