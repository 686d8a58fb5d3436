from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from app.modules.documents.services import TITLE_MAX
from app.modules.imports.services import LEVELS, Numbers

LEVEL_LABELS = {
    1: _l("Titoli di livello 1: capitoli"),
    2: _l("Titoli di livello 1 e 2: capitoli e paragrafi"),
    3: _l("Titoli di livello 1, 2 e 3"),
}


def _level_field() -> RadioField:
    return RadioField(
        _l("Dividi in sezioni a ogni"),
        choices=[SelectChoice(level, LEVEL_LABELS[level]) for level in LEVELS],
        coerce=int,
        default=1,
        validate_choice=False,
        validators=[AnyOf(LEVELS, message=_l("Scegli un livello dall'elenco."))],
    )


class UploadForm(FlaskForm):
    file = FileField(
        _l("Documento da importare"),
        description=_l(
            "DOCX (Word), ODT (LibreOffice), Markdown o testo semplice. Le immagini PNG, "
            "JPEG, GIF e WebP vengono conservate."
        ),
        validators=[FileRequired(_l("Scegli il file da importare."))],
    )
    level = _level_field()


NUMBERS_LABELS = {
    Numbers.FILE: (
        _l("Mantieni la numerazione del file"),
        _l("I titoli restano come sono scritti; Tavolo non aggiunge i suoi numeri."),
    ),
    Numbers.TAVOLO: (
        _l("Numera Tavolo"),
        _l("I numeri scritti nei titoli vengono tolti e Tavolo numera le sezioni."),
    ),
}


class ConfirmForm(FlaskForm):
    title = StringField(
        _l("Titolo del documento"),
        validators=[
            DataRequired(_l("Il titolo è obbligatorio.")),
            Length(max=TITLE_MAX, message=_l("Il titolo supera i %(max)d caratteri.")),
        ],
    )
    level = _level_field()
    numbers = RadioField(
        _l("Numerazione dei titoli"),
        choices=[SelectChoice(n.value, label) for n, (label, _hint) in NUMBERS_LABELS.items()],
        default=Numbers.FILE.value,
        validate_choice=False,
        validators=[AnyOf([n.value for n in Numbers], message=_l("Scegli chi numera i titoli."))],
    )
