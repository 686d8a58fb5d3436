from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.core.invitations import Message
from app.core.permissions import ROLE_ORDER, Capability, Role
from app.extensions import csrf, db, limiter, login_manager
from app.modules.exports.renderer import ExportError, ExportsBusy
from app.modules.people import organisers, profile, services, sheet
from app.modules.people.forms import (
    MAX_ID,
    EnterForm,
    ImportForm,
    ProfileForm,
    RoleForm,
    SheetForm,
    organisation_field,
)
from app.modules.people.models import Login, Membership, Organiser
from app.modules.workshops.models import Workshop
from app.web.access import Access, workshop_for
from app.web.addresses import only_this_computer
from app.web.blocking import client_gone, one_at_a_time
from app.web.errors import render_error

bp = Blueprint("people", __name__)


@login_manager.user_loader
def load_login(key: str) -> Login | None:
    return services.login_for_key(key)


@bp.app_template_global("links_only_here")
def links_only_here() -> bool:
    return only_this_computer(current_app.config["BASE_URL"])


def _failed(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code >= 400


def _current_login() -> Login | None:
    return current_user if current_user.is_authenticated else None


def _someone_else(entry: Membership | Organiser) -> Login | None:
    """Who must be asked before the link switches this browser to another person."""
    login = _current_login()
    return login if login is not None and login.person_id != entry.person_id else None


def _invalid(error: services.InvitationError):  # type: ignore[no-untyped-def]
    services.record_refused_link(error)
    db.session.commit()
    return render_template("people/invalid_link.html", message=str(error)), 404


def _entered(login: Login, entry: Membership | Organiser) -> bool:
    if isinstance(entry, Organiser):
        return login.organiser_id == entry.id
    return entry in login.memberships


def _landing(entry: Membership | Organiser):  # type: ignore[no-untyped-def]
    """An organiser lands on their workshops, where a new one is made; a member on the
    workshop of their link."""
    if isinstance(entry, Organiser):
        return redirect(url_for("workshops.index"))
    return redirect(url_for("workshops.show", workshop_id=entry.workshop_id))


def _enter_page(entry: Membership | Organiser, form: EnterForm, status: int = 200) -> Response:
    return _secret(
        render_template(
            "people/enter.html",
            person=entry.person,
            workshop=None if isinstance(entry, Organiser) else entry.workshop,
            other=_someone_else(entry),
            form=form,
            expired=status != 200,
        ),
        status,
    )


@bp.get(f"{services.ENTER_PATH}<token>")
@limiter.limit("20 per minute", deduct_when=_failed)
def enter(token: str):  # type: ignore[no-untyped-def]
    """The personal link. Opening it changes nothing: it shows a page whose form enters
    (sent by the page's script at once, unless someone else is logged in here and must
    be asked first). So an image, a prefetch or a link in a section that points here
    can never switch the reader into the link's membership."""
    if request.headers.get("Sec-Fetch-Dest", "document") != "document":
        abort(400)
    try:
        entry = organisers.entry_for_token(token)
    except services.InvitationError as error:
        return _invalid(error)
    login = _current_login()
    if login is not None and _entered(login, entry):
        return _landing(entry)
    return _enter_page(entry, EnterForm())


@bp.post(f"{services.ENTER_PATH}<token>")
@csrf.exempt  # checked by the form below, so that a stale token asks again instead of failing
@limiter.limit("20 per minute", deduct_when=_failed)
def enter_confirm(token: str):  # type: ignore[no-untyped-def]
    try:
        entry = organisers.entry_for_token(token)
    except services.InvitationError as error:
        return _invalid(error)
    form = EnterForm()
    if not form.validate_on_submit():
        # The session that held the token changed (a logout in another tab, a restart
        # with a new key): asked again, never sent again by the script, so it cannot loop.
        return _enter_page(entry, form, 400)
    login, entry = organisers.enter_with_token(token, _current_login())
    db.session.commit()
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    session.permanent = True
    login_user(login)
    return _landing(entry)


@bp.post("/esci")
def logout():  # type: ignore[no-untyped-def]
    """Ends the login on the server: the cookie, if anyone kept a copy, opens nothing
    any more, and the login's live connections are closed (app/realtime)."""
    login = _current_login()
    if login is not None:
        services.end_login(login)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("Sei uscito. Per rientrare usa di nuovo il tuo link personale."), "info")
    return redirect(url_for("web.home"))


