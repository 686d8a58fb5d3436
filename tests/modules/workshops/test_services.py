"""Editing, archiving and restoring a workshop, and the zone its dates are in."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.permissions import Role
from app.extensions import db
from app.modules.audit.models import AuditEvent
from app.modules.workshops import services
from app.modules.workshops.models import zone_of


def _actions(workshop_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(
                AuditEvent.workshop_id == workshop_id,
                AuditEvent.action.in_(
                    ["workshop.updated", "workshop.archived", "workshop.restored"]
                ),
            )
            .order_by(AuditEvent.id)
        )
    )


def test_a_new_workshop_takes_the_instances_zone_unless_given_one(app, make) -> None:  # type: ignore[no-untyped-def]
    app.config["BABEL_DEFAULT_TIMEZONE"] = "America/Sao_Paulo"
    assert make.workshop("Tavolo a San Paolo").time_zone == "America/Sao_Paulo"
    assert zone_of(make.workshop("Tavolo a Londra", time_zone="Europe/London")) == ("Europe/London")
    assert zone_of(None) == "America/Sao_Paulo"


def test_an_edit_changes_the_fields_and_logs_what_they_were(app, make) -> None:  # type: ignore[no-untyped-def]
    workshop = make.workshop("Tavolo vecchio", place="Lodi")
    membership, _ = make.member(workshop, Role.FACILITATOR)
    services.update_workshop(
        membership.person,
        workshop,
        services.WorkshopData(
            title="  Tavolo nuovo ",
            place="Lodi",
            starts_on=dt.date(2026, 12, 6),
            time_zone="Europe/London",
        ),
    )
    db.session.commit()
    assert (workshop.title, workshop.starts_on, workshop.time_zone) == (
        "Tavolo nuovo",
        dt.date(2026, 12, 6),
        "Europe/London",
    )
    (event,) = _actions(workshop.id)
    assert event.action == "workshop.updated" and event.actor_id == membership.person.id
    assert event.details == {
        "title": "«Tavolo vecchio» → «Tavolo nuovo»",
        "starts_on": "— → 2026-12-06",
        "time_zone": "«Europe/Rome» → «Europe/London»",
    }
    # Saving the same data again changes nothing, and logs nothing.
    services.update_workshop(
        membership.person,
        workshop,
        services.WorkshopData(
            title="Tavolo nuovo",
            place="Lodi",
            starts_on=dt.date(2026, 12, 6),
            time_zone="Europe/London",
        ),
    )
    db.session.commit()
    assert len(_actions(workshop.id)) == 1


def test_archiving_and_restoring_are_logged_and_happen_once(app, make) -> None:  # type: ignore[no-untyped-def]
    archived = make.workshop("Tavolo chiuso")
    other, _ = make.member(archived, Role.FACILITATOR)
    services.archive(other.person, archived)
    db.session.commit()
    assert archived.archived and archived.archived_at is not None
    with pytest.raises(services.WorkshopError, match="già archiviato"):
        services.archive(other.person, archived)
    services.restore(other.person, archived)
    db.session.commit()
    assert not archived.archived
    with pytest.raises(services.WorkshopError, match="non è archiviato"):
        services.restore(other.person, archived)
    assert [e.action for e in _actions(archived.id)] == [
        "workshop.archived",
        "workshop.restored",
    ]
