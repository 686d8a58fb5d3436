from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import AnyOf, DataRequired, Length, ValidationError

from app.core.export import Format
from app.modules.exports.annexes import PROVIDERS
from app.modules.exports.logos import ALT_MAX
from app.modules.exports.notes import NoteProvider

FORMAT_LABELS = {
    Format.PDF: _l("PDF, da consegnare e stampare"),
    Format.DOCX: _l("DOCX, per Word"),
    Format.ODT: _l("ODT, per LibreOffice"),
    Format.MARKDOWN: _l("Markdown, il testo sorgente"),
    Format.HTML: _l("HTML, una pagina sola"),
}


class ExportForm(FlaskForm):
    format = RadioField(
        _l("Formato"),
        choices=[SelectChoice(f.value, FORMAT_LABELS[f]) for f in Format],
        default=Format.PDF.value,
        validate_choice=False,
        validators=[AnyOf([f.value for f in Format], message=_l("Scegli un formato dell'elenco."))],
    )
    annexes = SelectMultipleField(_l("Allegati"), validate_choice=False)
    # Only the kinds of note that have something to say about this document.
    notes = SelectMultipleField(_l("Note"), validate_choice=False)
    colophon = BooleanField(_l("Colophon con versione, data e impronta SHA-256"), default=True)
    pdf_archival = BooleanField(_l("PDF/A-2b, per l'archiviazione (solo PDF)"))
    pdf_tagged = BooleanField(_l("PDF accessibile con marcatura (solo PDF)"), default=True)
    version = SelectField(
        _l("Quale testo"),
        description=_l("Il testo attuale, oppure una delle versioni salvate."),
        default="",
        validate_choice=False,
    )

    def __init__(
        self,
        versions: list[str],
        *args: object,
        notes: Sequence[NoteProvider] = (),
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.annexes.choices = [SelectChoice(p.key, p.label) for p in PROVIDERS.values()]
        self.notes.choices = [SelectChoice(p.key, p.label) for p in notes]
        self.version.choices = [
            SelectChoice("", _l("Il testo attuale")),
            *(SelectChoice(name, name) for name in versions),
        ]
        self.version.validators = [
            AnyOf(["", *versions], message=_l("Scegli una versione dell'elenco."))
        ]

    def validate_annexes(self, field: SelectMultipleField) -> None:
        if set(field.data or ()) - set(PROVIDERS):
            raise ValidationError(_l("Scegli gli allegati dall'elenco."))

    def validate_notes(self, field: SelectMultipleField) -> None:
        if set(field.data or ()) - {choice.value for choice in field.choices or ()}:
            raise ValidationError(_l("Scegli le note dall'elenco."))


class LogoForm(FlaskForm):
    image = FileField(
        _l("Logo"),
        description=_l("PNG o JPEG, al massimo 2 MB."),
        validators=[FileRequired(_l("Scegli il file del logo."))],
    )
    alt = StringField(
        _l("Organizzazione"),
        description=_l("Il nome che legge chi non vede l'immagine, per esempio «ASST di Lodi»."),
        validators=[
            DataRequired(_l("Scrivi il nome dell'organizzazione del logo.")),
            Length(
                max=ALT_MAX, message=_l("Il nome dell'organizzazione supera i %(max)d caratteri.")
            ),
        ],
    )
