from flask import current_app

from app.core import attendance
from app.core.permissions import Role
from tests.web.authz import Rule, World


def _workshop(w: World) -> dict[str, int]:
    return {"workshop_id": w.workshop.id}


def _code(w: World) -> dict[str, object]:
    """The room's first code, as the attendance page shows it."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return {"workshop_id": w.workshop.id, "code": attendance.room_code(secret, w.workshop.id, 0)}


RULES = [
    Rule("attendance.register", "GET", "facilitator", _workshop),
    Rule(
        "attendance.mark",
        "POST",
        "facilitator",
        lambda w: {"workshop_id": w.workshop.id, "membership_id": w.memberships[Role.OBSERVER].id},
        data=lambda w: {"present": "si"},
    ),
    Rule("attendance.renew_code", "POST", "facilitator", _workshop),
    # Anyone of the workshop who opens the room's code marks themselves present.
    Rule("attendance.arrival", "GET", "observer", _code),
    Rule("attendance.check_in", "POST", "observer", _code),
]
