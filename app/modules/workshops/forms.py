from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError


class WorkshopForm(FlaskForm):
    title = StringField(
        _l("Titolo"), validators=[DataRequired(_l("Il titolo è obbligatorio.")), Length(max=300)]
    )
    place = StringField(_l("Luogo"), validators=[Optional(), Length(max=300)])
    starts_on = DateField(_l("Dal"), validators=[Optional()])
    ends_on = DateField(_l("Al"), validators=[Optional()])
    promoters = TextAreaField(
        _l("Promotori"),
        description=_l("Un ente per riga, come compariranno sulla copertina del documento."),
        validators=[Optional(), Length(max=3000)],
    )

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("La data di fine viene prima di quella di inizio."))
