from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.core import attendance as rules
from app.core.permissions import Capability
from app.extensions import db
from app.modules.attendance import services
from app.modules.attendance.forms import ArrivalForm, PresenceForm, RoomCodeForm
from app.modules.people.models import Membership
from app.modules.people.services import members_of
from app.modules.timeutil import utcnow
from app.modules.workshops.models import Workshop
from app.web.access import get_or_404, require_member, workshop_for

bp = Blueprint("attendance", __name__)


@bp.get("/workshops/<int:workshop_id>/presenze")
@login_required
def register(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, _access = workshop_for(workshop_id, Capability.MANAGE)
    return _register_page(workshop)


@bp.post("/workshops/<int:workshop_id>/presenze/<int:membership_id>")
@login_required
def mark(workshop_id: int, membership_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    member = get_or_404(Membership, membership_id)
    if member.workshop_id != workshop.id:
        abort(404)
    form = PresenceForm()
    if not form.validate():
        abort(400)
    services.set_present(access.membership, member, form.present.data == "si", utcnow())
    db.session.commit()
    back = url_for("attendance.register", workshop_id=workshop.id)
    return redirect(f"{back}#persona-{member.id}")


@bp.post("/workshops/<int:workshop_id>/presenze/codice")
@login_required
def renew_code(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    if not RoomCodeForm().validate():
        abort(400)
    services.renew_room_code(access.membership, workshop)
    db.session.commit()
    flash(_("Nuovo codice della sala: quello di prima non vale più."), "success")
    return redirect(url_for("attendance.register", workshop_id=workshop.id))


@bp.get("/workshops/<int:workshop_id>/arrivo/<code>")
@login_required
def arrival(workshop_id: int, code: str):  # type: ignore[no-untyped-def]
    """Opening the room's code shows a page and changes nothing: a link or an image
    cannot mark anybody present."""
    access = require_member(workshop_id)
    workshop = access.membership.workshop
    if not services.valid_code(workshop, code):
        return _wrong_code(workshop)
    today = services.present_on(workshop, services.day_of(workshop, utcnow()))
    present = today.get(access.membership.id)
    return render_template(
        "attendance/arrival.html", workshop=workshop, code=code, form=ArrivalForm(), present=present
    )


@bp.post("/workshops/<int:workshop_id>/arrivo/<code>")
@login_required
def check_in(workshop_id: int, code: str):  # type: ignore[no-untyped-def]
    access = require_member(workshop_id)
    workshop = access.membership.workshop
    if not ArrivalForm().validate():
        abort(400)
    try:
        services.check_in(access.membership, code, utcnow())
    except services.AttendanceError:
        return _wrong_code(workshop)
    db.session.commit()
    return redirect(url_for("attendance.arrival", workshop_id=workshop.id, code=code))


def _wrong_code(workshop: Workshop):  # type: ignore[no-untyped-def]
    return (
        render_template("attendance/arrival.html", workshop=workshop, code=None, form=None),
        404,
    )


def _register_page(workshop: Workshop):  # type: ignore[no-untyped-def]
    now = utcnow()
    day = services.day_of(workshop, now)
    present = services.present_on(workshop, day)
    members = [m for m in members_of(workshop) if m.active]
    return render_template(
        "attendance/register.html",
        workshop=workshop,
        day=day,
        members=members,
        present=present,
        majority=rules.majority(len(present)),
        arrival_url=services.arrival_url(workshop),
        form=PresenceForm(),
        code_form=RoomCodeForm(),
    )
