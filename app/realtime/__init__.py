"""Live co-editing of sections over Socket.IO: CRDT sync, presence, batching.

The protocol is written down in docs/protocol.md; `client.py` is a Python client of it."""

from __future__ import annotations

import os

from flask import Flask, Request, current_app, has_app_context
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.modules.people.services import ENDED_LOGINS
from app.realtime import events, services
from app.web.channel import socketio

# Each setting can also come from an environment variable of the same name.
DEFAULTS: dict[str, int | float | bool] = {
    # A whole section pasted at once (SECTION_MAX_BYTES, a limit of the text, not of an
    # update) and what a browser kept while offline must go through; the Socket.IO
    # buffer is larger still.
    "LIVE_MAX_UPDATE_BYTES": 2 * 1024 * 1024,
    "LIVE_RATE_LIMIT": True,
    "LIVE_RATE_PER_SECOND": 60.0,
    "LIVE_RATE_BURST": 200.0,
    # An address's budget, in persons' budgets: a room or an audience may share one
    # address (a venue's NAT in front of a remote server), one attacker's sockets too.
    "LIVE_ADDRESS_SHARE": 20,
    "LIVE_BATCH_SECONDS": 0.05,
    # How soon after typing a section's text and revisions are stored (see store.py).
    "LIVE_SETTLE_SECONDS": 1.0,
    "LIVE_SNAPSHOT_EVERY": 500,
    "LIVE_BURST_SECONDS": 30,
    "LIVE_CACHED_SECTIONS": 512,
}


def _from_environment(name: str, default: int | float | bool) -> int | float | bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if isinstance(default, bool):
        return raw.strip().lower() not in {"0", "false", "no", "off", ""}
    return type(default)(raw)


def init_app(app: Flask) -> None:
    for name, default in DEFAULTS.items():
        app.config.setdefault(name, _from_environment(name, default))
    app.session_interface = LiveSessionInterface()
    services.install(app)
    events.register(socketio)


@event.listens_for(Session, "after_commit")
def _close_ended_logins(session: Session) -> None:
    """A login that ended (a logout, a renewed link, another person's link opened in
    the browser) closes its open editors at once, not at their next event; only after
    the commit, so that a reconnection finds it ended. A command, which holds no
    sockets, has no live channel to close."""
    ended = session.info.pop(ENDED_LOGINS, ())
    if ended and has_app_context() and "tavolo.live" in current_app.extensions:
        for login_id in sorted(ended):
            services.close_connections(login_id)


@event.listens_for(Session, "after_rollback")
def _forget_ended_logins(session: Session) -> None:
    """An end that was rolled back never happened: those logins are still open."""
    session.info.pop(ENDED_LOGINS, None)


class LiveSessionInterface(SecureCookieSessionInterface):
    """The events of a socket share one copy of the person's session, made at its first
    event (Flask-SocketIO's managed session) and put in place of the request's own right
    after Flask opens it: decoding and verifying the cookie again for every keystroke,
    only to throw the result away, took several percent of a busy server's time."""

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        if "saved_session" in request.environ:
            return self.null_session_class()
        return super().open_session(app, request)