def _profile_page(
    login: Login, form: ProfileForm | None = None, status: int = 200
) -> tuple[str, int]:
    places = profile.places(login)
    if form is None:
        form = ProfileForm.for_places(
            places, profile.may_rename(login), formdata=None, name=login.person.name
        )
    return render_template(
        "people/profile.html",
        form=form,
        places=places,
        person=login.person,
        organiser=login.organiser,
        field_of=organisation_field,
    ), status


@bp.get("/profilo")
@login_required
def own_profile():  # type: ignore[no-untyped-def]
    return _profile_page(current_user)


@bp.post("/profilo")
@login_required
def save_profile():  # type: ignore[no-untyped-def]
    places = profile.places(current_user)
    form = ProfileForm.for_places(places, profile.may_rename(current_user))
    if not form.validate_on_submit():
        return _profile_page(current_user, form, 422)
    try:
        changed = profile.update(current_user, form.name.data or "", form.organisations(places))
    except profile.ProfileError as error:
        db.session.rollback()
        form.name.errors = [*form.name.errors, _text(error.message)]
        return _profile_page(current_user, form, 409)
    db.session.commit()
    if changed:
        flash(_("Il profilo è stato aggiornato."), "success")
    else:
        flash(_("Non c'era nulla da cambiare."), "info")
    return redirect(url_for("people.own_profile"))


@bp.post("/profilo/link/<int:membership_id>")
@login_required
def own_link(membership_id: int):  # type: ignore[no-untyped-def]
    """A new link of the person's own, for a workshop this login entered."""
    membership = profile.entered(current_user, membership_id)
    if membership is None:
        abort(404)
    link = services.new_link(current_user.person, membership, current_user)
    db.session.commit()
    return _secret(render_template("people/own_link.html", link=link))


@bp.post("/profilo/link-organizzatore")
@login_required
def own_organiser_link():  # type: ignore[no-untyped-def]
    try:
        link = profile.new_organiser_link(current_user)
    except profile.ProfileError:
        abort(404)
    db.session.commit()
    return _secret(render_template("people/own_link.html", organiser_link=link))


def _text(message: Message) -> str:
    return _(message.template, **message.params)


def _member(workshop: Workshop, membership_id: int) -> Membership:
    """A membership of another workshop does not exist from here."""
    if membership_id > MAX_ID:
        abort(404)
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.workshop_id != workshop.id:
        abort(404)
    return membership


def _secret(body: str | bytes, status: int = 200) -> Response:
    """Pages that show invitation links must not stay in any cache."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def members_page(
    workshop: Workshop,
    access: Access,
    *,
    status: int = 200,
    error: str | None = None,
    sheet_form: SheetForm | None = None,
) -> tuple[str, int]:
    """The members page, with `error` above the table: also what a refused change of
    another module's form on this page shows (app/modules/labs/views.py)."""
    members = services.members_of(workshop)
    if sheet_form is None:
        sheet_form = SheetForm(formdata=None)
        selected = {m.id for m in members if m.active and m.last_seen_at is None}
    else:
        selected = set(sheet_form.membership_ids.data or [])
    page = render_template(
        "people/members.html",
        workshop=workshop,
        access=access,
        members=members,
        error=error,
        invite_form=ImportForm(formdata=None),
        sheet_form=sheet_form,
        selected=selected,
        roles=ROLE_ORDER,
    )
    return page, status


def _after_change(workshop: Workshop, access: Access):  # type: ignore[no-untyped-def]
    """Someone who just stepped down or left cannot see the members page any more."""
    if not access.membership.active:
        return redirect(url_for("workshops.index"))
    if access.membership.role is not Role.FACILITATOR:
        return redirect(url_for("workshops.show", workshop_id=workshop.id))
    return redirect(url_for("people.members", workshop_id=workshop.id))


