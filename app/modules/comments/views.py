"""Comment routes. Every form works as a plain form (the answer is the document page,
or the section's comments page with the error and the typed text when refused); the
page's script sends the same forms with fetch, asking for JSON, and gets back the
section's comments fragment or an error to show beside the form."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.core.permissions import Capability, can_comment
from app.extensions import db
from app.modules.comments import services
from app.modules.comments.forms import CommentForm, EditForm, HideForm, ResolveForm
from app.modules.comments.models import Comment
from app.modules.documents.models import Document, Section
from app.modules.documents.pages import member_parts
from app.modules.notifications import services as notifications
from app.modules.port import notify_document
from app.web.access import MAX_ID, Access, document_for, get_or_404, section_for

bp = Blueprint("comments", __name__)


@bp.app_template_global("section_comments")
def section_comments_global(section: Section) -> services.SectionComments:
    return services.section_comments(section)


@bp.app_template_global("mentionable_names")
def mentionable_names_global(workshop_id: int) -> list[str]:
    return notifications.mentionable_names(workshop_id)


@bp.app_template_global("may_comment")
def may_comment(access: Access, document: Document) -> bool:
    # An archived workshop's documents take no new comments (app.web.access).
    return can_comment(access.role, document.status) and not document.workshop.archived


@bp.app_template_global("may_resolve")
def may_resolve(access: Access, comment: Comment) -> bool:
    return services.may_resolve(access.person, access.moderating_role, comment)


@bp.get("/sections/<int:section_id>/comments")
@login_required
def section(section_id: int):  # type: ignore[no-untyped-def]
    """The section's comments: the fragment the page's script re-fetches when someone
    changes a comment, or a page of its own (where a refused plain form comes back)."""
    section, access = section_for(section_id)
    if request.args.get("fragment"):
        return _fragment(section, access)
    return _page(section, access)


@bp.post("/sections/<int:section_id>/comments")
@login_required
def create(section_id: int):  # type: ignore[no-untyped-def]
    section, access = section_for(section_id, Capability.COMMENT)
    form = CommentForm()
    # Where a refused text goes back: the thread's reply form, or the new-comment form
    # when the thread is not on this section's page.
    key = "new"
    try:
        _check(form)
        if form.parent_id.data:
            parent = _comment_or_error(form.parent_id.data, section)
            if parent.section_id == section.id:
                key = f"reply-{(parent.parent or parent).id}"
            comment = services.reply(current_user.person, access.role, section, parent, _body(form))
        else:
            comment = services.add_comment(
                current_user.person, access.role, section, _body(form), _selection(form)
            )
    except services.CommentError as error:
        return _refused(section, access, key, error, form)
    return _done(section, access, comment)


@bp.post("/comments/<int:comment_id>/edit")
@login_required
def edit(comment_id: int):  # type: ignore[no-untyped-def]
    comment, access = _comment_for(comment_id, Capability.COMMENT)
    form = EditForm()
    try:
        _check(form)
        services.edit_comment(current_user.person, access.role, comment, form.body.data or "")
    except services.CommentError as error:
        return _refused(comment.section, access, f"edit-{comment.id}", error, form)
    return _done(comment.section, access, comment)


@bp.post("/comments/<int:comment_id>/resolve")
@login_required
def resolve(comment_id: int):  # type: ignore[no-untyped-def]
    comment, access = _comment_for(comment_id, Capability.COMMENT)
    form = ResolveForm()
    try:
        _check(form)
        if form.action.data not in ("resolve", "reopen"):
            raise services.CommentError(_("Scegli se risolvere o riaprire la discussione."))
        thread = services.set_resolved(
            current_user.person, access.moderating_role, comment, form.action.data == "resolve"
        )
    except services.CommentError as error:
        return _refused(comment.section, access, f"resolve-{comment.id}", error, form)
    return _done(comment.section, access, thread)


@bp.post("/comments/<int:comment_id>/hide")
@login_required
def hide(comment_id: int):  # type: ignore[no-untyped-def]
    comment, access = _comment_for(comment_id, Capability.MODERATE)
    form = HideForm()
    try:
        _check(form)
        services.hide_comment(
            current_user.person, access.moderating_role, comment, form.reason.data or ""
        )
    except services.CommentError as error:
        return _refused(comment.section, access, f"hide-{comment.id}", error, form)
    return _done(comment.section, access, comment)


@bp.get("/documents/<int:document_id>/deliberation")
@login_required
def sidebar(document_id: int):  # type: ignore[no-untyped-def]
    """The facilitator's panel, re-fetched by the page when anything is discussed."""
    document, access = document_for(document_id, Capability.MODERATE)
    return render_template(
        "deliberation/_panel.html",
        document=document,
        access=access,
        parts=member_parts(document, access, ()),
    )


def _comment_for(comment_id: int, capability: Capability) -> tuple[Comment, Access]:
    comment = get_or_404(Comment, comment_id)
    _section, access = section_for(comment.section_id, capability)
    return comment, access


def _comment_or_error(comment_id: int, section: Section) -> Comment:
    """A comment of another workshop is, to this person, one that does not exist."""
    comment = db.session.get(Comment, comment_id) if 0 < comment_id <= MAX_ID else None
    if comment is None or comment.section.document.workshop_id != section.document.workshop_id:
        raise services.CommentError(
            _("Il commento a cui rispondi non esiste più: risposta non salvata.")
        )
    return comment


def _check(form: FlaskForm) -> None:
    if not form.validate():
        raise services.CommentError(_("Richiesta non valida: ricarica la pagina e riprova."))


def _body(form: CommentForm) -> str:
    return form.body.data or ""


def _selection(form: CommentForm) -> services.Selection | None:
    start, end, quote = form.anchor_start.data, form.anchor_end.data, form.anchor_quote.data
    if start is None or end is None or not quote:
        return None
    return services.Selection(start=start, end=end, quote=quote)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _done(section: Section, access: Access, comment: Comment):  # type: ignore[no-untyped-def]
    db.session.commit()
    notify_document(section.document_id, "comments", {"section_id": section.id})
    if _wants_json():
        return jsonify(html=str(_fragment(section, access)), comment_id=comment.id)
    return redirect(
        url_for("documents.show", document_id=section.document_id, _anchor=f"commento-{comment.id}")
    )


def _refused(  # type: ignore[no-untyped-def]
    section: Section, access: Access, key: str, error: services.CommentError, form: FlaskForm
):
    """Nothing is saved; the person gets the reason and, without the script, the
    section's comments page with what they typed back in the form it came from."""
    db.session.rollback()
    status = 403 if isinstance(error, services.NotAllowed) else 422
    if _wants_json():
        return jsonify(error=str(error)), status
    typed = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
    return _page(section, access, {key: {"error": str(error), **typed}}), status


def _fragment(section: Section, access: Access, bound: dict | None = None) -> str:
    return render_template("comments/_threads.html", **_context(section, access), bound=bound or {})


def _page(section: Section, access: Access, bound: dict | None = None) -> str:
    return render_template("comments/section.html", **_context(section, access), bound=bound or {})


def _context(section: Section, access: Access) -> dict:
    return {
        "section": section,
        "document": section.document,
        "access": access,
        "comments": services.section_comments(section),
    }
