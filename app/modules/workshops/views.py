from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.permissions import Capability
from app.extensions import db
from app.modules.people.models import Person
from app.modules.people.services import members_of
from app.modules.port import notify_section_state
from app.modules.workshops import services
from app.modules.workshops.forms import ArchiveForm, WorkshopForm
from app.modules.workshops.models import Workshop, default_zone
from app.web.access import may_create_workshops, workshop_for

bp = Blueprint("workshops", __name__)


@bp.get("/workshops")
@login_required
def index():  # type: ignore[no-untyped-def]
    return render_template(
        "workshops/index.html",
        rows=services.workshops_of(current_user),
        archived_rows=services.workshops_of(current_user, archived=True),
        may_create=may_create_workshops(current_user),
        organiser=current_user.organiser,
    )


@bp.route("/workshops/new", methods=["GET", "POST"])
@login_required
def new():  # type: ignore[no-untyped-def]
    if not may_create_workshops(current_user):
        abort(403)
    form = WorkshopForm(data={"time_zone": default_zone()})
    if form.validate_on_submit():
        workshop = services.create_workshop(current_user, _data(form))
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


@bp.route("/workshops/<int:workshop_id>/edit", methods=["GET", "POST"])
@login_required
def edit(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, _access = workshop_for(workshop_id, Capability.MANAGE)
    form = WorkshopForm(obj=workshop)
    if form.validate_on_submit():
        services.update_workshop(current_user.person, workshop, _data(form))
        db.session.commit()
        flash(_("Dati del tavolo salvati."), "success")
        return redirect(url_for("workshops.show", workshop_id=workshop.id))
    return render_template("workshops/edit.html", form=form, workshop=workshop), (
        422 if form.errors else 200
    )


@bp.post("/workshops/<int:workshop_id>/archive")
@login_required
def archive(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, _access = workshop_for(workshop_id, Capability.MANAGE)
    form = ArchiveForm()
    if not form.validate():
        abort(400)
    if not form.confirm.data and not workshop.archived:
        return render_template("workshops/confirm_archive.html", workshop=workshop)
    return _change(
        workshop,
        services.archive,
        _(
            "Tavolo archiviato: i documenti restano leggibili ed esportabili, "
            "ma non si modificano più."
        ),
    )


@bp.post("/workshops/<int:workshop_id>/restore")
@login_required
def restore(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, _access = workshop_for(workshop_id, Capability.MANAGE)
    if not ArchiveForm().validate():
        abort(400)
    return _change(
        workshop,
        services.restore,
        _("Tavolo ripristinato: i documenti si possono di nuovo modificare."),
    )


def _change(  # type: ignore[no-untyped-def]
    workshop: Workshop, change: Callable[[Person, Workshop], None], done: str
):
    try:
        change(current_user.person, workshop)
    except services.WorkshopError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("workshops.show", workshop_id=workshop.id))
    db.session.commit()
    # Editors open in the room learn at once that they can (or can again) type.
    for document in workshop.documents:
        for section in document.sections:
            notify_section_state(section)
    flash(done, "success")
    return redirect(url_for("workshops.show", workshop_id=workshop.id))


def _data(form: WorkshopForm) -> services.WorkshopData:
    return services.WorkshopData(
        title=form.title.data or "",
        place=form.place.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        promoters=form.promoters.data or "",
        time_zone=form.time_zone.data,
    )
