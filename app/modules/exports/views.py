"""Every member may export the document: whoever can read the text may take it away,
and the room often needs a PDF on the projector or a DOCX for an office. Facilitators
see every export; the others see (and download) their own. The public downloads the
PDF and DOCX of the final text once the document is published."""

from __future__ import annotations

import hashlib
import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.export import PUBLIC_FORMATS, Format
from app.core.permissions import Capability, DocumentStatus
from app.extensions import db
from app.modules.documents import services as documents
from app.modules.documents.models import Document
from app.modules.exports import logos, services
from app.modules.exports.forms import ExportForm, LogoForm
from app.modules.exports.models import DocumentLogo, Export
from app.web import qr
from app.web.access import Access, document_for, get_or_404, require_member
from app.web.blocking import one_at_a_time

bp = Blueprint("exports", __name__)

PANEL_SIZE = 5
MOVES = {"prima": -1, "dopo": 1}


@bp.get("/documents/<int:document_id>/exports")
@login_required
def index(document_id: int):  # type: ignore[no-untyped-def]
    document, access = document_for(document_id)
    return _index(document, access)


@bp.post("/documents/<int:document_id>/exports")
@login_required
def create(document_id: int):  # type: ignore[no-untyped-def]
    document, access = document_for(document_id)
    form = _export_form(document)
    if not form.validate():
        return _index(document, access, form, status=422)
    try:
        options = services.options_from(
            form.format.data or "",
            form.annexes.data or (),
            archival=form.pdf_archival.data,
            tagged=form.pdf_tagged.data,
            notes=form.notes.data or (),
        )
        with one_at_a_time("pdf", current_user.person_id):
            row = services.export(current_user.person, document, options, form.version.data)
    except services.ExportError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _index(document, access, form, status=422)
    db.session.commit()
    flash(_("Esportazione pronta: %(name)s", name=row.file_name), "success")
    return redirect(url_for("exports.index", document_id=document.id, nuova=row.id))


@bp.post("/documents/<int:document_id>/logos")
@login_required
def add_logo(document_id: int) -> ResponseReturnValue:
    """The promoters' logos for the cover: the facilitators' choice, like the cover's
    other details (place, dates, promoters) set with the workshop."""
    document, access = document_for(document_id, Capability.MANAGE)
    form = LogoForm()
    if not form.validate():
        return _index(document, access, logo_form=form, status=422)
    try:
        logos.add_logo(current_user.person, document, form.image.data.read(), form.alt.data or "")
    except logos.LogoError as error:
        db.session.rollback()
        form.image.errors = [str(error)]
        return _index(document, access, logo_form=form, status=422)
    db.session.commit()
    flash(_("Logo aggiunto alla copertina."), "success")
    return redirect(url_for("exports.index", document_id=document.id, _anchor="loghi"))


@bp.post("/logos/<int:logo_id>/remove")
@login_required
def remove_logo(logo_id: int) -> ResponseReturnValue:
    logo = get_or_404(DocumentLogo, logo_id)
    document, _access = document_for(logo.document_id, Capability.MANAGE)
    name = logo.alt
    logos.remove_logo(current_user.person, logo)
    db.session.commit()
    flash(_("Logo «%(name)s» tolto dalla copertina.", name=name), "success")
    return redirect(url_for("exports.index", document_id=document.id, _anchor="loghi"))


@bp.post("/logos/<int:logo_id>/move")
@login_required
def move_logo(logo_id: int) -> ResponseReturnValue:
    logo = get_or_404(DocumentLogo, logo_id)
    document, _access = document_for(logo.document_id, Capability.MANAGE)
    offset = MOVES.get(request.form.get("verso", ""))
    if offset is None:
        abort(400)
    logos.move_logo(logo, offset)
    db.session.commit()
    return redirect(url_for("exports.index", document_id=document.id, _anchor="loghi"))


@bp.get("/exports/<int:export_id>/file")
@login_required
def download(export_id: int):  # type: ignore[no-untyped-def]
    row = get_or_404(Export, export_id)
    access = require_member(row.document.workshop_id)
    if not _may_see(access, row):
        abort(404)
    return _send(row)


