"""Vote routes: a facilitator opens and closes rounds, participants and facilitators
vote. Plain forms: success goes back to the document page, where the section's panel
shows the round live for everyone; a refusal shows the form again with the reason and
what was typed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.permissions import Capability
from app.core.tally import CHOICES, Result, Scale
from app.extensions import db
from app.modules.amendments.models import Amendment
from app.modules.documents.models import Section
from app.modules.port import notify_document
from app.modules.timeutil import utcnow
from app.modules.votes import annex as _annex  # noqa: F401 - registers the export annex
from app.modules.votes import services
from app.modules.votes.forms import BallotForm, CloseForm, OpenRoundForm
from app.modules.votes.models import Ballot, Visibility, VoteRound
from app.web.access import Access, get_or_404, section_for
from app.web.back import back_to

bp = Blueprint("votes", __name__)


@bp.app_template_global("section_rounds")
def section_rounds_global(section: Section, access: Access) -> list[RoundView]:
    return [round_view(r, access) for r in services.section_rounds(section, utcnow())]


@bp.app_template_global("open_rounds")
def open_rounds_global(section: Section) -> int:
    now = utcnow()
    return sum(1 for r in services.section_rounds(section, now) if r.is_open(now))


@bp.app_template_global("round_view")
def round_view(vote_round: VoteRound, access: Access) -> RoundView:
    now = utcnow()
    return RoundView(
        round=vote_round,
        open=vote_round.is_open(now),
        result=services.result(vote_round, now),
        voters=services.voters_so_far(vote_round),
        voted=services.has_voted(vote_round, access.person),
        ballot=services.my_ballot(vote_round, access.person),
        choices=CHOICES[vote_round.scale],
        # An archived workshop takes no more ballots (app.web.access).
        may_vote=access.can(Capability.VOTE) and not vote_round.section.document.workshop.archived,
    )


@dataclass(frozen=True)
class RoundView:
    """What the page shows of a round to the person looking at it."""

    round: VoteRound
    open: bool
    result: Result | None
    voters: int
    voted: bool
    ballot: Ballot | None
    choices: tuple[str, ...]
    may_vote: bool

    @property
    def can_cast(self) -> bool:
        """A secret vote is cast once; an open one can be changed until the close."""
        return self.open and self.may_vote and not (self.round.secret and self.voted)


@bp.get("/sections/<int:section_id>/votes/new")
@login_required
def new(section_id: int):  # type: ignore[no-untyped-def]
    section, access = section_for(section_id, Capability.MODERATE)
    form = OpenRoundForm(formdata=None)
    amendment = _amendment(section, form)
    if amendment is not None:
        form.amendment.data = amendment.id
        form.question.data = _("Accogliere l'emendamento n. %(num)d?", num=amendment.id)
    return _form_page(section, access, form, amendment)


@bp.post("/sections/<int:section_id>/votes")
@login_required
def create(section_id: int):  # type: ignore[no-untyped-def]
    section, access = section_for(section_id, Capability.MODERATE)
    form = OpenRoundForm()
    amendment = _amendment(section, form)
    if not form.validate():
        return _form_page(section, access, form, amendment), 422
    now = utcnow()
    settings = services.RoundSettings(
        question=form.question.data or "",
        scale=Scale(form.scale.data),
        secret=form.secret.data,
        closes_at=now + dt.timedelta(minutes=form.minutes.data) if form.minutes.data else None,
        quorum=form.quorum.data,
        results_visible=Visibility(form.results_visible.data),
        reason_required_for_objection=form.reason_required.data,
        on_present=form.on_present.data,
    )
    try:
        vote_round = services.open_round(
            current_user.person, section.document, section, amendment, settings, now
        )
    except services.VoteError as error:
        db.session.rollback()
        return _form_page(section, access, form, amendment, str(error)), 422
    return _done(vote_round)


@bp.get("/votes/<int:round_id>")
@login_required
def show(round_id: int):  # type: ignore[no-untyped-def]
    vote_round, access = _round_for(round_id, Capability.READ)
    return _page(vote_round, access)


@bp.post("/votes/<int:round_id>/ballot")
@login_required
def cast(round_id: int):  # type: ignore[no-untyped-def]
    vote_round, access = _round_for(round_id, Capability.VOTE)
    form = BallotForm()
    try:
        if not form.validate():
            raise services.VoteError(_("Richiesta non valida: ricarica la pagina e riprova."))
        services.cast(
            access.membership, vote_round, form.choice.data or "", form.reason.data or "", utcnow()
        )
    except services.VoteError as error:
        return _refused(vote_round, access, error, form)
    return _done(vote_round)


@bp.post("/votes/<int:round_id>/close")
@login_required
def close(round_id: int):  # type: ignore[no-untyped-def]
    vote_round, access = _round_for(round_id, Capability.MODERATE)
    try:
        if not CloseForm().validate():
            raise services.VoteError(_("Richiesta non valida: ricarica la pagina e riprova."))
        services.close(current_user.person, vote_round, utcnow())
    except services.VoteError as error:
        return _refused(vote_round, access, error)
    return _done(vote_round)


def _round_for(round_id: int, capability: Capability) -> tuple[VoteRound, Access]:
    vote_round = get_or_404(VoteRound, round_id)
    _section, access = section_for(vote_round.section_id, capability)
    return vote_round, access


def _amendment(section: Section, form: OpenRoundForm) -> Amendment | None:
    """The amendment the round is about, from the form or the link that led to it;
    one of another section is ignored (the service would refuse it anyway)."""
    raw = form.amendment.data if form.amendment.data else request.args.get("amendment", type=int)
    if not raw or not 0 < raw < 2**63:
        return None
    amendment = db.session.get(Amendment, raw)
    return amendment if amendment is not None and amendment.section_id == section.id else None


def _wants_json() -> bool:
    """The panel's script sends the same forms and asks for JSON, so the page (and its
    live editors) is not reloaded for every vote."""
    return request.accept_mimetypes.best == "application/json"


def _done(vote_round: VoteRound):  # type: ignore[no-untyped-def]
    db.session.commit()
    notify_document(vote_round.document_id, "votes", {"section_id": vote_round.section_id})
    if _wants_json():
        return jsonify(ok=True)
    page = url_for(
        "documents.show", document_id=vote_round.document_id, _anchor=f"votazione-{vote_round.id}"
    )
    return redirect(back_to(vote_round.document.workshop_id, page))


def _refused(  # type: ignore[no-untyped-def]
    vote_round: VoteRound, access: Access, error: services.VoteError, form: BallotForm | None = None
):
    """Nothing is saved; the round's page says why, with what was typed."""
    db.session.rollback()
    if _wants_json():
        return jsonify(error=str(error)), 422
    return _page(vote_round, access, str(error), form), 422


def _form_page(
    section: Section,
    access: Access,
    form: OpenRoundForm,
    amendment: Amendment | None,
    error: str = "",
) -> str:
    return render_template(
        "votes/new.html",
        section=section,
        document=section.document,
        access=access,
        form=form,
        amendment=amendment,
        error=error,
    )


def _page(
    vote_round: VoteRound, access: Access, error: str = "", form: BallotForm | None = None
) -> str:
    return render_template(
        "votes/show.html",
        vote_round=vote_round,
        section=vote_round.section,
        document=vote_round.document,
        access=access,
        error=error,
        typed=form,
    )
