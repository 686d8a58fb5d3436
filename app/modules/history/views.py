from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.core.permissions import Capability
from app.extensions import db
from app.modules.documents.models import Document
from app.modules.exports.renderer import ExportError, ExportsBusy
from app.modules.history import marking, redline, services
from app.modules.history.forms import RestoreRevisionForm, RestoreVersionForm, SaveVersionForm
from app.web.access import document_for, section_for
from app.web.back import back_to
from app.web.blocking import client_gone, one_at_a_time
from app.web.errors import render_error

bp = Blueprint("history", __name__)
bp.add_app_template_global(marking.diff_text, "diff_text")
bp.add_app_template_global(services.version_count, "version_count")

LIVE = "attuale"
VIEWS = ("inline", "affiancata")


class BadRequest(Exception):
    """An address or a form these pages cannot use: answered with the Italian error
    page, with nothing changed."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@bp.errorhandler(BadRequest)
def _bad_request(error: BadRequest):  # type: ignore[no-untyped-def]
    return render_error(error.code, error.message)


@bp.errorhandler(services.HistoryError)
def _history_error(error: services.HistoryError):  # type: ignore[no-untyped-def]
    db.session.rollback()
    return render_error(404 if isinstance(error, services.NotFound) else 400, str(error))


@bp.get("/documents/<int:document_id>/versions")
@login_required
def versions(document_id: int):  # type: ignore[no-untyped-def]
    document, access = document_for(document_id)
    return _versions_page(document, access.can(Capability.MANAGE), SaveVersionForm(formdata=None))


@bp.post("/documents/<int:document_id>/versions")
@login_required
def save_version(document_id: int):  # type: ignore[no-untyped-def]
    document, _access = document_for(document_id, Capability.MANAGE)
    form = SaveVersionForm()
    if not form.validate():
        return _versions_page(document, True, form), 422
    try:
        version = services.save_version(current_user.person, document, form.name.data or "")
    except services.HistoryError as error:
        form.name.errors = [str(error)]
        return _versions_page(document, True, form), 422
    db.session.commit()
    flash(_("Versione «%(name)s» salvata.", name=version.name), "success")
    page = url_for("history.versions", document_id=document.id)
    return redirect(back_to(document.workshop_id, page))


@bp.get("/documents/<int:document_id>/versions/links")
@login_required
def document_links(document_id: int):  # type: ignore[no-untyped-def]
    """The document page's link to the versions, reloaded by its script when one is saved."""
    document, _access = document_for(document_id)
    return render_template("history/_document_links.html", document=document, fragment=True)


@bp.get("/documents/<int:document_id>/compare")
@login_required
def compare(document_id: int):  # type: ignore[no-untyped-def]
    document, access = document_for(document_id)
    comparison = _comparison(document)
    view = request.args.get("vista", "inline")
    if view not in VIEWS:
        view = "inline"
    full = request.args.get("contesto") == "tutto"
    shown = {
        id_: chunks if full else services.around_changes(chunks)
        for id_, chunks in comparison.chunks.items()
    }
    return render_template(
        "history/compare.html",
        document=document,
        comparison=comparison,
        shown=shown,
        full=full,
        view=view,
        refs=_refs(document),
        versions=services.versions(document),
        may_manage=access.can(Capability.MANAGE),
        restore_form=RestoreVersionForm(formdata=None),
    )


@bp.get("/documents/<int:document_id>/compare/redline.<fmt>")
@login_required
def export_redline(document_id: int, fmt: str):  # type: ignore[no-untyped-def]
    document, _access = document_for(document_id)
    if fmt not in ("html", "pdf"):
        raise BadRequest(404, _("Il confronto si scarica in HTML o in PDF."))
    html = render_template(
        "history/redline.html", document=document, comparison=_comparison(document)
    )
    name = redline.file_name(document, fmt)
    if fmt == "html":
        body, mimetype = html.encode(), "text/html; charset=utf-8"
    else:
        try:
            with one_at_a_time("pdf", current_user.person_id):
                body, mimetype = redline.render_pdf(html, client_gone()), "application/pdf"
        except ExportError as error:
            return render_error(429 if isinstance(error, ExportsBusy) else 503, str(error))
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/documents/<int:document_id>/versions/<int:version_id>/restore")
@login_required
def restore_version(document_id: int, version_id: int):  # type: ignore[no-untyped-def]
    document, _access = document_for(document_id, Capability.MANAGE)
    version = services.version_of(document, version_id)
    if not RestoreVersionForm().validate():
        raise BadRequest(400, _("Il modulo non è valido: ricarica la pagina e riprova."))
    try:
        restored = services.restore_version(current_user.person, document, version)
    except services.HistoryError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(_compare_url(document, version.id))
    db.session.commit()
    flash(_restored_message(version.name, len(restored)), "success")
    return redirect(url_for("documents.show", document_id=document.id))


