"""The agenda's forms carry the data and the CSRF token; the rules (a session's fit in
its room, the sections and people it may name) live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.validators import AnyOf, InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.agenda import EXTENSIONS_MINUTES


def _id_or_none(value: object) -> int | None:
    return int(value) if value not in (None, "", "None") else None  # type: ignore[arg-type]


class SessionForm(FlaskForm):
    title = StringField(_l("Titolo della sessione"))
    day = DateField(
        _l("Giorno"), validators=[InputRequired(message=_l("Scegli il giorno della sessione."))]
    )
    start = TimeField(
        _l("Inizio"),
        validators=[InputRequired(message=_l("Scrivi l'ora di inizio, per esempio 10:00."))],
    )
    end = TimeField(
        _l("Fine"),
        validators=[InputRequired(message=_l("Scrivi l'ora di fine, per esempio 11:15."))],
    )
    room = StringField(_l("Sala"))
    facilitator = SelectField(_l("Chi conduce"), coerce=_id_or_none, validate_choice=False)
    # Checkboxes rather than a multiple select: nobody has to know about Ctrl+click.
    sections = SelectMultipleField(
        _l("Sezioni su cui si lavora"),
        coerce=int,
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    open_at_start = BooleanField(_l("Apri le sezioni all'inizio della sessione"))
    lock_at_end = BooleanField(_l("Blocca le sezioni alla fine della sessione"))


class ExtendForm(FlaskForm):
    minutes = IntegerField(
        validators=[
            InputRequired(),
            AnyOf(list(EXTENSIONS_MINUTES), message=_l("Si può prolungare di 5 o di 10 minuti.")),
        ]
    )
    # The document whose editor the extension came from, to go back to it.
    document_id = IntegerField(validators=[Optional()])


class DeleteForm(FlaskForm):
    pass
