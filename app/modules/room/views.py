from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from app.core.floor import Projected
from app.core.permissions import Capability, SectionState
from app.extensions import db
from app.modules.documents import services as documents
from app.modules.documents.forms import StateForm
from app.modules.history import services as history
from app.modules.port import notify_document, notify_section_state, present
from app.modules.room import console as room_console
from app.modules.room import services
from app.modules.room.forms import (
    ActionForm,
    AnnounceForm,
    AskForm,
    ConsoleVersionForm,
    ProjectForm,
    QueueForm,
)
from app.modules.room.models import FloorRequest
from app.modules.timeutil import utcnow
from app.modules.workshops.models import Workshop
from app.web import rendering
from app.web.access import Access, document_for, get_or_404, section_for, workshop_for
from app.web.back import back_to
from app.web.polling import version_answer

bp = Blueprint("room", __name__)


@dataclass(frozen=True)
class ProjectedView:
    screen: services.Screen
    number: str  # the section's number, as the document shows it
    html: Markup | None  # the section's text
    speaking: FloorRequest | None
    next_up: list[FloorRequest]


@bp.get("/workshops/<int:workshop_id>/parola")
@login_required
def floor(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id)
    return _page(workshop, access)


@bp.get("/workshops/<int:workshop_id>/parola.json")
@login_required
def version(workshop_id: int):  # type: ignore[no-untyped-def]
    """What phones ask for every few seconds."""
    workshop, _access = workshop_for(workshop_id)
    return version_answer(f"sala-{workshop.id}", services.state_of(workshop).version)


@bp.post("/workshops/<int:workshop_id>/parola")
@login_required
def ask(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.SPEAK)
    form = AskForm()
    if not form.validate():
        abort(400)
    return _done(workshop, lambda: services.ask(access.membership, form.topic.data or "", utcnow()))


@bp.post("/workshops/<int:workshop_id>/parola/<int:request_id>/ritira")
@login_required
def withdraw(workshop_id: int, request_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.SPEAK)
    found = _request(workshop, request_id)
    return _done(workshop, lambda: services.withdraw(access.membership, found, utcnow()))