@bp.get("/sections/<int:section_id>/history")
@login_required
def section_history(section_id: int):  # type: ignore[no-untyped-def]
    section, access = section_for(section_id)
    page = services.section_history(section, _int_arg("pagina", 1))
    return render_template(
        "history/section.html",
        section=section,
        document=section.document,
        history=page,
        may_restore=access.can(Capability.MANAGE),
        restore_form=RestoreRevisionForm(formdata=None),
    )


@bp.get("/sections/<int:section_id>/compare")
@login_required
def section_compare(section_id: int):  # type: ignore[no-untyped-def]
    section, _access = section_for(section_id)
    old = services.revision_of(section, _int_arg("da", 0))
    new = services.revision_of(section, _int_arg("a", 0))
    if old.id == new.id:
        raise BadRequest(400, _("Scegli due revisioni diverse da confrontare."))
    return render_template(
        "history/section_compare.html",
        section=section,
        document=section.document,
        old=old,
        new=new,
        chunks=services.compare_revisions(section, old, new),
    )


@bp.post("/sections/<int:section_id>/restore")
@login_required
def restore_revision(section_id: int):  # type: ignore[no-untyped-def]
    section, _access = section_for(section_id, Capability.MANAGE)
    form = RestoreRevisionForm()
    if not form.validate():
        raise BadRequest(400, _("Scegli la revisione da ripristinare."))
    revision = services.revision_of(section, form.revision_id.data or 0)
    try:
        changed = services.restore_revision(current_user.person, section, revision)
    except services.HistoryError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("history.section_history", section_id=section.id))
    db.session.commit()
    flash(
        _(
            "Testo ripristinato come nuova revisione: per annullare, ripristina la revisione "
            "precedente."
        )
        if changed
        else _("Il testo è già uguale a questa revisione: nulla da ripristinare."),
        "success",
    )
    return redirect(url_for("history.section_history", section_id=section.id))


@bp.get("/sections/<int:section_id>/authorship")
@login_required
def authorship(section_id: int):  # type: ignore[no-untyped-def]
    section, _access = section_for(section_id)
    return render_template(
        "history/authorship.html",
        section=section,
        document=section.document,
        page=services.authorship_page(section),
    )


def _restored_message(name: str, sections: int) -> str:
    if not sections:
        return _(
            "Il testo è già uguale alla versione «%(name)s»: nulla da ripristinare.", name=name
        )
    return ngettext(
        "Ripristinata la versione «%(name)s» in %(num)d sezione. Ogni ripristino è una nuova "
        "revisione: si può annullare dalla cronologia della sezione.",
        "Ripristinata la versione «%(name)s» in %(num)d sezioni. Ogni ripristino è una nuova "
        "revisione: si può annullare dalla cronologia della sezione.",
        sections,
        name=name,
    )


def _versions_page(document: Document, may_manage: bool, form: SaveVersionForm) -> str:
    return render_template(
        "history/versions.html",
        document=document,
        versions=services.versions(document),
        may_manage=may_manage,
        form=form,
        live=LIVE,
    )


def _comparison(document: Document) -> services.Comparison:
    """One at a time per person: two long versions take seconds to compare."""
    old_ref, new_ref = _refs(document)
    with one_at_a_time("compare", current_user.person_id):
        return services.compare(
            services.point(document, old_ref), services.point(document, new_ref)
        )


def _refs(document: Document) -> tuple[int | None, int | None]:
    """The two points of a comparison from the address: version ids, or "attuale" for
    the live text. Without a "da", the latest version is compared with the live text."""
    latest = services.latest_version(document)
    return _ref("da", str(latest.id) if latest else LIVE), _ref("a", LIVE)


def _ref(name: str, default: str) -> int | None:
    value = request.args.get(name, default)
    if value == LIVE:
        return None
    if not value.isdigit() or len(value) > 18:
        raise BadRequest(
            400, _("Scegli da un elenco le due versioni da confrontare (o il testo attuale).")
        )
    return int(value)


def _int_arg(name: str, default: int) -> int:
    value = request.args.get(name, "")
    if value.isdigit() and len(value) <= 18:
        return int(value)
    if not value:
        return default
    raise BadRequest(400, _("L'indirizzo contiene un numero non valido: «%(v)s».", v=value))


def _compare_url(document: Document, version_id: int) -> str:
    return url_for("history.compare", document_id=document.id, da=version_id, a=LIVE)
