"""Socket.IO handlers of the live protocol (docs/protocol.md). Each one parses its
payload, checks access from the database, calls one service and returns the
acknowledgement. A refusal is answered twice, in the acknowledgement and as an `error`
event, and changes nothing: whatever a refused event left in the session is rolled back.

Flask-SocketIO runs no `before_request` and no `login_required` for socket events, so
authentication happens at connect and authorisation in every handler."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import SocketIO, disconnect, emit
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from app.core.sync import (
    PROTOCOL_VERSION,
    PayloadError,
    parse_awareness,
    parse_join,
    parse_leave,
    parse_sync,
    parse_update,
)
from app.extensions import db
from app.modules.audit import services as audit
from app.realtime import access, errors, services
from app.realtime.store import NotStored

Handler = Callable[[Any], dict]
# Refusals that say someone tried what their role or revoked access does not allow (not
# the ones a well-behaved client meets, like a locked section).
AUDITED_REFUSALS = frozenset({"forbidden", "revoked"})


def on_connect(auth: object = None) -> None:
    """Only pages of this site may open a socket (a cross-site page would ride on the
    person's cookie), and only people who entered with their link, unless the client
    asks to be a public reader, who can open nothing but published documents."""
    if request.headers.get("Origin") not in current_app.config["ORIGINS"]:
        raise ConnectionRefusedError("origin", {"message": _("Origine non consentita.")})
    public = isinstance(auth, dict) and auth.get("public") is True
    if not current_user.is_authenticated and not public:
        raise ConnectionRefusedError(
            "unauthenticated",
            {"message": _("Per entrare serve il tuo link di invito personale.")},
        )
    services.connected(
        request.sid,
        current_user if current_user.is_authenticated else None,
        request.remote_addr,
    )


def on_disconnect(reason: object = None) -> None:
    services.disconnected(request.sid)


def _live(handler: Handler) -> Handler:
    @wraps(handler)
    def wrapper(payload: Any = None) -> dict:
        try:
            services.admit(request.sid)
            return handler(payload)
        except PayloadError as error:
            return _refuse(errors.from_payload(error, current_app.config["LIVE_MAX_UPDATE_BYTES"]))
        except errors.LiveError as error:
            return _refuse(error)

    return wrapper


def _refuse(error: errors.LiveError) -> dict:
    db.session.rollback()
    if error.code in AUDITED_REFUSALS:
        _audit_refusal(error.code)
    emit("error", {**error.as_dict(), "event": request.event["message"]})
    if error.code in ("revoked", "logged_out"):
        # The `error` event is queued before the disconnection and arrives; the
        # acknowledgement, sent after the handler returns, may not.
        disconnect()
    return {"ok": False, "error": error.as_dict()}


def _audit_refusal(code: str) -> None:
    """Into the workshop's audit log (aggregated per minute there, so a refused typist
    costs no write per keystroke); failing to write it never fails the refusal."""
    args = request.event.get("args") or ()
    payload = args[0] if args and isinstance(args[0], dict) else {}
    try:
        workshop_id = audit.workshop_of(payload)
        if workshop_id is None:
            return
        person_id = services.live().registry.person_id(request.sid)
        audit.refused(person_id, workshop_id, f"{code}: {request.event['message']}")
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("live refusal not recorded")


def on_unexpected(error: Exception) -> dict | bool:
    event = request.event["message"]
    unreachable = isinstance(error, (OperationalError, InterfaceError, NotStored))
    try:
        db.session.rollback()
    except SQLAlchemyError:
        unreachable = True
    if unreachable:
        # Every keystroke of the room meets it while the database is away: one line each.
        current_app.logger.error("live event %s not stored: %s", event, str(error)[:300])
    else:
        current_app.logger.exception("live event %s failed", event)
    if event == "connect":
        return False
    return _refuse(errors.not_stored() if unreachable else errors.server_error())


@_live
def on_join(payload: Any) -> dict:
    message = parse_join(payload)
    if message.protocol != PROTOCOL_VERSION:
        raise errors.unsupported_protocol(PROTOCOL_VERSION)
    return services.join(access.viewer_of(message.document_id, request.sid), request.sid)


@_live
def on_leave(payload: Any) -> dict:
    viewer = access.viewer_of(parse_leave(payload).document_id, request.sid)
    access.require_joined(viewer.document.id, request.sid)
    return services.leave(viewer, request.sid)


@_live
def on_sync(payload: Any) -> dict:
    message = parse_sync(payload)
    section = access.joined_section(message.section_id, request.sid)
    return services.sync(section, message.state_vector, request.sid)


@_live
def on_update(payload: Any) -> dict:
    message = parse_update(payload, current_app.config["LIVE_MAX_UPDATE_BYTES"])
    section = access.joined_section(message.section_id, request.sid)
    return services.receive_update(section, message, request.sid)


@_live
def on_awareness(payload: Any) -> dict:
    message = parse_awareness(payload)
    targets = access.presence_targets(message.section_id, request.sid)
    return services.update_presence(targets, request.sid, message)


HANDLERS: dict[str, Callable[..., Any]] = {
    "connect": on_connect,
    "disconnect": on_disconnect,
    "join": on_join,
    "leave": on_leave,
    "sync": on_sync,
    "update": on_update,
    "awareness": on_awareness,
}


def register(socketio: SocketIO) -> None:
    for name, handler in HANDLERS.items():
        socketio.on_event(name, handler)
    socketio.on_error("/")(on_unexpected)
