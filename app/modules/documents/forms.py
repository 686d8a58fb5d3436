from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.doc_templates import DocTemplate
from app.core.outline import MAX_LEVEL
from app.core.permissions import DocumentStatus, SectionState
from app.modules.documents.services import (
    GUIDANCE_MAX,
    SUBTITLE_MAX,
    TITLE_MAX,
    WORD_LIMIT_MAX,
)

BLANK = ""


def _title_field(label: str) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired(_l("Il titolo è obbligatorio.")),
            Length(max=TITLE_MAX, message=_l("Il titolo supera i %(max)d caratteri.")),
        ],
    )


class NewDocumentForm(FlaskForm):
    title = _title_field(_l("Titolo del documento"))
    subtitle = StringField(
        _l("Sottotitolo"),
        description=_l("Facoltativo. Con un modello, se lo lasci vuoto si usa quello del modello."),
        validators=[
            Optional(),
            Length(max=SUBTITLE_MAX, message=_l("Il sottotitolo supera i %(max)d caratteri.")),
        ],
    )
    template = RadioField(_l("Punto di partenza"), default=BLANK, validate_choice=False)

    def __init__(self, templates: list[DocTemplate], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.templates = templates
        names = [BLANK, *(t.name for t in templates)]
        self.template.choices = [SelectChoice(name) for name in names]
        self.template.validators = [
            AnyOf(names, message=_l("Scegli un documento vuoto o uno dei modelli dell'elenco."))
        ]


class WordLimitField(IntegerField):
    """IntegerField's own message for "seicento" is generic; say what to type instead."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(
                str(_l("Scrivi un numero intero di parole (per esempio 600), oppure lascia vuoto."))
            ) from error


class SectionForm(FlaskForm):
    """Rename, guidance and word limit: the facilitator's one small form per section."""

    title = _title_field(_l("Titolo della sezione"))
    guidance = TextAreaField(
        _l("Indicazioni per chi scrive"),
        description=_l("Facoltative. Chi scrive le trova sopra il testo della sezione."),
        render_kw={"rows": 6},
        validators=[
            Optional(),
            Length(max=GUIDANCE_MAX, message=_l("Le indicazioni superano i %(max)d caratteri.")),
        ],
    )
    word_limit = WordLimitField(
        _l("Limite di parole"),
        description=_l("Facoltativo: lascia vuoto per nessun limite."),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=WORD_LIMIT_MAX,
                message=_l("Scrivi un numero intero da %(min)d a %(max)d, oppure lascia vuoto."),
            ),
        ],
    )
    word_limit_hard = BooleanField(
        _l("Limite rigido"),
        description=_l(
            "Il testo non può superare il limite: le modifiche oltre vengono rifiutate."
        ),
    )


class NewSectionForm(FlaskForm):
    title = _title_field(_l("Titolo della nuova sezione"))
    level = SelectField(
        _l("Livello"),
        choices=[
            SelectChoice(1, _l("1 · sezione")),
            SelectChoice(2, _l("2 · sottosezione")),
            SelectChoice(3, _l("3 · paragrafo")),
        ][:MAX_LEVEL],
        coerce=int,
        default=1,
        validate_choice=False,
        validators=[AnyOf(range(1, MAX_LEVEL + 1), message=_l("Scegli un livello dall'elenco."))],
    )


class MoveForm(FlaskForm):
    direction = StringField(
        validators=[AnyOf(["up", "down"], message=_l("Si può spostare solo in su o in giù."))]
    )


class DeleteForm(FlaskForm):
    confirm = BooleanField(
        _l("Confermo: elimina la sezione e il suo testo"),
        validators=[InputRequired(_l("Spunta la conferma per eliminare la sezione."))],
    )


class StateForm(FlaskForm):
    state = SelectField(
        _l("Stato della sezione"),
        choices=[SelectChoice(s.value) for s in SectionState],
        validate_choice=False,
        validators=[AnyOf([s.value for s in SectionState], message=_l("Stato sconosciuto."))],
    )


class StatusForm(FlaskForm):
    status = StringField(
        validators=[
            AnyOf([s.value for s in DocumentStatus], message=_l("Stato del documento sconosciuto."))
        ]
    )
    # Sent by the page that listed what is still open (documents/confirm_status.html).
    confirm = BooleanField()


class NumberingForm(FlaskForm):
    numbered = StringField(
        validators=[AnyOf(["si", "no"], message=_l("Scegli se Tavolo numera le sezioni."))]
    )
