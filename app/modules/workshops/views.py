from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.permissions import Capability
from app.extensions import db
from app.modules.people.services import members_of
from app.modules.workshops import services
from app.modules.workshops.forms import WorkshopForm
from app.web.access import may_create_workshops, workshop_for

bp = Blueprint("workshops", __name__)


@bp.get("/workshops")
@login_required
def index():  # type: ignore[no-untyped-def]
    return render_template(
        "workshops/index.html",
        rows=services.workshops_of(current_user),
        may_create=may_create_workshops(current_user),
        organiser=current_user.organiser,
    )


@bp.route("/workshops/new", methods=["GET", "POST"])
@login_required
def new():  # type: ignore[no-untyped-def]
    if not may_create_workshops(current_user):
        abort(403)
    form = WorkshopForm()
    if form.validate_on_submit():
        workshop = services.create_workshop(
            current_user,
            services.WorkshopData(
                title=form.title.data or "",
                place=form.place.data or "",
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                promoters=form.promoters.data or "",
            ),
        )
        db.session.commit()
        flash(_("Tavolo creato."), "success")
        return redirect(url_for("workshops.show", workshop_id=workshop.id))
    return render_template("workshops/new.html", form=form), 422 if form.errors else 200


@bp.get("/workshops/<int:workshop_id>")
@login_required
def show(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id)
    return render_template(
        "workshops/show.html",
        workshop=workshop,
        access=access,
        members=[m for m in members_of(workshop) if m.active],
        may_manage=access.can(Capability.MANAGE),
    )
