"""Commitments register routes: the register of a workshop and its CSV, recording or
proposing a commitment, changing its status, the institution's link (made, renewed,
revoked by a facilitator) and the page that link opens.

The institution's page is reached without logging in: opening it shows the commitment
and changes nothing; the change is a POST with the form's CSRF token, and the link lets
its holder change that commitment's status and add a note, nothing else."""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.commitments import Actor, Draft, Status, allowed
from app.core.permissions import Capability, Role
from app.extensions import db, limiter
from app.modules.commitments import annex as _annex  # noqa: F401 - registers the export annex
from app.modules.commitments import services
from app.modules.commitments.forms import CommitmentForm, EditForm, LinkForm, StatusForm
from app.modules.commitments.models import Commitment
from app.modules.documents.models import Document, Section
from app.modules.port import notify_document
from app.modules.timeutil import utcnow
from app.modules.workshops.models import Workshop
from app.web.access import MAX_ID, Access, workshop_for
from app.web.i18n import local_time, short_datetime
from app.web.polling import version_answer

bp = Blueprint("commitments", __name__)


@bp.app_template_global("public_commitments")
def public_commitments(document: Document) -> list[services.Entry]:
    """The published page shows what the document hands over, with today's statuses."""
    return services.of_document(document)


def _today() -> dt.date:
    """The date on the wall of the room, which is what "in the past" means to people."""
    return local_time(utcnow()).date()


def _failed(response: Response) -> bool:
    return response.status_code >= 400


