"""What a page that follows the room asks every few seconds (static/src/room.js): the
version of what it shows, answered "not modified" while nothing changed, which a weak
Wi-Fi carries better than a connection kept open."""

from __future__ import annotations

from flask import Response, jsonify, request


def version_answer(tag: str, current: object) -> Response:
    response = jsonify(version=current)
    response.set_etag(f"{tag}-{current}")
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)
