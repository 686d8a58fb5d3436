"""The vote forms carry the data and the CSRF token; the rules live in the services,
except the shape of the fields themselves (a number where a number is expected)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectChoice, StringField
from wtforms.validators import AnyOf, NumberRange, Optional

from app.core.tally import Scale
from app.modules.votes.models import Visibility

DURATION_MAX_MINUTES = 24 * 60


class WholeNumberField(IntegerField):
    """IntegerField's own message for "dieci" is generic; say what to type instead."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(
                str(_l("Scrivi un numero intero (per esempio 10), oppure lascia vuoto."))
            ) from error


class OpenRoundForm(FlaskForm):
    question = StringField(_l("Domanda"))
    scale = RadioField(
        _l("Scala"),
        choices=[
            SelectChoice(
                Scale.CONSENT.value,
                _l("Consenso: favorevole, favorevole con riserve, contrario, astenuto"),
            ),
            SelectChoice(Scale.YES_NO.value, _l("Sì, no, astenuto")),
            SelectChoice(Scale.SCORE.value, _l("Punteggio da 0 a 5")),
        ],
        default=Scale.CONSENT.value,
        validate_choice=False,
        validators=[AnyOf([s.value for s in Scale], message=_l("Scegli una scala dall'elenco."))],
    )
    secret = BooleanField(_l("Voto segreto"))
    minutes = WholeNumberField(
        _l("Chiusura automatica dopo (minuti)"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=DURATION_MAX_MINUTES,
                message=_l("Scrivi un numero di minuti da %(min)d a %(max)d, oppure lascia vuoto."),
            ),
        ],
    )
    quorum = WholeNumberField(
        _l("Quorum (persone che devono votare)"),
        validators=[
            Optional(),
            NumberRange(min=1, message=_l("Il quorum è un numero di persone, almeno 1.")),
        ],
    )
    results_visible = RadioField(
        _l("Risultati"),
        choices=[
            SelectChoice(Visibility.AFTER_CLOSE.value, _l("Visibili solo a votazione chiusa")),
            SelectChoice(Visibility.LIVE.value, _l("Visibili a tutti mentre si vota")),
        ],
        default=Visibility.AFTER_CLOSE.value,
        validate_choice=False,
        validators=[
            AnyOf([v.value for v in Visibility], message=_l("Scegli quando mostrare i risultati."))
        ],
    )
    reason_required = BooleanField(_l("Chi vota contro deve motivare"))
    on_present = BooleanField(
        _l("Conta sui presenti in sala"),
        description=_l(
            "Affluenza calcolata sulle persone segnate presenti oggi; senza un quorum "
            "indicato, il quorum è la maggioranza dei presenti."
        ),
    )
    amendment = IntegerField(validators=[Optional()])


class BallotForm(FlaskForm):
    choice = StringField()
    reason = StringField()


class CloseForm(FlaskForm):
    pass
