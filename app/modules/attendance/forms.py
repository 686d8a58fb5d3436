from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import AnyOf


class PresenceForm(FlaskForm):
    present = HiddenField(validators=[AnyOf(["si", "no"])])


class ArrivalForm(FlaskForm):
    """Only the CSRF token: marking oneself present is a change, sent from our page."""


class RoomCodeForm(FlaskForm):
    """Only the CSRF token: a new code for the room."""
