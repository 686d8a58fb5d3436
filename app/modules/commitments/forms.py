"""The register's forms carry the data and the CSRF token; the rules (what a commitment
must say, who may change what) live in app/core/commitments.py and the services, which
give the message people read."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import Optional


class CommitmentForm(FlaskForm):
    institution = StringField()
    action = TextAreaField()
    responsible = StringField()
    due_on = DateField(validators=[Optional()])
    indicator = TextAreaField()
    section_id = IntegerField(validators=[Optional()])
    quote = TextAreaField()


class EditForm(FlaskForm):
    institution = StringField()
    action = TextAreaField()
    responsible = StringField()
    due_on = DateField(validators=[Optional()])
    indicator = TextAreaField()


class StatusForm(FlaskForm):
    status = StringField()
    note = TextAreaField()


class LinkForm(FlaskForm):
    pass
