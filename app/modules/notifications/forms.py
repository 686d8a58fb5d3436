from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import Optional


class ReadForm(FlaskForm):
    """Without an id: mark every notice as read."""

    notification_id = IntegerField(validators=[Optional()])
