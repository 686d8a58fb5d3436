"""Agenda routes: everyone in the workshop reads the programme with the running session
marked; facilitators add, extend and remove sessions. The document's editors read the
clock of their sections from `document_clock`, and learn of changes live."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core import agenda
from app.core.permissions import Capability
from app.extensions import db
from app.modules.agenda import services
from app.modules.agenda.forms import DeleteForm, ExtendForm, SessionForm
from app.modules.agenda.models import AgendaSession
from app.modules.port import notify_document
from app.modules.timeutil import utcnow
from app.modules.workshops.models import Workshop
from app.web.access import Access, document_for, get_or_404, require_member, workshop_for
from app.web.back import back_to

bp = Blueprint("agenda", __name__)


@bp.app_template_global("todays_sessions")
def todays_sessions(workshop: Workshop) -> list[tuple[AgendaSession, bool]]:
    """The day's sessions, each with whether it is running now."""
    now = utcnow()
    return [(s, agenda.is_running(s.slot, now)) for s in services.sessions_on(workshop, now)]


@bp.app_template_global("agenda_now")
def agenda_now() -> str:
    """The server's time in the page, so the page's clock follows the room's and not
    a laptop's that runs late."""
    return _iso(utcnow())


@bp.app_template_filter("utc_iso")
def utc_iso(moment: dt.datetime) -> str:
    return _iso(moment)


@bp.app_template_global("agenda_local")
def agenda_local(workshop: Workshop, moment: dt.datetime) -> dt.datetime:
    return services.to_local(workshop, moment)


@bp.get("/workshops/<int:workshop_id>/agenda")
@login_required
def show(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id)
    return _page(workshop, access, SessionForm(formdata=None))


@bp.post("/workshops/<int:workshop_id>/agenda")
@login_required
def create(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    form = SessionForm()
    _fill_choices(form, workshop)
    if not form.validate():
        return _page(workshop, access, form, 422)
    try:
        services.create_session(current_user.person, workshop, _data(form), utcnow())
    except services.AgendaError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _page(workshop, access, form, 422)
    db.session.commit()
    _tell_documents(workshop)
    flash(_("Sessione aggiunta al programma."), "success")
    return redirect(url_for("agenda.show", workshop_id=workshop.id))


@bp.route("/agenda/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit(session_id: int):  # type: ignore[no-untyped-def]
    session, _access = _session_for(session_id)
    workshop = session.workshop
    form = SessionForm() if request.method == "POST" else _filled(session)
    _fill_choices(form, workshop)
    if form.validate_on_submit():
        try:
            services.update_session(current_user.person, session, _data(form), utcnow())
        except services.AgendaError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            _tell_documents(workshop)
            flash(_("Sessione modificata."), "success")
            return redirect(url_for("agenda.show", workshop_id=workshop.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "agenda/edit.html", workshop=workshop, session=session, form=form
    ), status


@bp.post("/agenda/<int:session_id>/delete")
@login_required
def delete(session_id: int):  # type: ignore[no-untyped-def]
    session, _access = _session_for(session_id)
    workshop = session.workshop
    if DeleteForm().validate():
        services.delete_session(current_user.person, session)
        db.session.commit()
        _tell_documents(workshop)
        flash(_("Sessione tolta dal programma."), "success")
    return redirect(url_for("agenda.show", workshop_id=workshop.id))


@bp.post("/agenda/<int:session_id>/extend")
@login_required
def extend(session_id: int):  # type: ignore[no-untyped-def]
    session, _access = _session_for(session_id)
    workshop = session.workshop
    form = ExtendForm()
    back = back_to(workshop.id, _back(workshop, form.document_id.data))
    if not form.validate():
        flash(_("Si può prolungare di 5 o di 10 minuti."), "error")
        return redirect(back)
    try:
        services.extend(current_user.person, session, form.minutes.data or 0, utcnow())
    except services.AgendaError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    db.session.commit()
    _tell_documents(workshop)
    flash(
        _(
            "Sessione «%(title)s» prolungata di %(minutes)d minuti.",
            title=session.title,
            minutes=form.minutes.data,
        ),
        "success",
    )
    return redirect(back)


@bp.get("/documents/<int:document_id>/agenda")
@login_required
def document_clock(document_id: int):  # type: ignore[no-untyped-def]
    """The sessions working on this document's sections, with the server's clock: the
    page counts down from them, and asks again when told the agenda changed."""
    document, _access = document_for(document_id)
    return jsonify(
        now=_iso(utcnow()),
        sessions=[
            {
                "id": s.id,
                "title": s.title,
                "room": s.room,
                "start": _iso(s.starts_at),
                "end": _iso(s.ends_at),
                "warning_from": _iso(agenda.warning_from(s.slot)),
                "number": number,
                "sections": [x.id for x in s.sections if x.document_id == document.id],
                "extend_url": url_for("agenda.extend", session_id=s.id),
            }
            for number, s in services.document_sessions(document)
        ],
    )


def _data(form: SessionForm) -> services.SessionData:
    return services.SessionData(
        title=form.title.data or "",
        day=form.day.data,  # type: ignore[arg-type]
        start=form.start.data,  # type: ignore[arg-type]
        end=form.end.data,  # type: ignore[arg-type]
        room=form.room.data or "",
        facilitator_id=form.facilitator.data,
        section_ids=form.sections.data or [],
        open_at_start=form.open_at_start.data,
        lock_at_end=form.lock_at_end.data,
    )


def _filled(session: AgendaSession) -> SessionForm:
    start = services.to_local(session.workshop, session.starts_at)
    end = services.to_local(session.workshop, session.ends_at)
    return SessionForm(
        formdata=None,
        data={
            "title": session.title,
            "day": start.date(),
            "start": start.time(),
            "end": end.time(),
            "room": session.room,
            "facilitator": session.facilitator_id,
            "sections": [s.id for s in session.sections],
            "open_at_start": session.open_at_start,
            "lock_at_end": session.lock_at_end,
        },
    )


def _iso(moment: dt.datetime) -> str:
    return moment.replace(tzinfo=dt.UTC).isoformat()


def _session_for(session_id: int) -> tuple[AgendaSession, Access]:
    session = get_or_404(AgendaSession, session_id)
    return session, require_member(session.workshop_id, Capability.MANAGE)


def _back(workshop: Workshop, document_id: int | None) -> str:
    if document_id is not None and any(d.id == document_id for d in workshop.documents):
        return url_for("documents.show", document_id=document_id)
    return url_for("agenda.show", workshop_id=workshop.id)


def _tell_documents(workshop: Workshop) -> None:
    for document in workshop.documents:
        notify_document(document.id, "agenda")


def _fill_choices(form: SessionForm, workshop: Workshop) -> None:
    form.facilitator.choices = [("", _("Nessuno in particolare"))] + [
        (m.id, f"{m.person.name}" + (f" ({m.organisation})" if m.organisation else ""))
        for m in services.facilitator_choices(workshop)
    ]
    form.sections.choices = [
        (s.id, f"{s.document.title} · {s.title}") for s in services.section_choices(workshop)
    ]


def _page(workshop: Workshop, access: Access, form: SessionForm, status: int = 200):  # type: ignore[no-untyped-def]
    _fill_choices(form, workshop)
    now = utcnow()
    running = {s.id for s in services.current_sessions(workshop, now)}
    return (
        render_template(
            "agenda/show.html",
            workshop=workshop,
            access=access,
            may_manage=access.can(Capability.MANAGE),
            days=services.days_of(workshop),
            running=running,
            form=form,
            now=now,
        ),
        status,
    )