@bp.get("/p/<ref>/download/<fmt>")
def public_download(ref: str, fmt: str):  # type: ignore[no-untyped-def]
    document = _published_or_404(ref)
    if fmt not in {f.value for f in PUBLIC_FORMATS}:
        abort(404)
    row = services.public_exports(document).get(Format(fmt))
    if row is None:
        abort(404)
    return _send(row)


QR_FILES = {"svg": ("image/svg+xml", qr.svg_file), "png": ("image/png", qr.png_file)}


@bp.get("/p/<ref>/presenta")
def presentation(ref: str):  # type: ignore[no-untyped-def]
    """For the slides of the day the document is presented: its codes, large, with their
    addresses written out for whoever cannot scan them."""
    document = _published_or_404(ref)
    return render_template(
        "exports/presentation.html", document=document, addresses=_presented(document)
    )


@bp.get("/p/<ref>/qr-<target>.<ext>")
def presentation_qr(ref: str, target: str, ext: str):  # type: ignore[no-untyped-def]
    address = _presented(_published_or_404(ref)).get(target)
    if address is None or ext not in QR_FILES:
        abort(404)
    mimetype, draw = QR_FILES[ext]
    data = draw(address)
    response = send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"qr-{target}-{ref}.{ext}",
        # A phone that already has the code is answered "not modified".
        etag=hashlib.blake2b(data, digest_size=16).hexdigest(),
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _published_or_404(ref: str) -> Document:
    document = documents.published_document(ref)
    if document is None:
        abort(404)
    return document


def _presented(document: Document) -> dict[str, str]:
    """The absolute addresses the codes carry, built on BASE_URL as invitation links are:
    the room's phones reach the laptop by its network address."""
    ref = document.slug or str(document.id)
    base = current_app.config["BASE_URL"]
    found = {"pagina": base + url_for("documents.public", ref=ref)}
    if Format.PDF in services.public_exports(document):
        found["pdf"] = base + url_for("exports.public_download", ref=ref, fmt=Format.PDF.value)
    return found


@bp.app_context_processor
def _panel() -> dict[str, object]:
    return {
        "export_panel": export_panel,
        "public_downloads": services.public_exports,
        "sealed_sha": services.sealed_sha,
    }


def export_panel(document: Document, access: Access) -> dict[str, object]:
    """What the document page's export panel shows: an empty form and the latest
    exports this person may see."""
    rows = _visible(document, access)
    return {
        "form": _export_form(document, formdata=None),
        "exports": rows[:PANEL_SIZE],
        "more": len(rows) > PANEL_SIZE,
    }


def _index(
    document: Document,
    access: Access,
    form: ExportForm | None = None,
    logo_form: LogoForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    may_manage = access.can(Capability.MANAGE)
    return (
        render_template(
            "exports/index.html",
            document=document,
            access=access,
            form=form or _export_form(document, formdata=None),
            logo_form=logo_form or (LogoForm(formdata=None) if may_manage else None),
            logos=logos.logos_of(document),
            max_logos=logos.LOGO_MAX_COUNT,
            exports=_visible(document, access),
            sealed=services.sealed_sha(document)
            if document.status is not DocumentStatus.DRAFT
            else None,
        ),
        status,
    )


def _export_form(document: Document, **kwargs: object) -> ExportForm:
    return ExportForm(
        services.version_names(document), notes=services.notes_offered(document), **kwargs
    )


def _visible(document: Document, access: Access) -> list[Export]:
    mine_only = None if access.can(Capability.MANAGE) else access.person
    return services.exports_of(document, mine_only)


def _may_see(access: Access, row: Export) -> bool:
    return access.can(Capability.MANAGE) or row.person_id == access.person.id


def _send(row: Export):  # type: ignore[no-untyped-def]
    path = services.file_of(row)
    if path is None:
        abort(404)
    return send_file(
        path, mimetype=Format(row.format).mimetype, as_attachment=True, download_name=row.file_name
    )
