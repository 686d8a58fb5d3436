"""Every error reaches a person as a short Italian page (or JSON for API clients), never
as a stack trace; every refusal on a workshop's pages reaches its audit log."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.modules.audit import services as audit
from app.web.access import WorkshopArchived
from app.web.blocking import Busy


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (
            _("Richiesta non valida"),
            _("La richiesta non è stata capita. Riprova dalla pagina precedente."),
        ),
        401: (_("Accesso necessario"), _("Per entrare serve il tuo link di invito personale.")),
        403: (_("Non consentito"), _("Il tuo ruolo in questo tavolo non permette questa azione.")),
        404: (
            _("Pagina non trovata"),
            _("La pagina non esiste oppure non hai accesso a questo tavolo."),
        ),
        405: (_("Metodo non consentito"), _("Questa azione non si può eseguire in questo modo.")),
        409: (_("Non modificabile"), _("Lo stato attuale non permette questa azione.")),
        413: (_("File troppo grande"), _("Il file supera la dimensione massima consentita.")),
        429: (
            _("Troppi tentativi"),
            _("Hai fatto troppi tentativi in poco tempo. Attendi un minuto e riprova."),
        ),
        500: (
            _("Errore del server"),
            _("Qualcosa non ha funzionato. Il testo già salvato non è perso: riprova tra poco."),
        ),
    }


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    prefers_json = (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )
    return request.path.startswith("/api/") or request.is_json or prefers_json


def render_error(code: int, detail: str | None = None):  # type: ignore[no-untyped-def]
    title, message = _messages().get(code, _messages()[500])
    message = detail or message
    if wants_json():
        return jsonify(error={"code": code, "title": title, "message": message}), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _audit_refusal(response: Response) -> Response:
    """A refused request on a workshop's pages goes into its audit log, whether the
    refusal was raised (abort) or answered by a view with its own page; failing to
    write it must not turn the refusal into a server error."""
    if response.status_code != 403:
        return response
    try:
        db.session.rollback()
        workshop_id = audit.workshop_of(request.view_args or {})
        if workshop_id is None:
            return response
        person_id = current_user.person_id if current_user.is_authenticated else None
        audit.refused(person_id, workshop_id, f"{request.method} {request.path}")
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("refusal on %s not recorded", request.path)
    return response


def _detail(error: HTTPException) -> str | None:
    """Our own refusals say why; Werkzeug's generic English descriptions do not reach
    people."""
    return error.description if isinstance(error, WorkshopArchived) else None


def init_app(app: Flask) -> None:
    app.after_request(_audit_refusal)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):  # type: ignore[no-untyped-def]
        return render_error(
            400,
            _(
                "Il modulo è scaduto o non è valido. Ricarica la pagina e riprova: "
                "il testo che avevi scritto è ancora nella pagina precedente."
            ),
        )

    @app.errorhandler(Busy)
    def _busy(error: Busy):  # type: ignore[no-untyped-def]
        return render_error(429, str(error))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):  # type: ignore[no-untyped-def]
        if error.code == 401 and not wants_json():
            from flask import redirect, url_for

            return redirect(url_for("web.login_help", next=request.path))
        return render_error(error.code or 500, _detail(error))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):  # type: ignore[no-untyped-def]
        app.logger.exception("Unhandled error on %s", request.path)
        db.session.rollback()
        return render_error(500)
