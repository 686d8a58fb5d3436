"""Refusals on the live channel: a code for programs (docs/protocol.md lists them all) and
a sentence for the person, in their language."""

from __future__ import annotations

from flask_babel import gettext as _

from app.core.permissions import DocumentStatus, SectionState
from app.core.sync import PayloadError
from app.modules.port import section_over_words, section_too_long

# Refusals after which the client should simply send the same update again later.
TRANSIENT = frozenset({"rate_limited", "server_error", "out_of_order"})


class LiveError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def not_found() -> LiveError:
    return LiveError(
        "not_found",
        _("Documento o sezione inesistente, oppure non hai accesso a questo tavolo."),
    )


def forbidden() -> LiveError:
    return LiveError("forbidden", _("Il tuo ruolo in questo tavolo non permette questa azione."))


def not_joined() -> LiveError:
    return LiveError("not_joined", _("Questo documento non è aperto: ricarica la pagina."))


def revoked() -> LiveError:
    return LiveError("revoked", _("Il tuo accesso a questo tavolo è stato revocato."))


def logged_out() -> LiveError:
    return LiveError(
        "logged_out",
        _("La sessione è terminata: per rientrare apri di nuovo il tuo link personale."),
    )


def rate_limited() -> LiveError:
    return LiveError(
        "rate_limited",
        _("Troppe modifiche in poco tempo: il testo non è perso, verrà inviato tra un momento."),
    )


def server_error() -> LiveError:
    return LiveError(
        "server_error",
        _("Qualcosa non ha funzionato sul server. Il testo già salvato non è perso: "
          "riprova tra poco."),
    )


def not_stored() -> LiveError:
    """The database could not be reached or could not store the change: the editor keeps
    it and sends it again (a passing refusal, as `server_error` always was)."""
    return LiveError(
        "server_error",
        _("Il server non riesce a salvare in questo momento: la modifica non è salvata, "
          "resta su questo dispositivo e verrà inviata di nuovo appena possibile."),
    )


def unsupported_protocol(version: int) -> LiveError:
    return LiveError(
        "bad_request",
        _("Versione del protocollo non supportata: il server usa la versione %(version)s. "
          "Ricarica la pagina.", version=version),
    )


def invalid_update() -> LiveError:
    return LiveError(
        "bad_request",
        _("La modifica ricevuta non è leggibile e non è stata applicata: ricarica la pagina."),
    )


def foreign_client() -> LiveError:
    return LiveError(
        "foreign_client",
        _("La modifica contiene testo scritto a nome di un'altra persona, o cancella suo "
          "testo che il server non ha ancora, e non è stata applicata: ricarica la pagina."),
    )


def out_of_order() -> LiveError:
    return LiveError(
        "out_of_order",
        _("La modifica dipende da tue modifiche precedenti che il server non ha ancora "
          "ricevuto: il testo non è perso, verrà inviato di nuovo tra un momento."),
    )


def from_payload(error: PayloadError, max_update_bytes: int) -> LiveError:
    if error.code == "too_large":
        return LiveError(
            "too_large",
            _("La modifica è troppo grande (più di %(size)s MB) e non è stata applicata.",
              size=round(max_update_bytes / (1024 * 1024), 1)),
        )
    return LiveError(
        "bad_request",
        _("Richiesta non valida: il campo «%(field)s» manca o non è corretto.", field=error.field),
    )


def text_too_long(max_bytes: int) -> LiveError:
    return LiveError("text_too_long", section_too_long(max_bytes))


def words_over_limit(limit: int) -> LiveError:
    return LiveError("words_over_limit", section_over_words(limit))


def section_locked(state: SectionState, status: DocumentStatus, archived: bool) -> LiveError:
    if archived:
        message = _("Il tavolo è stato archiviato: i suoi documenti si possono solo leggere. "
                    "Il tuo testo è stato conservato come proposta per i facilitatori.")
    elif status is not DocumentStatus.DRAFT:
        message = _("Il documento è stato congelato: il tuo testo è stato conservato come "
                    "proposta per i facilitatori.")
    elif state is SectionState.APPROVED:
        message = _("La sezione è stata approvata: il tuo testo è stato conservato come "
                    "proposta per i facilitatori.")
    else:
        message = _("La sezione è stata bloccata: il tuo testo è stato conservato come "
                    "proposta per i facilitatori.")
    return LiveError("section_locked", message)
