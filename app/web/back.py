"""Where an action goes back to. The facilitator's console sends the same forms as the
pages they belong to, and expects to stay on the console: the form says so with a fixed
word, never with an address, so that no form can send anyone to another page."""

from __future__ import annotations

from flask import request, url_for

FROM_CONSOLE = "console"


def back_to(workshop_id: int, default: str) -> str:
    if request.form.get("dopo") == FROM_CONSOLE or request.args.get("dopo") == FROM_CONSOLE:
        return url_for("room.console", workshop_id=workshop_id)
    return default
