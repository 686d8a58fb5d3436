"""The audit trail: written by every service that changes something, read by the
workshop's facilitators as a page and as a CSV file for the institutions' records."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.modules.agenda.models import AgendaSession
from app.modules.amendments.models import Amendment
from app.modules.audit.models import AuditEvent
from app.modules.comments.models import Comment
from app.modules.documents.models import Document, Section
from app.modules.exports.models import DocumentLogo, Export
from app.modules.people.models import Person
from app.modules.revisions.models import RejectedEdit
from app.modules.synthesis.models import PulledPassage
from app.modules.timeutil import utcnow
from app.modules.votes.models import VoteRound
from app.web.labels import COMMITMENT_STATUS_LABELS, ROLE_LABELS

PAGE_SIZE = 50
REFUSED = "access.refused"
# A flood of refused attempts (a script, a stale tab retrying every keystroke) becomes
# one row per person, workshop and minute; its count is written back at most this often,
# so the flood costs neither disk nor a write per attempt.
REFUSAL_FLUSH_SECONDS = 5.0

# What each action means, in the words a facilitator uses. An action missing here is
# shown by its code, so a new one is never hidden.
ACTIONS = {
    "workshop.created": _l("Tavolo creato"),
    "workshop.room_code_renewed": _l("Codice della sala cambiato"),
    "workshop.updated": _l("Dati del tavolo modificati"),
    "workshop.archived": _l("Tavolo archiviato"),
    "workshop.restored": _l("Tavolo ripristinato"),
    "member.invited": _l("Persona invitata"),
    "member.link_issued": _l("Nuovo link di accesso"),
    "member.revoked": _l("Accesso revocato"),
    "member.role_changed": _l("Ruolo cambiato"),
    "member.updated": _l("Dati della persona modificati"),
    "member.presence_marked": _l("Presenza segnata"),
    "member.presence_removed": _l("Presenza tolta"),
    "members.imported": _l("Elenco di persone importato"),
    "invitation_sheet.generated": _l("Foglio di invito generato"),
    "organiser.link_renewed": _l("Nuovo link dell'organizzatore"),
    "organiser.revoked": _l("Ruolo di organizzatore revocato"),
    "document.created": _l("Documento creato"),
    "document.imported": _l("Documento importato"),
    "document.exported": _l("Documento esportato"),
    "document.sealed": _l("Testo sigillato"),
    "document.status_changed": _l("Stato del documento cambiato"),
    "document.numbering_changed": _l("Numerazione delle sezioni cambiata"),
    "document.restored": _l("Documento ripristinato a una versione"),
    "document.logo_added": _l("Logo aggiunto"),
    "document.logo_removed": _l("Logo rimosso"),
    "version.saved": _l("Versione salvata"),
    "section.added": _l("Sezione aggiunta"),
    "section.deleted": _l("Sezione eliminata"),
    "section.moved": _l("Sezione spostata"),
    "section.restored": _l("Sezione ripristinata"),
    "section.state_changed": _l("Stato della sezione cambiato"),
    "section.updated": _l("Sezione modificata"),
    "comment.hidden": _l("Commento nascosto"),
    "comment.resolved": _l("Commento risolto"),
    "comment.reopened": _l("Commento riaperto"),
    "amendment.proposed": _l("Emendamento proposto"),
    "amendment.accepted": _l("Emendamento accolto"),
    "amendment.rejected": _l("Emendamento respinto"),
    "amendment.withdrawn": _l("Emendamento ritirato"),
    "vote.opened": _l("Votazione aperta"),
    "vote.closed": _l("Votazione chiusa"),
    "dissent.recorded": _l("Posizione di dissenso registrata"),
    "room.queue_opened": _l("Coda degli interventi aperta"),
    "room.queue_closed": _l("Coda degli interventi chiusa"),
    "room.announced": _l("Messaggio mostrato a tutta la sala"),
    "commitment.recorded": _l("Impegno registrato"),
    "commitment.proposed": _l("Impegno proposto"),
    "commitment.status_changed": _l("Stato dell'impegno cambiato"),
    "commitment.updated": _l("Impegno corretto"),
    "commitment.link_issued": _l("Link dell'ente creato"),
    "commitment.link_renewed": _l("Link dell'ente rinnovato"),
    "commitment.link_revoked": _l("Link dell'ente revocato"),
    "agenda.session_created": _l("Sessione aggiunta al programma"),
    "agenda.session_updated": _l("Sessione del programma modificata"),
    "agenda.session_deleted": _l("Sessione tolta dal programma"),
    "agenda.session_extended": _l("Sessione prolungata"),
    "agenda.sections_opened": _l("Sezioni aperte all'inizio della sessione"),
    "agenda.sections_locked": _l("Sezioni bloccate alla fine della sessione"),
    "synthesis.created": _l("Sintesi dei laboratori creata"),
    "synthesis.pulled": _l("Passaggio inserito nella sintesi da un laboratorio"),
    "synthesis.updated": _l("Passaggio della sintesi aggiornato dal laboratorio"),
    REFUSED: _l("Tentativo non consentito"),
}

# The filter of the page: the part of the action before the dot.
KINDS = {
    "workshop": _l("Tavolo"),
    "member": _l("Persone e ruoli"),
    "document": _l("Documenti ed esportazioni"),
    "version": _l("Versioni"),
    "section": _l("Sezioni"),
    "comment": _l("Commenti"),
    "amendment": _l("Emendamenti"),
    "vote": _l("Votazioni"),
    "dissent": _l("Dissenso"),
    "room": _l("Sala"),
    "commitment": _l("Impegni"),
    "agenda": _l("Programma"),
    "synthesis": _l("Sintesi"),
    "access": _l("Tentativi non consentiti"),
}

OBJECTS = {
    "workshop": _l("tavolo"),
    "membership": _l("persona"),
    "organiser": _l("organizzatore"),
    "document": _l("documento"),
    "section": _l("sezione"),
    "comment": _l("commento"),
    "amendment": _l("emendamento"),
    "vote_round": _l("votazione"),
    "dissent": _l("dissenso"),
    "version": _l("versione"),
    "commitment": _l("impegno"),
    "agenda_session": _l("sessione"),
    "pulled_passage": _l("passaggio della sintesi"),
}


def record(
    actor_id: int | None,
    action: str,
    obj: Any,
    workshop_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor_id,
        workshop_id=workshop_id,
        action=action,
        object_type=type(obj).__tablename__,
        object_id=obj.id,
        details=details,
    )
    db.session.add(event)
    return event


@dataclass
class _Refusals:
    event_id: int
    count: int
    written: int
    written_at: float


class RefusalLog:
    """Aggregates refused attempts per person, workshop and minute in this process.

    The first refusal of a minute is a new row; later ones only count in memory and
    update that row every REFUSAL_FLUSH_SECONDS (and once more when a later refusal
    closes the minute), so a flood neither fills the disk nor competes with the live
    editing for the database's write lock. A row's count is therefore a lower bound."""

    def __init__(self, flush_seconds: float = REFUSAL_FLUSH_SECONDS) -> None:
        self.flush_seconds = flush_seconds
        self._lock = threading.Lock()
        self._open: dict[tuple[int | None, int, dt.datetime], _Refusals] = {}

    def refused(self, person_id: int | None, workshop_id: int, what: str) -> None:
        """Records an attempt; the caller commits."""
        now = time.monotonic()
        minute = utcnow().replace(second=0, microsecond=0)
        key = (person_id, workshop_id, minute)
        with self._lock:
            writes = self._close_before(minute)
            entry = self._open.get(key)
            if entry is not None:
                entry.count += 1
                if now - entry.written_at >= self.flush_seconds:
                    entry.written, entry.written_at = entry.count, now
                    writes.append((entry.event_id, entry.count))
        for event_id, count in writes:
            event = db.session.get(AuditEvent, event_id)
            if event is not None:
                event.details = {**event.details, "count": count}
        if entry is None:
            event = AuditEvent(
                actor_id=person_id,
                workshop_id=workshop_id,
                action=REFUSED,
                object_type="workshop",
                object_id=workshop_id,
                details={"what": what[:200], "count": 1},
            )
            db.session.add(event)
            db.session.flush()
            with self._lock:
                self._open.setdefault(key, _Refusals(event.id, 1, 1, now))

    def _close_before(self, minute: dt.datetime) -> list[tuple[int, int]]:
        """Forgets past minutes, returning the counts they still have to write."""
        writes = []
        for key in [k for k in self._open if k[2] < minute]:
            entry = self._open.pop(key)
            if entry.count != entry.written:
                writes.append((entry.event_id, entry.count))
        return writes


def refused(person_id: int | None, workshop_id: int, what: str) -> None:
    """A request or live event refused for lack of rights; the caller commits. The
    aggregation belongs to the application, whose database its row ids point into."""
    log = current_app.extensions.setdefault("audit_refusals", RefusalLog())
    log.refused(person_id, workshop_id, what)


def workshop_of(ids: dict[str, Any]) -> int | None:
    """The workshop a refused request or event pointed at, from the ids it carried."""
    if isinstance(ids.get("workshop_id"), int):
        return ids["workshop_id"]
    for key, model in _BY_ID.items():
        if isinstance(ids.get(key), int):
            return db.session.execute(_workshop_query(model, ids[key])).scalar_one_or_none()
    return None


# Objects a route or event names by id, each leading to its workshop through its
# document or its section.
_BY_ID: dict[str, type] = {
    "document_id": Document,
    "section_id": Section,
    "comment_id": Comment,
    "amendment_id": Amendment,
    "round_id": VoteRound,
    "logo_id": DocumentLogo,
    "export_id": Export,
    "session_id": AgendaSession,
    "edit_id": RejectedEdit,
    "passage_id": PulledPassage,
}


def _workshop_query(model: Any, object_id: int):  # type: ignore[no-untyped-def]
    if hasattr(model, "workshop_id"):
        return db.select(model.workshop_id).where(model.id == object_id)
    query = db.select(Document.workshop_id)
    if model is Document:
        return query.where(Document.id == object_id)
    if hasattr(model, "document_id"):
        return query.join(model, model.document_id == Document.id).where(model.id == object_id)
    return (
        query.join(Section, Section.document_id == Document.id)
        .join(model, model.section_id == Section.id)
        .where(model.id == object_id)
    )


@dataclass(frozen=True)
class Line:
    at: dt.datetime
    who: str
    what: str
    on: str
    details: str


@dataclass(frozen=True)
class Page:
    lines: list[Line]
    number: int
    pages: int
    total: int


def _query(workshop_id: int, kind: str | None):  # type: ignore[no-untyped-def]
    query = (
        db.select(AuditEvent, Person.name)
        .outerjoin(Person, Person.id == AuditEvent.actor_id)
        .where(AuditEvent.workshop_id == workshop_id)
    )
    if kind in KINDS:
        query = query.where(AuditEvent.action.startswith(f"{kind}."))
    return query


def page_of(workshop_id: int, kind: str | None, number: int) -> Page:
    """Newest first, PAGE_SIZE lines a page; a page past the end shows the last one."""
    total = db.session.execute(
        db.select(db.func.count()).select_from(_query(workshop_id, kind).subquery())
    ).scalar_one()
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, number), pages)
    rows = db.session.execute(
        _query(workshop_id, kind)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)
    ).all()
    return Page([_line(event, name) for event, name in rows], number, pages, total)


def all_lines(workshop_id: int, kind: str | None) -> Iterator[Line]:
    rows = db.session.execute(
        _query(workshop_id, kind).order_by(AuditEvent.at, AuditEvent.id)
    ).yield_per(500)
    for event, name in rows:
        yield _line(event, name)


def _line(event: AuditEvent, name: str | None) -> Line:
    what = ACTIONS.get(event.action)
    obj = OBJECTS.get(event.object_type)
    return Line(
        at=event.at,
        who=name or str(_l("sistema")),
        what=str(what) if what else event.action,
        on=f"{obj or event.object_type} {event.object_id or ''}".strip(),
        details=_details(event.details or {}),
    )


# The names of the details most actions record; others are shown by their code.
DETAILS = {
    "email": _l("e-mail"),
    "role": _l("ruolo"),
    "format": _l("formato"),
    "title": _l("titolo"),
    "sections": _l("sezioni"),
    "reason": _l("motivo"),
    "before": _l("prima"),
    "after": _l("dopo"),
    "name": _l("nome"),
    "file": _l("file"),
    "file_name": _l("file"),
    "version": _l("versione"),
    "what": _l("richiesta"),
    "count": _l("tentativi"),
    "images": _l("immagini"),
    "split_level": _l("livello di divisione"),
    "body": _l("testo"),
    "template": _l("modello"),
    "place": _l("luogo"),
    "starts_on": _l("dal"),
    "ends_on": _l("al"),
    "promoters": _l("promotori"),
    "time_zone": _l("fuso orario"),
    "institution": _l("ente"),
    "note": _l("nota"),
    "via": _l("tramite"),
    "room": _l("sala"),
    "start": _l("inizio"),
    "end": _l("fine"),
    "minutes": _l("minuti"),
}


# Values stored as codes, shown by their names (roles: "participant" → "Partecipante").
_VALUES: dict[str, Any] = {
    **{role.value: label for role, label in ROLE_LABELS.items()},
    **{status.value: label for status, label in COMMITMENT_STATUS_LABELS.items()},
    "institution_link": _l("link dell'ente"),
}


def _details(details: dict[str, Any]) -> str:
    return ", ".join(
        f"{DETAILS.get(key, key)}: {_VALUES.get(value, value) if isinstance(value, str) else value}"
        for key, value in details.items()
        if value is not None
    )


# Cells a spreadsheet would run as a formula (CSV injection, OWASP).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def csv_chunks(lines: Iterable[Line]) -> Iterator[str]:
    """UTF-8 with a byte-order mark and `;` between cells: what Excel in Italian opens
    with accents intact and one value per column."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_l("Data e ora"), _l("Chi"), _l("Azione"), _l("Oggetto"), _l("Dettagli")])
    yield "\ufeff" + buffer.getvalue()
    for line in lines:
        buffer.seek(0)
        buffer.truncate()
        cells = [format_datetime(line.at, "dd/MM/y HH:mm:ss"), line.who, line.what, line.on]
        writer.writerow([safe_cell(str(cell)) for cell in [*cells, line.details]])
        yield buffer.getvalue()
