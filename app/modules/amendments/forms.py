"""The amendment forms only carry the data and the CSRF token: the rules (empty text,
length, who may do what) live in the services, which give the message people read."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import Optional


class ProposeForm(FlaskForm):
    base_text = HiddenField()
    replacement = TextAreaField()
    rationale = TextAreaField()
    passage_start = IntegerField(validators=[Optional()])
    passage_end = IntegerField(validators=[Optional()])
    passage_quote = HiddenField()


class StanceForm(FlaskForm):
    stance = StringField()
    reason = StringField()


class DecisionForm(FlaskForm):
    reason = TextAreaField()


class ResolveForm(FlaskForm):
    shown = HiddenField()
    text = TextAreaField()
