"""The register's forms carry the data and the CSRF token; the services check it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import Optional


class PositionForm(FlaskForm):
    section_id = IntegerField(validators=[Optional()])
    organisation = StringField()
    text = TextAreaField()


class MarkForm(FlaskForm):
    pass
