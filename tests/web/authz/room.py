from app.core.permissions import Role
from app.modules.room import services as room
from app.modules.timeutil import utcnow
from tests.web.authz import Rule, World


def _workshop(w: World) -> dict[str, int]:
    return {"workshop_id": w.workshop.id}


def _participant_waiting(w: World) -> None:
    """The queue open, and the participant in it."""
    facilitator = w.memberships[Role.FACILITATOR]
    room.set_queue_open(facilitator, w.workshop, True, utcnow())
    w.extras["request"] = room.ask(w.memberships[Role.PARTICIPANT], "", utcnow())


def _request(w: World) -> dict[str, int]:
    return {"workshop_id": w.workshop.id, "request_id": w.extras["request"].id}


def _document(w: World) -> dict[str, int]:
    return {"document_id": w.document.id}


RULES = [
    Rule("room.console", "GET", "facilitator", _workshop),
    Rule("room.console_version", "GET", "facilitator", _workshop),
    Rule(
        "room.save_version",
        "POST",
        "facilitator",
        _workshop,
        data=lambda w: {"document": str(w.document.id), "name": "dopo Abitare"},
    ),
    Rule(
        "room.section_state",
        "POST",
        "facilitator",
        lambda w: {"workshop_id": w.workshop.id, "section_id": w.section.id},
        data=lambda w: {"state": "locked"},
    ),
    # The room's screen: anyone of the workshop may open it on the projector's computer.
    Rule("room.projector", "GET", "observer", _document),
    Rule("room.projector_version", "GET", "observer", _document),
    Rule("room.project", "POST", "facilitator", _workshop, data=lambda w: {"projected": "coda"}),
    Rule("room.floor", "GET", "observer", _workshop),
    Rule("room.version", "GET", "observer", _workshop),
    # Observers follow the room; asking for the floor is the participants'.
    Rule("room.ask", "POST", "participant", _workshop, data=lambda w: {"topic": "Abitare"}),
    Rule("room.withdraw", "POST", "participant", _request, setup=_participant_waiting),
    Rule("room.give", "POST", "facilitator", _request, setup=_participant_waiting),
    Rule("room.skip", "POST", "facilitator", _request, setup=_participant_waiting),
    Rule("room.finish", "POST", "facilitator", _workshop),
    Rule("room.queue", "POST", "facilitator", _workshop, data=lambda w: {"open": "si"}),
    Rule(
        "room.announce",
        "POST",
        "facilitator",
        _workshop,
        data=lambda w: {"message": "Pausa caffè fino alle 11:30", "minutes": "15"},
    ),
    Rule("room.clear_announcement", "POST", "facilitator", _workshop),
]
