"""Synthesis routes: creating a synthesis from the workshop's labs, pulling a lab's
section or selected passage into it, updating a passage its lab changed since, and the
coverage of each lab. The document page itself stays the documents module's: it asks
`synthesis_panel` for what to show beside and under its sections."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.permissions import Capability
from app.extensions import db
from app.modules.documents.models import Document, Section
from app.modules.port import notify_document
from app.modules.synthesis import annex as _annex  # noqa: F401 - registers the export annex
from app.modules.synthesis import pages, services
from app.modules.synthesis.forms import NewSynthesisForm, PullForm, UpdateForm
from app.modules.synthesis.models import PulledPassage
from app.modules.workshops.models import Workshop
from app.web.access import MAX_ID, Access, document_for, get_or_404, workshop_for
from app.web.polling import version_answer

bp = Blueprint("synthesis", __name__)

# What the open pages of a synthesis refresh when a passage is pulled or updated.
CHANGED = "synthesis"
# The query parameter that brings the synthesis's page back with the section the last
# passage went to chosen again in the pane's lists.
TARGET_ARG = "verso"


@bp.app_template_global("synthesis_panel")
def synthesis_panel(document: Document, access: Access) -> pages.SynthesisPage | None:
    """For the document page: None unless the document is a synthesis."""
    return pages.synthesis_page(
        document, access.can(Capability.MODERATE), request.args.get(TARGET_ARG, type=int)
    )


@bp.app_template_global("synthesis_ids")
def synthesis_ids(workshop: Workshop) -> set[int]:
    return services.syntheses_in(workshop)


@bp.app_template_global("synthesis_labs")
def synthesis_labs(workshop: Workshop) -> list[Document]:
    return services.labs_of(workshop)


@bp.route("/workshops/<int:workshop_id>/sintesi/nuova", methods=["GET", "POST"])
@login_required
def new(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, _access = workshop_for(workshop_id, Capability.MANAGE, adds_documents=True)
    labs = services.labs_of(workshop)
    form = NewSynthesisForm()
    if request.method == "GET":
        form.sources.data = [lab.id for lab in labs]
        form.headings.data = "\n".join(str(h) for h in services.DEFAULT_HEADINGS)
    elif form.validate_on_submit():
        chosen = set(form.sources.data or [])
        by_id = {lab.id: lab for lab in labs}
        try:
            if not chosen <= by_id.keys():
                raise services.SynthesisError(
                    _(
                        "Scegli i laboratori dall'elenco: si parte solo dai documenti "
                        "di questo tavolo."
                    )
                )
            made = services.create(
                current_user.person,
                workshop,
                form.title.data or "",
                [lab for lab in labs if lab.id in chosen],
                (form.headings.data or "").splitlines(),
            )
        except services.SynthesisError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Sintesi creata: inserisci i passaggi dai laboratori."), "success")
            return redirect(url_for("documents.show", document_id=made.document_id))
    status = 422 if form.errors else 200
    return render_template("synthesis/new.html", form=form, workshop=workshop, labs=labs), status


@bp.post("/documents/<int:document_id>/sintesi/inserisci")
@login_required
def pull(document_id: int):  # type: ignore[no-untyped-def]
    document, _access = document_for(document_id, Capability.MODERATE)
    form = PullForm()
    if not form.validate():
        return _refused(document, _("La richiesta non è completa: ricarica la pagina e riprova."))
    target = next((s for s in document.sections if s.id == form.target.data), None)
    source = _section(form.source_section.data)
    span = None
    if form.what.data == "passage":
        if form.start.data is None or form.end.data is None:
            return _refused(document, _("Seleziona prima un passaggio nel testo del laboratorio."))
        span = (form.start.data, form.end.data)
    try:
        if target is None:
            raise services.SynthesisError(_("Scegli una sezione della sintesi in cui inserire."))
        if source is None:
            raise services.SynthesisError(
                _("Questo documento non è tra i laboratori della sintesi.")
            )
        services.pull(current_user.person, target, source, span, _lines(form.quote.data) or None)
    except services.SynthesisError as error:
        return _refused(document, str(error))
    db.session.commit()
    notify_document(document.id, CHANGED, {"section_id": target.id})
    flash(_("Inserito in «%(title)s».", title=target.title), "success")
    return redirect(
        url_for(
            "documents.show",
            document_id=document.id,
            _anchor=f"sezione-{target.id}",
            **{TARGET_ARG: target.id},
        )
    )


@bp.post("/passaggi/<int:passage_id>/aggiorna")
@login_required
def update(passage_id: int):  # type: ignore[no-untyped-def]
    passage = get_or_404(PulledPassage, passage_id)
    document, _access = document_for(passage.section.document_id, Capability.MODERATE)
    section = passage.section
    if not UpdateForm().validate():
        return _refused(document, _("La richiesta non è completa: ricarica la pagina e riprova."))
    try:
        services.update(current_user.person, passage)
    except services.SynthesisError as error:
        return _refused(document, str(error))
    db.session.commit()
    notify_document(document.id, CHANGED, {"section_id": section.id})
    flash(_("Passaggio aggiornato con il testo attuale del laboratorio."), "success")
    return redirect(
        url_for("documents.show", document_id=document.id, _anchor=f"passaggio-{passage.id}")
    )


@bp.get("/documents/<int:document_id>/sintesi/provenienza")
@login_required
def provenance(document_id: int):  # type: ignore[no-untyped-def]
    """The pulled passages of every section and the labs' texts beside them: the
    fragment the page's script re-fetches when a passage is pulled or updated by
    someone else, or a lab's text changed."""
    document, access = document_for(document_id)
    panel = synthesis_panel(document, access)
    if panel is None:
        abort(404)
    return render_template("synthesis/_provenance_all.html", panel=panel, access=access)


@bp.get("/documents/<int:document_id>/sintesi/fonti.json")
@login_required
def sources_version(document_id: int):  # type: ignore[no-untyped-def]
    """What the synthesis's page asks every few seconds: whether its labs' texts moved."""
    document, _access = document_for(document_id)
    version = services.sources_version(document)
    if version is None:
        abort(404)
    return version_answer(f"fonti-{document.id}", version)


@bp.get("/documents/<int:document_id>/sintesi/passaggi.json")
@login_required
def marks(document_id: int):  # type: ignore[no-untyped-def]
    """The pulled passages for the synthesis's editor to mark and name on hover."""
    document, _access = document_for(document_id)
    found = pages.marks(document)
    if found is None:
        abort(404)
    return jsonify(passages=found)


@bp.get("/documents/<int:document_id>/sintesi/copertura")
@login_required
def coverage(document_id: int):  # type: ignore[no-untyped-def]
    document, access = document_for(document_id)
    synthesis = services.synthesis_of(document)
    if synthesis is None:
        abort(404)
    return render_template(
        "synthesis/coverage.html",
        document=document,
        access=access,
        labs=services.coverage_of(synthesis),
    )


def _section(section_id: int | None) -> Section | None:
    if section_id is None or not 0 < section_id <= MAX_ID:
        return None
    return db.session.get(Section, section_id)


def _lines(text: str | None) -> str:
    """A form sends line breaks as CR LF; the texts hold LF."""
    return (text or "").replace("\r\n", "\n")


def _refused(document: Document, message: str):  # type: ignore[no-untyped-def]
    """Nothing changed: the page again, with why at its top."""
    db.session.rollback()
    flash(message, "error")
    return redirect(url_for("documents.show", document_id=document.id))
