from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.modules.notifications import services
from app.modules.notifications.forms import ReadForm
from app.web.access import MAX_ID

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def bell() -> dict:
    """The unread count shown in the header of every page."""
    if not current_user.is_authenticated:
        return {}
    return {"unread_notifications": services.unread_count(current_user)}


@bp.get("/notifications")
@login_required
def index():  # type: ignore[no-untyped-def]
    return render_template("notifications/index.html", notifications=services.latest(current_user))


@bp.post("/notifications/read")
@login_required
def read():  # type: ignore[no-untyped-def]
    """With an id: mark that notice read and go where it points. Without: mark all."""
    form = ReadForm()
    if not form.validate():
        flash(_("Richiesta non valida: ricarica la pagina e riprova."), "error")
        return redirect(url_for("notifications.index"))
    if form.notification_id.data is None:
        services.mark_read(current_user)
        db.session.commit()
        flash(_("Tutte le notifiche sono segnate come lette."), "success")
        return redirect(url_for("notifications.index"))
    notification_id = form.notification_id.data
    notification = (
        services.own(current_user, notification_id) if 0 < notification_id <= MAX_ID else None
    )
    if notification is None:
        flash(_("Questa notifica non c'è più."), "error")
        return redirect(url_for("notifications.index"))
    services.mark_read(current_user, notification)
    db.session.commit()
    return redirect(request.script_root + notification.link)
