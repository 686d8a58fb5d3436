from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import AnyOf, InputRequired, NumberRange, Optional, ValidationError

from app.core.floor import BROADCAST_MAX_MINUTES, Projected
from app.modules.history.forms import SaveVersionForm


class AskForm(FlaskForm):
    # Not limited here: the service says how long it may be, in a sentence.
    topic = StringField(_l("Su che cosa vuoi intervenire? (facoltativo)"))


class QueueForm(FlaskForm):
    open = HiddenField(validators=[AnyOf(["si", "no"])])


class ActionForm(FlaskForm):
    """Only the CSRF token: giving the floor, skipping, finishing, withdrawing."""


class ProjectForm(FlaskForm):
    projected = HiddenField(validators=[AnyOf([p.value for p in Projected])])
    section = IntegerField(validators=[Optional()])
    vote = IntegerField(validators=[Optional()])


class AnnounceForm(FlaskForm):
    message = StringField(_l("Messaggio per tutti"))
    minutes = IntegerField(
        _l("Visibile per (minuti)"),
        default=15,
        validators=[
            InputRequired(_l("Indica per quanti minuti mostrare il messaggio.")),
            NumberRange(
                min=1,
                max=BROADCAST_MAX_MINUTES,
                message=_l("Da 1 a %(max)d minuti.", max=BROADCAST_MAX_MINUTES),
            ),
        ],
    )


class ConsoleVersionForm(SaveVersionForm):
    """Saving a version from the console, which shows every document of the workshop."""

    # Checked below, so that a document of another workshop is refused in a sentence.
    document = SelectField(_l("Documento"), coerce=int, validate_choice=False)

    def validate_document(self, field: SelectField) -> None:
        if field.data not in {value for value, _label in field.choices or []}:
            raise ValidationError(_l("Scegli un documento di questo tavolo."))
