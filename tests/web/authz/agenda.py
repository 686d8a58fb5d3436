import datetime as dt

from app.core.permissions import Role
from app.modules.agenda import services as agenda
from app.modules.timeutil import utcnow
from tests.web.authz import Rule, World


def _session(w: World) -> None:
    facilitator = w.memberships[Role.FACILITATOR]
    w.extras["session"] = agenda.create_session(
        facilitator.person,
        w.workshop,
        agenda.SessionData(
            title="Abitare",
            day=dt.date.today() + dt.timedelta(days=1),
            start=dt.time(10, 0),
            end=dt.time(11, 15),
            section_ids=[w.section.id],
        ),
        utcnow(),
    )


def _workshop(w: World) -> dict[str, int]:
    return {"workshop_id": w.workshop.id}


def _id(w: World) -> dict[str, int]:
    return {"session_id": w.extras["session"].id}


RULES = [
    Rule("agenda.show", "GET", "observer", _workshop, setup=_session),
    Rule(
        "agenda.create",
        "POST",
        "facilitator",
        _workshop,
        data=lambda w: {
            "title": "Lavoro",
            "day": (dt.date.today() + dt.timedelta(days=2)).isoformat(),
            "start": "11:30",
            "end": "12:45",
            "room": "Sala B",
            "sections": [str(w.section.id)],
            "lock_at_end": "y",
        },
    ),
    Rule(
        "agenda.extend", "POST", "facilitator", _id, data=lambda w: {"minutes": "5"}, setup=_session
    ),
    Rule("agenda.delete", "POST", "facilitator", _id, setup=_session),
    Rule("agenda.edit", "GET", "facilitator", _id, setup=_session),
    Rule(
        "agenda.edit",
        "POST",
        "facilitator",
        _id,
        data=lambda w: {
            "title": "Abitare e casa",
            "day": (dt.date.today() + dt.timedelta(days=1)).isoformat(),
            "start": "10:00",
            "end": "11:30",
        },
        setup=_session,
    ),
    Rule(
        "agenda.document_clock",
        "GET",
        "observer",
        lambda w: {"document_id": w.document.id},
        setup=_session,
    ),
]
