"""Labs in the browser: the members page puts people in labs and names their leads, and
the workshop's page shows the labs side by side, redrawn as they move. The pages of
other modules read what they need through template globals, so that neither the
members page nor the workshop's page has to know that labs exist."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.core.permissions import Capability
from app.extensions import db
from app.modules.documents.models import Document
from app.modules.labs import services
from app.modules.labs.forms import LabForm
from app.modules.labs.grid import GridCache, Shown, decided, grid, shown
from app.modules.labs.models import LabAssignment
from app.modules.people.models import Membership
from app.modules.people.views import members_page
from app.modules.room.views import people_in
from app.modules.timeutil import utcnow
from app.modules.workshops.models import Workshop
from app.web.access import get_or_404, workshop_for
from app.web.polling import version_answer

bp = Blueprint("labs", __name__)


@bp.app_template_global("lab_assignments")
def lab_assignments(workshop: Workshop) -> dict[int, LabAssignment]:
    """Each member's lab by membership id, for the members page."""
    return services.of_workshop(workshop)


@bp.app_template_global("lab_grid")
def lab_grid(workshop: Workshop) -> Shown:
    """The labs side by side for the workshop's page; no cards while nobody is in a lab.
    The grid every screen of the room shares (app/modules/labs/grid.py)."""
    key = decided(workshop)
    cache = current_app.extensions.setdefault("tavolo.labs_grid", GridCache())
    return cache.get(
        workshop.id,
        key,
        current_app.config["LABS_GRID_SECONDS"],
        lambda: shown(grid(workshop, utcnow(), people_in), key.room),
    )


@bp.post("/workshops/<int:workshop_id>/members/<int:membership_id>/laboratorio")
@login_required
def assign(workshop_id: int, membership_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    membership = _member(workshop, membership_id)
    form = LabForm()
    if not form.validate_on_submit():
        errors = [error for field in form for error in field.errors]
        return members_page(workshop, access, status=422, error=errors[0] if errors else None)
    try:
        document = _document(form.document.data)
        services.assign(access.person, membership, document, bool(form.leads.data))
    except services.LabError as error:
        db.session.rollback()
        return members_page(workshop, access, status=422, error=str(error))
    db.session.commit()
    flash(_done(membership, document, bool(form.leads.data)), "success")
    return redirect(
        url_for("people.members", workshop_id=workshop.id, _anchor=f"membro-{membership.id}")
    )


@bp.get("/workshops/<int:workshop_id>/laboratori.json")
@login_required
def grid_version(workshop_id: int):  # type: ignore[no-untyped-def]
    """What the workshop's page asks every few seconds while its labs are shown."""
    workshop, _access = workshop_for(workshop_id)
    return version_answer(f"laboratori-{workshop.id}", lab_grid(workshop).version)


def _member(workshop: Workshop, membership_id: int) -> Membership:
    """A membership of another workshop does not exist from here."""
    membership = get_or_404(Membership, membership_id)
    if membership.workshop_id != workshop.id:
        abort(404)
    return membership


def _document(value: str | None) -> Document | None:
    """The document the form names; one that does not exist is refused like one of
    another workshop, with the same sentence."""
    if not value:
        return None
    document = db.session.get(Document, int(value))
    if document is None:
        raise services.LabError(_("Scegli un documento di questo tavolo."))
    return document


def _done(membership: Membership, document: Document | None, lead: bool) -> str:
    name = membership.person.name
    if document is None:
        return _("%(name)s non è in nessun laboratorio.", name=name)
    if lead:
        return _("%(name)s conduce il laboratorio «%(title)s».", name=name, title=document.title)
    return _("%(name)s lavora nel laboratorio «%(title)s».", name=name, title=document.title)