@bp.get("/workshops/<int:workshop_id>/members")
@login_required
def members(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    return members_page(workshop, access)


@bp.post("/workshops/<int:workshop_id>/members/<int:membership_id>/role")
@login_required
def change_role(workshop_id: int, membership_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    membership = _member(workshop, membership_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return members_page(workshop, access, status=422, error=form.role.errors[0])
    try:
        services.change_role(access.person, membership, Role(form.role.data))
    except services.MembershipError as error:
        return members_page(workshop, access, status=409, error=_text(error.message))
    db.session.commit()
    flash(_("Il ruolo di %(name)s è stato aggiornato.", name=membership.person.name), "success")
    return _after_change(workshop, access)


@bp.post("/workshops/<int:workshop_id>/members/<int:membership_id>/revoke")
@login_required
def revoke(workshop_id: int, membership_id: int):  # type: ignore[no-untyped-def]
    """Without the confirmation field this only asks; the members page asks in place."""
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    membership = _member(workshop, membership_id)
    if request.form.get("confirm") != "1":
        return render_template(
            "people/confirm_revoke.html", workshop=workshop, membership=membership
        )
    try:
        services.revoke(access.person, membership)
    except services.MembershipError as error:
        return members_page(workshop, access, status=409, error=_text(error.message))
    db.session.commit()
    flash(_("L'accesso di %(name)s è stato revocato: il suo link non funziona più.",
            name=membership.person.name), "success")
    return _after_change(workshop, access)


@bp.post("/workshops/<int:workshop_id>/members/<int:membership_id>/link")
@login_required
def new_link(workshop_id: int, membership_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    membership = _member(workshop, membership_id)
    try:
        link = services.new_link(access.person, membership, current_user)
    except services.MembershipError as error:
        return members_page(workshop, access, status=409, error=_text(error.message))
    db.session.commit()
    return _secret(render_template("people/new_link.html", workshop=workshop, link=link))


@bp.post("/workshops/<int:workshop_id>/members/import")
@login_required
def import_preview(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, _access = workshop_for(workshop_id, Capability.MANAGE)
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("people/import.html", workshop=workshop, form=form), 422
    text = form.list_text()
    result = services.check_import(workshop, text)
    form.text.data = text
    return render_template(
        "people/import.html", workshop=workshop, form=form, result=result, text=text
    ), (200 if result.ok else 422)


@bp.post("/workshops/<int:workshop_id>/members/import/confirm")
@login_required
def import_confirm(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    text = request.form.get("text", "")
    try:
        outcome = services.import_members(access.person, workshop, text)
    except services.ImportRejected as rejected:
        return render_template(
            "people/import.html",
            workshop=workshop,
            form=ImportForm(formdata=None, text=text),
            result=rejected.result,
            text=text,
        ), 422
    db.session.commit()
    return _secret(render_template(
        "people/sheet.html", workshop=workshop, links=outcome.links, outcome=outcome
    ))


@bp.post("/workshops/<int:workshop_id>/invitations")
@login_required
def invitation_sheet(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    form = SheetForm()
    if not form.validate_on_submit():
        return members_page(workshop, access, status=422, sheet_form=form)
    chosen = [_member(workshop, membership_id) for membership_id in
              dict.fromkeys(form.membership_ids.data)]
    try:
        links = services.issue_sheet(access.person, workshop, chosen, form.format.data)
    except services.MembershipError as error:
        return members_page(
            workshop, access, status=409, error=_text(error.message), sheet_form=form
        )
    if form.format.data == "pdf":
        try:
            with one_at_a_time("pdf", access.person.id):
                pdf = sheet.render_pdf(
                    render_template("people/sheet_print.html", workshop=workshop, links=links),
                    client_gone(),
                )
        except ExportError as error:
            db.session.rollback()
            return render_error(429 if isinstance(error, ExportsBusy) else 503, str(error))
        response = _secret(pdf)
        response.mimetype = "application/pdf"
        response.headers["Content-Disposition"] = (
            f'attachment; filename="inviti-tavolo-{workshop.id}.pdf"'
        )
    else:
        response = _secret(render_template("people/sheet.html", workshop=workshop, links=links))
    # Only now: if rendering failed, the old links keep working.
    db.session.commit()
    return response
