from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional

from app.modules.documents.services import TITLE_MAX

HEADINGS_CHARS_MAX = 10_000
QUOTE_CHARS_MAX = 200_000


class NewSynthesisForm(FlaskForm):
    title = StringField(
        _l("Titolo della sintesi"),
        validators=[
            DataRequired(_l("Il titolo è obbligatorio.")),
            Length(max=TITLE_MAX, message=_l("Il titolo supera i %(max)d caratteri.")),
        ],
    )
    # Drawn as checkboxes by the template; the ids are checked against the workshop's
    # labs by the view, with a message in Italian rather than WTForms' own.
    sources = SelectMultipleField(_l("Laboratori"), coerce=int, validate_choice=False)
    headings = TextAreaField(
        _l("Sezioni della sintesi"),
        description=_l(
            "Un titolo per riga, nell'ordine in cui compaiono. Potrai rinominarle, "
            "spostarle o aggiungerne altre anche dopo."
        ),
        validators=[
            Length(max=HEADINGS_CHARS_MAX, message=_l("Troppo testo per i titoli delle sezioni."))
        ],
        render_kw={"rows": 6},
    )


class PullForm(FlaskForm):
    """A lab's section, or the passage selected in it, into a section of the synthesis.
    Filled by the page: the fields are hidden or chosen from a list."""

    source_section = IntegerField(validators=[InputRequired()])
    target = IntegerField(validators=[InputRequired()])
    what = HiddenField(validators=[AnyOf(["section", "passage"])])
    start = IntegerField(validators=[Optional()])
    end = IntegerField(validators=[Optional()])
    quote = HiddenField(validators=[Optional(), Length(max=QUOTE_CHARS_MAX)])


class UpdateForm(FlaskForm):
    """Only the CSRF token: the passage is in the address."""
