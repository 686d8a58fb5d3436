from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectChoice, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from app.modules.documents.services import TITLE_MAX
from app.modules.imports.services import LEVELS

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


class ConfirmForm(FlaskForm):
    title = StringField(
        _l("Titolo del documento"),
        validators=[
            DataRequired(_l("Il titolo è obbligatorio.")),
            Length(max=TITLE_MAX, message=_l("Il titolo supera i %(max)d caratteri.")),
        ],
    )
    level = _level_field()
