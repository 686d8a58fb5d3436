from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text

from app.extensions import db

bp = Blueprint("web", __name__)


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("workshops.index"))
    return redirect(url_for("web.login_help"))


@bp.get("/entra")
def login_help():  # type: ignore[no-untyped-def]
    return render_template("web/login_help.html")


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


@bp.post("/lingua/<code>")
def set_language(code: str):  # type: ignore[no-untyped-def]
    """A form, not a link: a GET that changes anything could be set off by an image in
    a section (`![x](/lingua/en)` once switched every reader's language)."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.form.get("next", "")
    # Only paths on this site: an open redirect would let a forged link borrow our name.
    # Browsers drop tabs and newlines from a URL and read "\\" as "/", which would turn
    # "/<tab>/evil.example" into "//evil.example": such characters are refused too.
    if (
        not target.startswith("/")
        or target.startswith("//")
        or any(char == "\\" or ord(char) < 32 or ord(char) == 127 for char in target)
    ):
        target = url_for("web.home")
    return redirect(target)
