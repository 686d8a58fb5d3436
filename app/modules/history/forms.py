from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from app.modules.history.services import NAME_MAX


class SaveVersionForm(FlaskForm):
    name = StringField(
        _l("Nome della versione"),
        description=_l("Per esempio «dopo Abitare» o «bozza finale»."),
        validators=[
            DataRequired(_l("Dai un nome alla versione, per esempio «dopo Abitare».")),
            Length(max=NAME_MAX, message=_l("Il nome supera i %(max)d caratteri.")),
        ],
    )


class RestoreRevisionForm(FlaskForm):
    revision_id = IntegerField(
        validators=[InputRequired(_l("Scegli la revisione da ripristinare."))]
    )


class RestoreVersionForm(FlaskForm):
    """Nothing to fill in: the version is in the address; the form carries the token."""
