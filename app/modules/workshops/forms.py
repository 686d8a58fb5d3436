from __future__ import annotations

import functools
import zoneinfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError


@functools.cache
def _all_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def zone_names() -> tuple[str, ...]:
    """The IANA zones of places ("Europe/Rome"), without the aliases kept for old systems
    ("posixrules", "Etc/GMT+1", "US/Pacific") that would only lengthen the list."""
    return tuple(
        sorted(
            name
            for name in _all_zones()
            if "/" in name and name.split("/")[0] not in {"Etc", "SystemV", "US", "posix", "right"}
        )
    )


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
    # Checked by `validate_time_zone`, which says what is wrong in Italian.
    time_zone = SelectField(
        _l("Fuso orario"),
        description=_l(
            "Le date delle pagine, delle esportazioni e dei nomi dei file del tavolo sono "
            "quelle di questo fuso."
        ),
        validate_choice=False,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        names = list(zone_names())
        # An instance's TZ_NAME may be one of the names left out ("UTC"): still offered.
        if self.time_zone.data in _all_zones() and self.time_zone.data not in names:
            names.insert(0, self.time_zone.data)
        self.time_zone.choices = [(name, name.replace("_", " ")) for name in names]

    def validate_ends_on(self, field: DateField) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("La data di fine viene prima di quella di inizio."))

    def validate_time_zone(self, field: SelectField) -> None:
        if field.data not in _all_zones():
            raise ValidationError(_l("Scegli un fuso orario dall'elenco, per esempio Europe/Rome."))


class ArchiveForm(FlaskForm):
    # Sent by the page that asks to confirm (workshops/confirm_archive.html).
    confirm = BooleanField()
