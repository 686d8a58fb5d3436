"""The comment forms only carry the data and the CSRF token: the rules (empty text,
length, who may do what) live in the services, which give the message people read."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import Optional


class CommentForm(FlaskForm):
    body = TextAreaField()
    parent_id = IntegerField(validators=[Optional()])
    anchor_start = IntegerField(validators=[Optional()])
    anchor_end = IntegerField(validators=[Optional()])
    anchor_quote = HiddenField()


class EditForm(FlaskForm):
    body = TextAreaField()


class ResolveForm(FlaskForm):
    action = StringField()


class HideForm(FlaskForm):
    reason = StringField()