@bp.post("/workshops/<int:workshop_id>/parola/<int:request_id>/dai")
@login_required
def give(workshop_id: int, request_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    found = _request(workshop, request_id)
    return _done(workshop, lambda: services.give_floor(access.membership, found, utcnow()))


@bp.post("/workshops/<int:workshop_id>/parola/<int:request_id>/salta")
@login_required
def skip(workshop_id: int, request_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    found = _request(workshop, request_id)
    return _done(workshop, lambda: services.skip(access.membership, found, utcnow()))


@bp.post("/workshops/<int:workshop_id>/parola/concludi")
@login_required
def finish(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    return _done(workshop, lambda: services.finish(access.membership, workshop, utcnow()))


@bp.post("/workshops/<int:workshop_id>/parola/coda")
@login_required
def queue(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    form = QueueForm()
    if not form.validate():
        abort(400)
    open_ = form.open.data == "si"
    return _done(
        workshop, lambda: services.set_queue_open(access.membership, workshop, open_, utcnow())
    )


@bp.post("/workshops/<int:workshop_id>/annuncio")
@login_required
def announce(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    form = AnnounceForm()
    if not form.validate():
        return _page(workshop, access, announce_form=form, status=422)
    try:
        sent = services.announce(
            access.membership, workshop, form.message.data or "", form.minutes.data, utcnow()
        )
    except services.RoomError as error:
        form.message.errors = [str(error)]
        return _page(workshop, access, announce_form=form, status=422)
    db.session.commit()
    _tell_editors(workshop, {"message": sent.message, "until": sent.until.isoformat() + "Z"})
    return redirect(back_to(workshop.id, url_for("room.floor", workshop_id=workshop.id)))


@bp.post("/workshops/<int:workshop_id>/annuncio/togli")
@login_required
def clear_announcement(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    if not ActionForm().validate():
        abort(400)
    services.clear_announcement(access.membership, workshop, utcnow())
    db.session.commit()
    _tell_editors(workshop, {"message": "", "until": None})
    return redirect(back_to(workshop.id, url_for("room.floor", workshop_id=workshop.id)))


@bp.get("/documents/<int:document_id>/proiettore")
@login_required
def projector(document_id: int):  # type: ignore[no-untyped-def]
    """The room's screen, full size and black on white: what the facilitator chose from
    the room's page, updating by itself."""
    document, _access = document_for(document_id)
    return render_template(
        "room/projector.html",
        document=document,
        workshop=document.workshop,
        screen=_screen(document.workshop),
        version=services.screen_version(document.workshop, utcnow()),
    )


@bp.get("/documents/<int:document_id>/proiettore.json")
@login_required
def projector_version(document_id: int):  # type: ignore[no-untyped-def]
    document, _access = document_for(document_id)
    current = services.screen_version(document.workshop, utcnow())
    return version_answer(f"proiettore-{document.workshop_id}", current)


@bp.post("/workshops/<int:workshop_id>/proiettore")
@login_required
def project(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    form = ProjectForm()
    if not form.validate():
        abort(400)
    projected = Projected(form.projected.data)
    target = form.section.data if projected is Projected.SECTION else form.vote.data
    return _done(
        workshop,
        lambda: services.set_projected(access.membership, workshop, projected, target, utcnow()),
    )


@bp.get("/workshops/<int:workshop_id>/console")
@login_required
def console(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    return _console_page(workshop, access, ConsoleVersionForm(formdata=None))


@bp.post("/workshops/<int:workshop_id>/console/versione")
@login_required
def save_version(workshop_id: int):  # type: ignore[no-untyped-def]
    """A named version of one of the workshop's documents, without leaving the console."""
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    form = ConsoleVersionForm()
    _document_choices(form, workshop)
    if not form.validate():
        return _console_page(workshop, access, form, status=422)
    document = next(d for d in workshop.documents if d.id == form.document.data)
    try:
        version = history.save_version(access.person, document, form.name.data or "")
    except history.HistoryError as error:
        db.session.rollback()
        form.name.errors = [str(error)]
        return _console_page(workshop, access, form, status=422)
    db.session.commit()
    flash(
        _("Versione «%(name)s» di «%(title)s» salvata.", name=version.name, title=document.title),
        "success",
    )
    return redirect(url_for("room.console", workshop_id=workshop.id))


@bp.get("/workshops/<int:workshop_id>/console.json")
@login_required
def console_version(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, _access = workshop_for(workshop_id, Capability.MANAGE)
    summary = room_console.console(workshop, utcnow(), people_in)
    current = f"{services.state_of(workshop).version}-{summary.digest()}"
    return version_answer(f"console-{workshop.id}", current)


@bp.post("/workshops/<int:workshop_id>/console/sezioni/<int:section_id>")
@login_required
def section_state(workshop_id: int, section_id: int):  # type: ignore[no-untyped-def]
    """Opening or locking a section from the console, back to the console."""
    section, access = section_for(section_id, Capability.MANAGE)
    if section.document.workshop_id != workshop_id:
        abort(404)
    form = StateForm()
    if not form.validate():
        abort(400)
    try:
        documents.set_section_state(access.person, section, SectionState(form.state.data))
    except documents.DocumentError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        notify_section_state(section)
    back = url_for("room.console", workshop_id=workshop_id)
    return redirect(f"{back}#riga-{section.id}")


def _document_choices(form: ConsoleVersionForm, workshop: Workshop) -> None:
    form.document.choices = [(d.id, d.title) for d in workshop.documents]


def _console_page(  # type: ignore[no-untyped-def]
    workshop: Workshop, access: Access, version_form: ConsoleVersionForm, status: int = 200
):
    now = utcnow()
    _document_choices(version_form, workshop)
    return (
        render_template(
            "room/console.html",
            workshop=workshop,
            access=access,
            now=now,
            summary=room_console.console(workshop, now, people_in),
            state=services.state_of(workshop),
            shown=services.screen(workshop, now),
            announcement=services.announcement(workshop, now),
            action_form=ActionForm(),
            project_form=ProjectForm(),
            announce_form=AnnounceForm(formdata=None),
            version_form=version_form,
        ),
        status,
    )


def people_in(document_id: int) -> list[tuple[int, int | None, str]]:
    """What the console and the labs' grid (app/modules/labs/views.py) show."""
    return [(p.person_id, p.section_id, p.name) for p in present(document_id)]


@bp.app_context_processor
def _room() -> dict[str, object]:
    return {"room_announcement": lambda workshop: services.announcement(workshop, utcnow())}


def _request(workshop: Workshop, request_id: int) -> FloorRequest:
    found = get_or_404(FloorRequest, request_id)
    if found.workshop_id != workshop.id:
        abort(404)
    if not ActionForm().validate():
        abort(400)
    return found


def _done(workshop: Workshop, change):  # type: ignore[no-untyped-def]
    try:
        change()
    except services.RoomError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
    return redirect(back_to(workshop.id, url_for("room.floor", workshop_id=workshop.id)))


def _screen(workshop: Workshop) -> ProjectedView:
    shown = services.screen(workshop, utcnow())
    speaking, waiting = services.in_order(services.requests_of(workshop))
    number, html = "", None
    if shown.section is not None:
        section = shown.section
        entries = section.document.outline().entries
        number = entries[section.document.sections.index(section)].number
        # The screen puts the section's title in an h1: the text's headings come under it.
        html = rendering.markdown(section.body, f"proiettore{section.id}", 1, section.document_id)
    return ProjectedView(shown, number, html, speaking, waiting[:5])


def _tell_editors(workshop: Workshop, payload: dict[str, object]) -> None:
    """The open editors learn of the line at once, over the connection they have."""
    for document in workshop.documents:
        notify_document(document.id, "broadcast", payload)


def _page(  # type: ignore[no-untyped-def]
    workshop: Workshop, access: Access, announce_form: AnnounceForm | None = None, status: int = 200
):
    now = utcnow()
    state = services.state_of(workshop)
    speaking, waiting = services.in_order(services.requests_of(workshop))
    active = ([speaking] if speaking else []) + waiting
    mine = next((r for r in active if r.membership_id == access.membership.id), None)
    return (
        render_template(
            "room/floor.html",
            workshop=workshop,
            access=access,
            state=state,
            speaking=speaking,
            waiting=waiting,
            mine=mine,
            position=waiting.index(mine) + 1 if mine in waiting else None,
            may_manage=access.can(Capability.MANAGE),
            may_speak=access.can(Capability.SPEAK),
            announcement=services.announcement(workshop, now),
            ask_form=AskForm(),
            action_form=ActionForm(),
            queue_form=QueueForm(),
            announce_form=announce_form or AnnounceForm(),
            project_form=ProjectForm(),
            rounds=services.vote_rounds_of(workshop) if access.can(Capability.MANAGE) else [],
        ),
        status,
    )
