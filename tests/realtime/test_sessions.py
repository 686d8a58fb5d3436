"""A socket's events use the copy of the session made at its first event; the cookie is
decoded for the first event and for every ordinary request, not for each keystroke."""

from __future__ import annotations

from flask.sessions import NullSession

from app.realtime import LiveSessionInterface


def _cookie(app) -> str:  # type: ignore[no-untyped-def]
    serializer = LiveSessionInterface().get_signing_serializer(app)
    return f"{app.config['SESSION_COOKIE_NAME']}={serializer.dumps({'_user_id': '7'})}"


def test_requests_decode_the_cookie(app) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(app.session_interface, LiveSessionInterface)
    with app.test_request_context(headers={"Cookie": _cookie(app)}) as context:
        assert context.session["_user_id"] == "7"


def test_later_events_of_a_socket_skip_it(app) -> None:  # type: ignore[no-untyped-def]
    headers = {"Cookie": _cookie(app)}
    with app.test_request_context(headers=headers, environ_base={"saved_session": {}}) as context:
        assert isinstance(context.session, NullSession)
