"""Amendment routes. Every form is a plain form: success goes back to the document page
(where the section's panel shows the outcome, live for everyone), a refusal shows the
amendment's own page or the proposal form with the reason and what was typed."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.permissions import Capability, DocumentStatus, SectionState
from app.extensions import db
from app.modules.amendments import services
from app.modules.amendments.forms import DecisionForm, ProposeForm, ResolveForm, StanceForm
from app.modules.amendments.models import Amendment, Stance
from app.modules.documents.models import Section
from app.modules.port import notify_document
from app.modules.revisions.models import RejectedEdit
from app.modules.timeutil import utcnow
from app.web.access import Access, get_or_404, section_for

bp = Blueprint("amendments", __name__)


@bp.app_template_global("section_amendments")
def section_amendments_global(section: Section) -> list[Amendment]:
    return services.section_amendments(section)


@bp.app_template_global("pending_amendments")
def pending_amendments_global(section: Section) -> int:
    return services.pending_count(section)


@bp.app_template_global("amendment_suggestion")
def amendment_suggestion_global(amendment: Amendment) -> services.Suggestion:
    return services.suggestion(amendment, amendment.section.body)


@bp.app_template_global("may_propose")
def may_propose(access: Access, section: Section) -> bool:
    return (
        access.can(Capability.PROPOSE)
        and section.state is SectionState.OPEN
        and section.document.status is DocumentStatus.DRAFT
        and not section.document.workshop.archived
    )


@bp.app_template_global("late_edits")
def late_edits_global(section: Section, access: Access) -> list[RejectedEdit]:
    return services.late_edits(section, access.person, access.can(Capability.MODERATE))


@bp.app_template_global("late_suggestion")
def late_suggestion_global(edit: RejectedEdit) -> services.Suggestion:
    return services.late_suggestion(edit)


@bp.post("/testi-tardivi/<int:edit_id>/emendamento")
@login_required
def promote_late(edit_id: int):  # type: ignore[no-untyped-def]
    edit = get_or_404(RejectedEdit, edit_id)
    section, _access = section_for(edit.section_id, Capability.MODERATE)
    if not DecisionForm().validate():
        abort(400)
    try:
        services.promote_late_edit(current_user.person, edit, utcnow())
    except services.AmendmentError as error:
        return _late_refused(section, str(error))
    db.session.commit()
    notify_document(section.document_id, "amendments", {"section_id": section.id})
    return _to_section(section)


@bp.post("/testi-tardivi/<int:edit_id>/metti-da-parte")
@login_required
def set_aside_late(edit_id: int):  # type: ignore[no-untyped-def]
    edit = get_or_404(RejectedEdit, edit_id)
    section, access = section_for(edit.section_id)
    if not DecisionForm().validate():
        abort(400)
    manages = access.can(Capability.MODERATE)
    if not manages and edit.person_id != access.person.id:
        abort(404)
    services.set_aside_late_edit(current_user.person, edit, manages, utcnow())
    db.session.commit()
    notify_document(section.document_id, "amendments", {"section_id": section.id})
    return _to_section(section)


@bp.get("/sections/<int:section_id>/deliberation")
@login_required
def panel(section_id: int):  # type: ignore[no-untyped-def]
    """The section's amendments and votes: re-fetched by the page when they change."""
    section, access = section_for(section_id)
    return render_template(
        "amendments/_panel.html", section=section, document=section.document, access=access
    )


@bp.get("/sections/<int:section_id>/amendments/new")
@login_required
def new(section_id: int):  # type: ignore[no-untyped-def]
    """The proposal form, on the passage the person selected (start, end, quote in the
    query) or on the whole section."""
    section, access = section_for(section_id, Capability.PROPOSE)
    base = section.body
    passage = services.locate_passage(base, _asked_passage())
    form = ProposeForm(formdata=None)
    form.base_text.data = base
    form.replacement.data = passage.quote if passage else base
    if passage:
        form.passage_start.data, form.passage_end.data = passage.start, passage.end
        form.passage_quote.data = passage.quote
    lost = bool(request.args.get("quote")) and passage is None
    return _form_page(section, access, form, passage, lost=lost)


@bp.post("/sections/<int:section_id>/amendments")
@login_required
def create(section_id: int):  # type: ignore[no-untyped-def]
    section, access = section_for(section_id, Capability.PROPOSE)
    form = ProposeForm()
    passage = _posted_passage(form)
    try:
        _check(form)
        amendment = services.propose(
            current_user.person,
            section,
            form.base_text.data or "",
            form.replacement.data or "",
            form.rationale.data or "",
            passage,
        )
    except services.AmendmentError as error:
        db.session.rollback()
        return _form_page(section, access, form, passage, error=str(error)), 422
    return _done(amendment)


@bp.get("/amendments/<int:amendment_id>")
@login_required
def show(amendment_id: int):  # type: ignore[no-untyped-def]
    amendment, access = _amendment_for(amendment_id, Capability.READ)
    return _page(amendment, access)


@bp.post("/amendments/<int:amendment_id>/stance")
@login_required
def stance(amendment_id: int):  # type: ignore[no-untyped-def]
    amendment, access = _amendment_for(amendment_id, Capability.PROPOSE)
    form = StanceForm()
    try:
        _check(form)
        chosen = _stance(form.stance.data)
        services.take_stance(current_user.person, amendment, chosen, form.reason.data or "")
    except services.AmendmentError as error:
        return _refused(amendment, access, error, "stance", form)
    return _done(amendment)


@bp.post("/amendments/<int:amendment_id>/withdraw")
@login_required
def withdraw(amendment_id: int):  # type: ignore[no-untyped-def]
    amendment, access = _amendment_for(amendment_id, Capability.PROPOSE)
    form = DecisionForm()
    try:
        _check(form)
        services.withdraw(current_user.person, amendment)
    except services.AmendmentError as error:
        return _refused(amendment, access, error, "withdraw", form)
    return _done(amendment)


