from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.core import lifecycle
from app.core.permissions import Capability, DocumentStatus, SectionState
from app.extensions import db
from app.modules.documents import services
from app.modules.documents.forms import (
    DeleteForm,
    MoveForm,
    NewDocumentForm,
    NewSectionForm,
    NumberingForm,
    SectionForm,
    StateForm,
    StatusForm,
)
from app.modules.documents.models import Document, Section
from app.modules.documents.pages import (
    document_page,
    member_parts,
    preview_html,
    template_hints,
)
from app.modules.port import notify_section_state, section_too_long
from app.modules.workshops.models import zone_of
from app.web.access import Access, document_for, section_for, workshop_for
from app.web.blocking import in_turn, one_at_a_time
from app.web.errors import render_error
from app.web.fragments import conditional_page
from app.web.i18n import use_zone

bp = Blueprint("documents", __name__)


@bp.route("/workshops/<int:workshop_id>/documents/new", methods=["GET", "POST"])
@login_required
def new(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, _access = workshop_for(workshop_id, Capability.MANAGE, adds_documents=True)
    form = NewDocumentForm(services.templates_catalogue().ordered())
    if form.validate_on_submit():
        try:
            document = services.create_document(
                current_user.person,
                workshop,
                form.title.data or "",
                form.template.data or None,
                subtitle=form.subtitle.data or "",
            )
        except services.DocumentError as error:
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Documento creato."), "success")
            return redirect(url_for("documents.show", document_id=document.id))
    status = 422 if form.errors else 200
    return render_template("documents/new.html", form=form, workshop=workshop), status


@bp.get("/documents/<int:document_id>")
@in_turn
@login_required
def show(document_id: int):  # type: ignore[no-untyped-def]
    document, access = document_for(document_id)
    return _show(document, access)


@bp.post("/documents/<int:document_id>/sections")
@login_required
def add_section(document_id: int):  # type: ignore[no-untyped-def]
    document, access = document_for(document_id, Capability.MANAGE)
    form = NewSectionForm(prefix="new")
    if not form.validate():
        return _show(document, access, {"new": form})
    try:
        section = services.add_section(
            current_user.person, document, form.title.data or "", form.level.data
        )
    except services.DocumentError as error:
        return _refused(document, error)
    db.session.commit()
    flash(_("Sezione aggiunta in fondo al documento."), "success")
    return _back_to(section)


@bp.post("/sections/<int:section_id>")
@login_required
def update_section(section_id: int):  # type: ignore[no-untyped-def]
    section, access = section_for(section_id, Capability.MANAGE)
    form = SectionForm(prefix=_edit_prefix(section))
    if not form.validate():
        return _show(section.document, access, {_edit_prefix(section): form})
    try:
        services.update_section(
            current_user.person,
            section,
            form.title.data or "",
            form.guidance.data or "",
            form.word_limit.data,
            bool(form.word_limit_hard.data),
        )
    except services.DocumentError as error:
        return _refused(section.document, error)
    db.session.commit()
    flash(_("Sezione aggiornata."), "success")
    return _back_to(section)


@bp.post("/sections/<int:section_id>/move")
@login_required
def move_section(section_id: int):  # type: ignore[no-untyped-def]
    section, access = section_for(section_id, Capability.MANAGE)
    form = MoveForm()
    if not form.validate():
        return _show(section.document, access, {f"move{section.id}": form})
    try:
        services.move_section(current_user.person, section, form.direction.data or "")
    except services.DocumentError as error:
        return _refused(section.document, error)
    db.session.commit()
    return _back_to(section)


@bp.post("/sections/<int:section_id>/delete")
@login_required
def delete_section(section_id: int):  # type: ignore[no-untyped-def]
    section, access = section_for(section_id, Capability.MANAGE)
    document = section.document
    form = DeleteForm()
    if not form.validate():
        return _show(document, access, {f"delete{section.id}": form})
    try:
        services.delete_section(current_user.person, section)
    except services.DocumentError as error:
        return _refused(document, error)
    db.session.commit()
    flash(_("Sezione eliminata."), "success")
    return redirect(url_for("documents.show", document_id=document.id))


@bp.post("/sections/<int:section_id>/state")
@login_required
def set_section_state(section_id: int):  # type: ignore[no-untyped-def]
    section, access = section_for(section_id, Capability.MODERATE)
    form = StateForm()
    if not form.validate():
        return _show(section.document, access, {f"state{section.id}": form})
    try:
        services.set_section_state(current_user.person, section, SectionState(form.state.data))
    except services.DocumentError as error:
        return _refused(section.document, error)
    db.session.commit()
    # Editors in the room learn at once that they can (or can no longer) type here.
    notify_section_state(section)
    return _back_to(section)


@bp.post("/documents/<int:document_id>/status")
@login_required
def set_status(document_id: int):  # type: ignore[no-untyped-def]
    document, access = document_for(document_id, Capability.MANAGE)
    form = StatusForm()
    if not form.validate():
        return _show(document, access, {"status": form})
    target = DocumentStatus(form.status.data)
    unconfirmed = lifecycle.asks_confirmation(target) and not form.confirm.data
    if unconfirmed and lifecycle.can_move(document.status, target):
        return render_template(
            "documents/confirm_status.html",
            document=document,
            target=target,
            items=services.open_items(document, template_hints(document)),
        )
    try:
        services.set_status(current_user.person, document, target)
    except services.DocumentError as error:
        return _refused(document, error)
    db.session.commit()
    for section in document.sections:
        notify_section_state(section)
    if document.status is DocumentStatus.PUBLISHED:
        # Rendered now, once, rather than by the first of its readers: the text is final.
        _public_page(document)
    flash(_status_message(document.status), "success")
    return redirect(url_for("documents.show", document_id=document.id))


@bp.post("/documents/<int:document_id>/numbering")
@login_required
def set_numbering(document_id: int):  # type: ignore[no-untyped-def]
    document, access = document_for(document_id, Capability.MANAGE)
    form = NumberingForm()
    if not form.validate():
        return _show(document, access, {"numbering": form})
    try:
        services.set_numbered(current_user.person, document, form.numbered.data == "si")
    except services.DocumentError as error:
        return _refused(document, error)
    db.session.commit()
    flash(
        _("Tavolo numera le sezioni.")
        if document.numbered
        else _("Tavolo non numera più le sezioni: i titoli restano come sono scritti."),
        "success",
    )
    return redirect(url_for("documents.show", document_id=document.id))


@bp.post("/sections/<int:section_id>/preview")
@login_required
def preview_section(section_id: int):  # type: ignore[no-untyped-def]
    """The editor sends the text it holds, unsaved changes included, so the preview
    shows what the writer sees and not what the server has stored so far."""
    section, _access = section_for(section_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("body"), str):
        abort(400)
    limit = current_app.config["SECTION_MAX_BYTES"]
    if len(payload["body"].encode()) > limit:
        return render_error(413, section_too_long(limit))
    with one_at_a_time("preview", current_user.person_id):
        return jsonify(html=str(preview_html(section, payload["body"])))


@bp.get("/p/<ref>")
@in_turn
def public(ref: str):  # type: ignore[no-untyped-def]
    document = services.published_document(ref)
    if document is None:
        abort(404)
    return conditional_page(_public_page(document))


def _public_page(document: Document) -> str:
    use_zone(zone_of(document.workshop))
    return render_template(
        "documents/public.html",
        page=document_page(document, public=True),
        document=document,
        workshop=document.workshop,
    )


def _show(  # type: ignore[no-untyped-def]
    document: Document, access: Access, bound: dict[str, FlaskForm] | None = None
):
    """The document page; `bound` holds the forms that came back with errors, keyed
    by where they sit on the page, so the person finds what they typed and why it was
    refused (status 422)."""
    bound = bound or {}
    may_manage = access.can(Capability.MANAGE)
    page = document_page(document)
    forms: dict[str, FlaskForm] = {}
    if may_manage and page.structure_editable:
        forms = {
            _edit_prefix(s): SectionForm(formdata=None, obj=s, prefix=_edit_prefix(s))
            for s in document.sections
        }
        forms["new"] = NewSectionForm(formdata=None, prefix="new")
    forms.update(bound)
    return (
        render_template(
            "documents/show.html",
            page=page,
            document=document,
            access=access,
            may_manage=may_manage,
            may_moderate=access.can(Capability.MODERATE),
            forms=forms,
            parts=member_parts(document, access, bound),
        ),
        422 if bound else 200,
    )


def _edit_prefix(section: Section) -> str:
    # Not "s{id}": that prefix belongs to the heading ids inside the section's text.
    return f"edit{section.id}"


def _refused(document: Document, error: services.DocumentError):  # type: ignore[no-untyped-def]
    db.session.rollback()
    flash(str(error), "error")
    return redirect(url_for("documents.show", document_id=document.id))


def _back_to(section: Section):  # type: ignore[no-untyped-def]
    return redirect(
        url_for("documents.show", document_id=section.document_id, _anchor=f"sezione-{section.id}")
    )


def _status_message(status: DocumentStatus) -> str:
    return {
        DocumentStatus.DRAFT: _(
            "Documento riportato in bozza: le sezioni aperte si possono di nuovo scrivere."
        ),
        DocumentStatus.FROZEN: _("Documento congelato: nessuno può più modificarne il testo."),
        DocumentStatus.PUBLISHED: _(
            "Documento pubblicato: chiunque abbia il link pubblico può leggerlo."
        ),
    }[status]
