from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage

from app.core.invitations import Message
from app.core.permissions import Capability
from app.extensions import db
from app.modules.documents.pages import render_ahead
from app.modules.imports import services
from app.modules.imports.forms import LEVEL_LABELS, NUMBERS_LABELS, ConfirmForm, UploadForm
from app.modules.imports.pages import preview_sections, sections_by_level
from app.modules.imports.pending import Pending
from app.modules.workshops.models import Workshop
from app.web.access import workshop_for
from app.web.blocking import one_at_a_time

bp = Blueprint("imports", __name__)

# Room for the rest of the form around the file (the level, the CSRF token, the
# multipart boundaries).
FORM_OVERHEAD = 64 * 1024


@bp.get("/workshops/<int:workshop_id>/import")
@login_required
def new(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, _access = workshop_for(workshop_id, Capability.MANAGE)
    return _upload_page(workshop, UploadForm(formdata=None))


@bp.post("/workshops/<int:workshop_id>/import")
@login_required
def upload(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, _access = workshop_for(workshop_id, Capability.MANAGE, adds_documents=True)
    # Beyond this the request is refused before it is read, with the 413 page.
    request.max_content_length = current_app.config["IMPORT_MAX_BYTES"] + FORM_OVERHEAD
    form = UploadForm()
    if not form.validate():
        return _upload_page(workshop, form, 422)
    file: FileStorage = form.file.data
    try:
        with one_at_a_time("import", current_user.person_id):
            draft = services.upload(
                current_user.person,
                workshop,
                file.stream.read(current_app.config["IMPORT_MAX_BYTES"] + 1),
                file.filename or "",
            )
    except services.ImportRefused as error:
        form.file.errors = [_text(error.message)]
        return _upload_page(workshop, form, error.status)
    return redirect(
        url_for(
            "imports.preview", workshop_id=workshop.id, token=draft.token, livello=form.level.data
        )
    )


@bp.get("/workshops/<int:workshop_id>/import/<token>")
@login_required
def preview(workshop_id: int, token: str):  # type: ignore[no-untyped-def]
    workshop, _access = workshop_for(workshop_id, Capability.MANAGE)
    draft = _draft(workshop, token)
    level = request.args.get("livello", type=int)
    form = ConfirmForm(
        formdata=None,
        title=draft.title,
        level=level if level in services.LEVELS else 1,
        numbers=services.Numbers.read(request.args.get("numerazione")).value,
    )
    return _preview_page(workshop, draft, form)


@bp.post("/workshops/<int:workshop_id>/import/<token>")
@login_required
def confirm(workshop_id: int, token: str):  # type: ignore[no-untyped-def]
    workshop, _access = workshop_for(workshop_id, Capability.MANAGE, adds_documents=True)
    draft = _draft(workshop, token)
    form = ConfirmForm()
    if not form.validate():
        return _preview_page(workshop, draft, form, 422)
    try:
        with one_at_a_time("import", current_user.person_id):
            document = services.confirm(
                current_user.person,
                workshop,
                draft,
                form.title.data or "",
                form.level.data,
                services.Numbers.read(form.numbers.data),
            )
    except services.ImportRefused as error:
        db.session.rollback()
        form.title.errors = [_text(error.message)]
        return _preview_page(workshop, draft, form, error.status)
    db.session.commit()
    render_ahead(current_app._get_current_object(), [document.id])
    count = len(document.sections)
    flash(
        ngettext(
            "Documento importato con %(num)d sezione.",
            "Documento importato con %(num)d sezioni.",
            count,
        ),
        "success",
    )
    return redirect(url_for("documents.show", document_id=document.id))


@bp.post("/workshops/<int:workshop_id>/import/<token>/cancel")
@login_required
def cancel(workshop_id: int, token: str):  # type: ignore[no-untyped-def]
    workshop, _access = workshop_for(workshop_id, Capability.MANAGE)
    services.cancel(_draft(workshop, token))
    flash(_("Importazione annullata: non è stato salvato nulla."), "info")
    return redirect(url_for("workshops.show", workshop_id=workshop.id))


def _draft(workshop: Workshop, token: str) -> Pending:
    """An hour after the upload the draft is gone: say so, and offer the upload again."""
    draft = services.find(current_user.person, workshop, token)
    if draft is None:
        flash(
            _(
                "Questa anteprima non c'è più: le importazioni non confermate si cancellano "
                "dopo un'ora. Carica di nuovo il file."
            ),
            "error",
        )
        abort(redirect(url_for("imports.new", workshop_id=workshop.id)))
    return draft


def _text(message: Message) -> str:
    """Some parameters are Italian fragments marked for the catalogue ("un PDF");
    gettext hands back any other value unchanged."""
    params = {k: _(v) if isinstance(v, str) else v for k, v in message.params.items()}
    return _(message.template, **params)


def _upload_page(workshop: Workshop, form: UploadForm, status: int = 200):  # type: ignore[no-untyped-def]
    return (
        render_template(
            "imports/new.html",
            workshop=workshop,
            form=form,
            level_labels=LEVEL_LABELS,
            max_mb=f"{current_app.config['IMPORT_MAX_BYTES'] / 2**20:g}",
        ),
        status,
    )


def _preview_page(  # type: ignore[no-untyped-def]
    workshop: Workshop, draft: Pending, form: ConfirmForm, status: int = 200
):
    analysis = draft.analysis
    level = form.level.data if form.level.data in services.LEVELS else 1
    numbers = services.Numbers.read(form.numbers.data)
    return (
        render_template(
            "imports/preview.html",
            workshop=workshop,
            draft=draft,
            form=form,
            level=level,
            level_labels=LEVEL_LABELS,
            counts=sections_by_level(analysis),
            numbering_example=analysis.example,
            numbers=numbers,
            numbers_labels=NUMBERS_LABELS,
            sections=preview_sections(analysis, level, numbers),
        ),
        status,
    )