@bp.post("/amendments/<int:amendment_id>/accept")
@login_required
def accept(amendment_id: int):  # type: ignore[no-untyped-def]
    amendment, access = _amendment_for(amendment_id, Capability.MODERATE)
    form = DecisionForm()
    try:
        _check(form)
        services.accept(current_user.person, amendment)
    except services.Conflict as conflict:
        return _conflict(amendment, access, conflict)
    except services.AmendmentError as error:
        return _refused(amendment, access, error, "accept", form)
    return _done(amendment)


@bp.post("/amendments/<int:amendment_id>/resolve")
@login_required
def resolve(amendment_id: int):  # type: ignore[no-untyped-def]
    amendment, access = _amendment_for(amendment_id, Capability.MODERATE)
    form = ResolveForm()
    try:
        _check(form)
        services.resolve(
            current_user.person, amendment, form.shown.data or "", form.text.data or ""
        )
    except services.Conflict as conflict:
        return _conflict(amendment, access, conflict, typed=form.text.data or "")
    except services.AmendmentError as error:
        return _refused(amendment, access, error, "accept", form)
    return _done(amendment)


@bp.post("/amendments/<int:amendment_id>/reject")
@login_required
def reject(amendment_id: int):  # type: ignore[no-untyped-def]
    amendment, access = _amendment_for(amendment_id, Capability.MODERATE)
    form = DecisionForm()
    try:
        _check(form)
        services.reject(current_user.person, amendment, form.reason.data or "")
    except services.AmendmentError as error:
        return _refused(amendment, access, error, "reject", form)
    return _done(amendment)


def _amendment_for(amendment_id: int, capability: Capability) -> tuple[Amendment, Access]:
    amendment = get_or_404(Amendment, amendment_id)
    _section, access = section_for(amendment.section_id, capability)
    return amendment, access


def _check(form: ProposeForm | StanceForm | DecisionForm | ResolveForm) -> None:
    if not form.validate():
        raise services.AmendmentError(_("Richiesta non valida: ricarica la pagina e riprova."))


def _stance(value: str | None) -> Stance:
    try:
        return Stance(value)
    except ValueError as error:
        raise services.AmendmentError(_("Scegli se sostieni o contrasti l'emendamento.")) from error


def _asked_passage() -> services.Passage:
    args = request.args
    return services.Passage(
        args.get("start", 0, type=int), args.get("end", 0, type=int), args.get("quote", "")
    )


def _posted_passage(form: ProposeForm) -> services.Passage | None:
    start, end, quote = form.passage_start.data, form.passage_end.data, form.passage_quote.data
    if start is None or end is None or not quote:
        return None
    return services.Passage(start, end, quote)


def _wants_json() -> bool:
    """The panel's script sends the same forms and asks for JSON, so the page (and its
    live editors) is not reloaded for every click."""
    return request.accept_mimetypes.best == "application/json"


def _done(amendment: Amendment):  # type: ignore[no-untyped-def]
    db.session.commit()
    section = amendment.section
    notify_document(section.document_id, "amendments", {"section_id": section.id})
    if _wants_json():
        return jsonify(ok=True)
    return redirect(
        url_for(
            "documents.show",
            document_id=section.document_id,
            _anchor=f"emendamento-{amendment.id}",
        )
    )


def _to_section(section: Section):  # type: ignore[no-untyped-def]
    if _wants_json():
        return jsonify(ok=True)
    return redirect(
        url_for("documents.show", document_id=section.document_id, _anchor=f"sezione-{section.id}")
    )


def _late_refused(section: Section, message: str):  # type: ignore[no-untyped-def]
    db.session.rollback()
    if _wants_json():
        return jsonify(error=message), 422
    flash(message, "error")
    return _to_section(section)


def _refused(  # type: ignore[no-untyped-def]
    amendment: Amendment, access: Access, error: services.AmendmentError, key: str, form: object
):
    """Nothing is saved; the amendment's page says why, with what was typed. 422 even
    when the rule is about who (not the author): the person may use the route, just
    not on this amendment, and the page tells them so."""
    db.session.rollback()
    if _wants_json():
        return jsonify(error=str(error)), 422
    return _page(amendment, access, {"key": key, "error": str(error), "form": form}), 422


def _page(amendment: Amendment, access: Access, bound: dict | None = None) -> str:
    return render_template(
        "amendments/show.html",
        amendment=amendment,
        section=amendment.section,
        document=amendment.section.document,
        access=access,
        suggestion=services.suggestion(amendment, amendment.section.body),
        bound=bound or {},
    )


def _form_page(  # type: ignore[no-untyped-def]
    section: Section,
    access: Access,
    form: ProposeForm,
    passage: services.Passage | None,
    error: str = "",
    lost: bool = False,
):
    return render_template(
        "amendments/new.html",
        section=section,
        document=section.document,
        access=access,
        form=form,
        passage=passage,
        error=error,
        lost=lost,
    )


def _conflict(  # type: ignore[no-untyped-def]
    amendment: Amendment, access: Access, conflict: services.Conflict, typed: str = ""
):
    """Nothing was applied. The facilitator edits a best-effort merge (or what they had
    typed, if their own resolution conflicted in turn) and confirms it."""
    db.session.rollback()
    form = ResolveForm(formdata=None)
    form.shown.data = conflict.shown
    form.text.data = typed or conflict.result.text
    return (
        render_template(
            "amendments/conflict.html",
            amendment=amendment,
            section=amendment.section,
            document=amendment.section.document,
            access=access,
            conflict=conflict,
            form=form,
        ),
        409,
    )
