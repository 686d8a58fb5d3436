from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileSize
from wtforms import Field, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, ValidationError

from app.core.invitations import MAX_BYTES, decode_upload, field_problems
from app.core.permissions import ROLE_ORDER
from app.modules.people.profile import Place
from app.web.labels import ROLE_LABELS

SHEET_FORMATS = ("html", "pdf")
# The largest id SQLite can compare with; a larger number would be an error, not a miss.
MAX_ID = 2**63 - 1


class EnterForm(FlaskForm):
    """Only the CSRF token: entering changes who this browser is, so it takes a form
    sent from our own page, never a bare GET that an image or a link could trigger."""


class ImportForm(FlaskForm):
    text = TextAreaField(
        _l("Elenco delle persone"),
        description=_l(
            "Una persona per riga, con le colonne nome; email; organizzazione; categoria; "
            "ruolo (facilitatore, partecipante o osservatore; se manca: partecipante). "
            "Si può incollare direttamente da un foglio di calcolo, con o senza la riga "
            "di intestazione; separatore punto e virgola, virgola o tabulazione. "
            "Con la riga di intestazione si possono aggiungere le colonne laboratorio "
            "(il titolo di un documento del tavolo) e conduce («sì» per chi lo conduce)."
        ),
    )
    file = FileField(
        _l("Oppure carica un file CSV"),
        description=_l("File CSV o di testo fino a 1 MB e 500 persone."),
        validators=[
            FileAllowed(
                ["csv", "txt", "tsv"],
                _l("Carica un file CSV. Da Excel o LibreOffice: «Salva con nome», formato CSV."),
            ),
            FileSize(MAX_BYTES, message=_l("Il file supera 1 MB: dividilo in più parti.")),
        ],
    )

    def validate_text(self, field: TextAreaField) -> None:
        if self.file.data and (field.data or "").strip():
            raise ValidationError(
                _l("Hai incollato un elenco e scelto anche un file: usa solo uno dei due.")
            )
        if not self.file.data and not (field.data or "").strip():
            raise ValidationError(_l("Incolla l'elenco delle persone o scegli un file CSV."))

    def list_text(self) -> str:
        """The list to check; an uploaded file becomes text so it can be corrected in the
        text box like a pasted list."""
        if self.file.data:
            return decode_upload(self.file.data.read())
        return self.text.data or ""


class IdListField(Field):
    """The checked boxes of the members table, which lives outside this form."""

    def process_formdata(self, valuelist: list[str]) -> None:
        message = _l("La selezione non è valida: ricarica la pagina e riprova.")
        try:
            self.data = [int(value) for value in valuelist]
        except ValueError as error:
            self.data = []
            raise ValueError(message) from error
        if any(not 0 < value <= MAX_ID for value in self.data):
            self.data = []
            raise ValueError(message)


class SheetForm(FlaskForm):
    membership_ids = IdListField(_l("Persone"))
    format = RadioField(
        _l("Formato"),
        choices=[
            SelectChoice("html", _l("Pagina da stampare")),
            SelectChoice("pdf", _l("File PDF da scaricare")),
        ],
        default="html",
        validate_choice=False,
        validators=[AnyOf(SHEET_FORMATS, message=_l("Scegli il formato: pagina o PDF."))],
    )

    def validate_membership_ids(self, field: IdListField) -> None:
        if not field.data and not field.process_errors:
            raise ValidationError(_l("Seleziona almeno una persona nella tabella."))


class RoleForm(FlaskForm):
    role = SelectField(
        _l("Ruolo"),
        choices=[SelectChoice(role.value, ROLE_LABELS[role]) for role in ROLE_ORDER],
        validate_choice=False,
        validators=[
            AnyOf(
                [role.value for role in ROLE_ORDER],
                message=_l("Scegli un ruolo: facilitatore, partecipante o osservatore."),
            ),
        ],
    )


def _checked(column: str):  # type: ignore[no-untyped-def]
    """The rules of app.core.invitations for a value a person types about themselves."""

    def check(form: FlaskForm, field: StringField) -> None:
        problems = field_problems(column, field.data or "")
        if problems:
            raise ValidationError(" ".join(_(p.template, **p.params) for p in problems))

    return check


class ProfileForm(FlaskForm):
    """The person's name and, for each place of the login (profile.places), the
    organisation shown there: one field per place, named after its key."""

    name = StringField(_l("Nome e cognome"), validators=[_checked("name")])

    @classmethod
    def for_places(cls, places: Sequence[Place], may_rename: bool, **kwargs: object) -> ProfileForm:
        class Form(cls):  # type: ignore[valid-type,misc]
            pass

        for place in places:
            setattr(
                Form,
                organisation_field(place.key),
                StringField(
                    _organisation_label(place),
                    default=place.organisation,
                    validators=[_checked("organisation")],
                ),
            )
        form = Form(**kwargs)
        if not may_rename:
            form.name.render_kw = {"readonly": True}
            form.name.description = _l(
                "Il tuo nome compare anche dove questo accesso non arriva (un altro tavolo, o "
                "il tuo ruolo di organizzatore): per cambiarlo apri in questo browser anche gli "
                "altri tuoi link personali, poi torna qui."
            )
        return form

    def organisations(self, places: Sequence[Place]) -> dict[str, str]:
        return {place.key: self[organisation_field(place.key)].data or "" for place in places}


def organisation_field(key: str) -> str:
    return f"organisation_{key}"


def _organisation_label(place: Place) -> str:
    if place.membership is None:
        return _("Organizzazione nei tavoli che crei")
    return _("Organizzazione al tavolo «%(title)s»", title=place.membership.workshop.title)