def _secret(body: str, status: int = 200) -> Response:
    """Pages reached through, or showing, an institution's link stay in no cache."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/workshops/<int:workshop_id>/impegni")
@login_required
def register(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id)
    return _page(workshop, access, _prefilled(workshop))


@bp.get("/workshops/<int:workshop_id>/impegni.csv")
@login_required
def register_csv(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, _access = workshop_for(workshop_id)
    entries = services.register(workshop)
    return Response(
        stream_with_context(services.csv_chunks(entries, short_datetime)),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="impegni-tavolo-{workshop.id}.csv"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/workshops/<int:workshop_id>/impegni")
@login_required
def create(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.PROPOSE)
    form = CommitmentForm()
    try:
        _check(form)
        commitment = services.record_commitment(
            current_user.person,
            access.membership,
            _draft(form),
            _clause(workshop, form),
            _today(),
        )
    except services.CommitmentError as error:
        db.session.rollback()
        status = 403 if isinstance(error, services.NotAllowed) else 422
        return _page(workshop, access, form, error=str(error)), status
    db.session.commit()
    if access.role is Role.FACILITATOR:
        flash(
            _("Impegno registrato come proposta: concordalo quando il tavolo lo approva."),
            "success",
        )
    else:
        flash(_("Impegno proposto: un facilitatore lo registrerà come concordato."), "success")
    return redirect(_anchor(commitment))


@bp.post("/workshops/<int:workshop_id>/impegni/<int:commitment_id>/stato")
@login_required
def change_status(workshop_id: int, commitment_id: int):  # type: ignore[no-untyped-def]
    # Participants reach the service, which tells them why agreeing is not theirs.
    workshop, access = workshop_for(workshop_id, Capability.PROPOSE)
    commitment = _commitment(workshop, commitment_id)
    form = StatusForm()
    try:
        _check(form)
        services.change_status(
            current_user.person, access.membership, commitment, _status(form), form.note.data or ""
        )
    except services.CommitmentError as error:
        db.session.rollback()
        status = 403 if isinstance(error, services.NotAllowed) else 422
        return _page(
            workshop, access, errors={commitment_id: str(error)}, status_forms={commitment_id: form}
        ), status
    db.session.commit()
    flash(_("Stato dell'impegno aggiornato."), "success")
    return redirect(_anchor(commitment))


@bp.post("/workshops/<int:workshop_id>/impegni/<int:commitment_id>/voto")
@login_required
def put_to_vote(workshop_id: int, commitment_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    commitment = _commitment(workshop, commitment_id)
    try:
        if not LinkForm().validate():
            raise services.CommitmentError(_invalid())
        vote_round = services.put_to_vote(current_user.person, commitment, utcnow())
    except services.CommitmentError as error:
        db.session.rollback()
        return _page(workshop, access, errors={commitment_id: str(error)}), 422
    db.session.commit()
    notify_document(vote_round.document_id, "votes", {"section_id": vote_round.section_id})
    flash(_("Votazione aperta: il tavolo vota nella sezione dell'impegno."), "success")
    return redirect(_anchor(commitment))


@bp.get("/workshops/<int:workshop_id>/impegni.json")
@login_required
def register_version(workshop_id: int):  # type: ignore[no-untyped-def]
    """What the open register asks every few seconds, to redraw when a commitment is
    proposed, changes status or is voted on."""
    workshop, _access = workshop_for(workshop_id)
    return version_answer(f"impegni-{workshop.id}", services.register_version(workshop, utcnow()))


@bp.post("/workshops/<int:workshop_id>/impegni/<int:commitment_id>/modifica")
@login_required
def edit(workshop_id: int, commitment_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    commitment = _commitment(workshop, commitment_id)
    form = EditForm()
    try:
        _check(form)
        changed = services.update_commitment(
            current_user.person, access.membership, commitment, _draft(form), _today()
        )
    except services.CommitmentError as error:
        db.session.rollback()
        return _page(
            workshop, access, errors={commitment_id: str(error)}, edit_forms={commitment_id: form}
        ), 422
    db.session.commit()
    flash(_("Impegno corretto.") if changed else _("Nessuna modifica da salvare."), "success")
    return redirect(_anchor(commitment))


@bp.post("/workshops/<int:workshop_id>/impegni/<int:commitment_id>/link")
@login_required
def issue_link(workshop_id: int, commitment_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    commitment = _commitment(workshop, commitment_id)
    if not LinkForm().validate():
        return _page(workshop, access, errors={commitment_id: _invalid()}), 422
    link = services.issue_link(current_user.person, commitment)
    db.session.commit()
    return _secret(
        render_template(
            "commitments/link.html", workshop=workshop, commitment=commitment, link=link
        )
    )


@bp.post("/workshops/<int:workshop_id>/impegni/<int:commitment_id>/link/revoca")
@login_required
def revoke_link(workshop_id: int, commitment_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    commitment = _commitment(workshop, commitment_id)
    try:
        if not LinkForm().validate():
            raise services.CommitmentError(_invalid())
        services.revoke_link(current_user.person, commitment)
    except services.CommitmentError as error:
        db.session.rollback()
        return _page(workshop, access, errors={commitment_id: str(error)}), 422
    db.session.commit()
    flash(_("Link dell'ente revocato: chi lo apre non può più aggiornare l'impegno."), "success")
    return redirect(_anchor(commitment))


@bp.get(f"{services.LINK_PATH}<token>")
@limiter.limit("20 per minute", deduct_when=_failed)
def institution(token: str):  # type: ignore[no-untyped-def]
    commitment = _by_token(token)
    return _institution_page(commitment, StatusForm(formdata=None))


@bp.post(f"{services.LINK_PATH}<token>")
@limiter.limit("20 per minute", deduct_when=_failed)
def institution_update(token: str):  # type: ignore[no-untyped-def]
    commitment = _by_token(token)
    form = StatusForm()
    try:
        _check(form)
        services.update_through_link(commitment, _status(form), form.note.data or "")
    except services.CommitmentError as error:
        db.session.rollback()
        return _institution_page(commitment, form, str(error), 422)
    db.session.commit()
    flash(_("Grazie: l'aggiornamento è registrato nella storia dell'impegno."), "success")
    return redirect(url_for("commitments.institution", token=token))


def _by_token(token: str) -> Commitment:
    commitment = services.commitment_for_token(token)
    if commitment is None:
        abort(404)
    return commitment


def _institution_page(
    commitment: Commitment, form: StatusForm, error: str = "", status: int = 200
) -> Response:
    return _secret(
        render_template(
            "commitments/institution.html",
            commitment=commitment,
            entry=services.for_institution(commitment),
            published=services.clause_is_public(commitment),
            choices=allowed(commitment.status, Actor.INSTITUTION),
            form=form,
            error=error,
            history_line=services.history_line,
        ),
        status,
    )


def _commitment(workshop: Workshop, commitment_id: int) -> Commitment:
    """A commitment of another workshop does not exist from here."""
    commitment = db.session.get(Commitment, commitment_id) if commitment_id <= MAX_ID else None
    if commitment is None or commitment.workshop_id != workshop.id:
        abort(404)
    return commitment


def _invalid() -> str:
    return _("Richiesta non valida: ricarica la pagina e riprova.")


def _draft(form: CommitmentForm | EditForm) -> Draft:
    return Draft(
        institution=form.institution.data or "",
        action=form.action.data or "",
        responsible=form.responsible.data or "",
        due_on=form.due_on.data,
        indicator=form.indicator.data or "",
    )


def _check(form: StatusForm | CommitmentForm | EditForm) -> None:
    if form.validate():
        return
    if isinstance(form, CommitmentForm | EditForm) and form.due_on.errors:
        raise services.CommitmentError(_("La scadenza non è una data valida."))
    raise services.CommitmentError(_invalid())


def _status(form: StatusForm) -> Status:
    try:
        return Status(form.status.data or "")
    except ValueError:
        raise services.CommitmentError(_("Scegli uno degli stati proposti.")) from None


def _clause(workshop: Workshop, form: CommitmentForm) -> services.Clause | None:
    section_id = form.section_id.data
    if not section_id:
        if (form.quote.data or "").strip():
            raise services.CommitmentError(_("Scegli la sezione da cui viene il passaggio."))
        return None
    section = db.session.get(Section, section_id) if 0 < section_id <= MAX_ID else None
    if section is None or section.document.workshop_id != workshop.id:
        raise services.CommitmentError(_("Scegli una sezione di un documento di questo tavolo."))
    return services.Clause(section, form.quote.data or "")


def _prefilled(workshop: Workshop) -> CommitmentForm | None:
    """The document's selection bar sends a section and a passage to start from."""
    section_id = request.args.get("sezione", type=int)
    if section_id is None:
        return None
    form = CommitmentForm(formdata=None)
    form.section_id.data = section_id
    form.quote.data = request.args.get("passaggio", "")[: services.QUOTE_MAX]
    return form


def _anchor(commitment: Commitment) -> str:
    return url_for(
        "commitments.register",
        workshop_id=commitment.workshop_id,
        _anchor=f"impegno-{commitment.id}",
    )


def _page(
    workshop: Workshop,
    access: Access,
    form: CommitmentForm | None = None,
    *,
    error: str = "",
    errors: dict[int, str] | None = None,
    status_forms: dict[int, StatusForm] | None = None,
    edit_forms: dict[int, EditForm] | None = None,
) -> str:
    entries = services.register(workshop)
    facilitator = access.role is Role.FACILITATOR
    return render_template(
        "commitments/register.html",
        workshop=workshop,
        access=access,
        entries=entries,
        form=form,
        error=error,
        errors=errors or {},
        status_forms=status_forms or {},
        edit_forms=edit_forms or {},
        may_propose=access.can(Capability.PROPOSE),
        may_manage=facilitator,
        choices={e.commitment.id: allowed(e.commitment.status, Actor.FACILITATOR) for e in entries},
        documents=[(d, list(d.sections)) for d in workshop.documents],
        today=_today(),
        history_line=services.history_line,
        version=services.register_version(workshop, utcnow()),
    )
