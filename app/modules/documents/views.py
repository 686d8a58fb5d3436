from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from app.web.access import document_for

bp = Blueprint("documents", __name__)


@bp.get("/documents/<int:document_id>")
@login_required
def show(document_id: int):  # type: ignore[no-untyped-def]
    document, access = document_for(document_id)
    return render_template("documents/show.html", document=document, access=access)
