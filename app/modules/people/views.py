from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import login_user, logout_user

from app.extensions import db, limiter, login_manager
from app.modules.people import services
from app.modules.people.models import Person

bp = Blueprint("people", __name__)


@login_manager.user_loader
def load_person(person_id: str) -> Person | None:
    return db.session.get(Person, int(person_id))


def _failed(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code >= 400


@bp.get("/i/<token>")
@limiter.limit("20 per minute", deduct_when=_failed)
def enter(token: str):  # type: ignore[no-untyped-def]
    """The personal link: it logs the person in and then redirects, so the token does not
    stay in the address bar or the history of a shared laptop."""
    try:
        membership = services.enter_with_token(token)
    except services.InvitationError as error:
        return render_template("people/invalid_link.html", message=str(error)), 404
    login_user(membership.person, remember=True)
    db.session.commit()
    return redirect(url_for("workshops.show", workshop_id=membership.workshop_id))


@bp.post("/esci")
def logout():  # type: ignore[no-untyped-def]
    logout_user()
    return redirect(url_for("web.login_help"))
