"""The workshop's audit log, for its facilitators: a page to read and a CSV to keep."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import login_required

from app.core.permissions import Capability
from app.modules.audit import services
from app.web.access import workshop_for

bp = Blueprint("audit", __name__)


def _kind() -> str | None:
    kind = request.args.get("tipo")
    return kind if kind in services.KINDS else None


@bp.get("/workshops/<int:workshop_id>/registro")
@login_required
def log(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, access = workshop_for(workshop_id, Capability.MANAGE)
    kind = _kind()
    page = services.page_of(workshop.id, kind, request.args.get("pagina", 1, type=int))
    return render_template(
        "audit/log.html",
        workshop=workshop,
        access=access,
        page=page,
        kind=kind,
        kinds=services.KINDS,
    )


@bp.get("/workshops/<int:workshop_id>/registro.csv")
@login_required
def log_csv(workshop_id: int):  # type: ignore[no-untyped-def]
    workshop, _ = workshop_for(workshop_id, Capability.MANAGE)
    lines = services.all_lines(workshop.id, _kind())
    return Response(
        stream_with_context(services.csv_chunks(lines)),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="registro-tavolo-{workshop.id}.csv"',
            "Cache-Control": "no-store",
        },
    )
