"""Dissent register routes: the register of a document, minority positions written
down by a facilitator, filed by a participant in their own name, or taken from a
comment."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.permissions import Capability
from app.extensions import db
from app.modules.comments.models import Comment
from app.modules.dissent import annex as _annex  # noqa: F401 - registers the export annex
from app.modules.dissent import services
from app.modules.dissent.forms import MarkForm, PositionForm
from app.modules.documents.models import Document, Section
from app.modules.port import notify_document
from app.modules.timeutil import utcnow
from app.web.access import Access, document_for, get_or_404, section_for

bp = Blueprint("dissent", __name__)


@bp.app_template_global("comment_is_minority")
def comment_is_minority(comment: Comment) -> bool:
    return services.is_marked(comment)


@bp.get("/documents/<int:document_id>/dissent")
@login_required
def register(document_id: int):  # type: ignore[no-untyped-def]
    document, access = document_for(document_id)
    return _page(document, access)


@bp.post("/documents/<int:document_id>/dissent")
@login_required
def add(document_id: int):  # type: ignore[no-untyped-def]
    document, access = document_for(document_id, Capability.PROPOSE)
    form = PositionForm()
    try:
        if not form.validate():
            raise services.DissentError(_("Richiesta non valida: ricarica la pagina e riprova."))
        section = _section_of(document, form.section_id.data)
        services.add_position(
            current_user.person,
            access.membership,
            section,
            form.organisation.data or "",
            form.text.data or "",
        )
    except services.DissentError as error:
        db.session.rollback()
        return _page(document, access, form, str(error)), 422
    db.session.commit()
    notify_document(document.id, "dissent", {"section_id": section.id})
    flash(_("Posizione di minoranza registrata."), "success")
    return redirect(
        url_for("dissent.register", document_id=document.id, _anchor=f"dissenso-{section.id}")
    )


@bp.post("/comments/<int:comment_id>/minority")
@login_required
def mark_comment(comment_id: int):  # type: ignore[no-untyped-def]
    comment = get_or_404(Comment, comment_id)
    section, _access = section_for(comment.section_id, Capability.MODERATE)
    try:
        if not MarkForm().validate():
            raise services.DissentError(_("Richiesta non valida: ricarica la pagina e riprova."))
        services.mark_comment(current_user.person, comment)
    except services.DissentError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        notify_document(section.document_id, "dissent", {"section_id": section.id})
        flash(_("Il commento è nel registro del dissenso come posizione di minoranza."), "success")
    return redirect(
        url_for("documents.show", document_id=section.document_id, _anchor=f"commento-{comment.id}")
    )


def _section_of(document: Document, section_id: int | None) -> Section:
    section = db.session.get(Section, section_id) if section_id and 0 < section_id < 2**63 else None
    if section is None or section.document_id != document.id:
        raise services.DissentError(_("Scegli una sezione di questo documento."))
    return section


def _page(
    document: Document, access: Access, form: PositionForm | None = None, error: str = ""
) -> str:
    return render_template(
        "dissent/register.html",
        document=document,
        access=access,
        register=services.register(document, utcnow()),
        form=form,
        error=error,
    )
