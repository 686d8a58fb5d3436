"""Documents and the structure of their sections. The text inside a section belongs to
live co-editing; here a document is created (blank or from a template), its sections
are added, renamed, moved, removed, opened, locked or approved, and the document goes
from draft to frozen to published. Every change leaves an audit event."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from app.core import checklist, lifecycle
from app.core.doc_templates import Catalogue, DocTemplate, load_catalogue
from app.core.outline import MAX_LEVEL
from app.core.permissions import DocumentStatus, SectionState
from app.core.render import slugify
from app.core.words import count_words
from app.extensions import db
from app.modules.amendments.models import Amendment, AmendmentStatus
from app.modules.audit.services import record
from app.modules.comments.models import Comment
from app.modules.documents.models import Document, Section
from app.modules.exports.services import seal
from app.modules.history import services as history
from app.modules.people.models import Person
from app.modules.timeutil import utcnow
from app.modules.votes.models import VoteRound
from app.modules.workshops.models import Workshop

# Digits only, and few enough to fit a database integer.
_ID = re.compile(r"^[0-9]{1,18}$")
TITLE_MAX = 300
SUBTITLE_MAX = 500
GUIDANCE_MAX = 5000
WORD_LIMIT_MAX = 20000


class DocumentError(Exception):
    """A request about documents that cannot be carried out; the message is for people."""


def templates_catalogue() -> Catalogue:
    """Read at every use: a template dropped into the directory is offered at once,
    without restarting the laptop in the middle of the workshop."""
    catalogue = load_catalogue(Path(current_app.config["DOCUMENT_TEMPLATES_DIR"]))
    for problem in catalogue.problems.values():
        current_app.logger.warning("Document template not usable: %s", problem)
    return catalogue


def create_document(
    actor: Person | None,
    workshop: Workshop,
    title: str,
    template_name: str | None = None,
    *,
    subtitle: str = "",
) -> Document:
    title, subtitle = title.strip(), subtitle.strip()
    _check_title(title)
    if len(subtitle) > SUBTITLE_MAX:
        raise DocumentError(_("Il sottotitolo supera i %(n)d caratteri.", n=SUBTITLE_MAX))
    template = _template(template_name) if template_name else None
    document = Document(
        workshop=workshop,
        title=title,
        subtitle=subtitle or (template.subtitle if template else ""),
        language=template.language if template else "it",
        template_name=template.name if template else None,
    )
    db.session.add(document)
    if template:
        for position, part in enumerate(template.sections):
            document.sections.append(
                Section(
                    position=position,
                    title=part.title,
                    level=part.level,
                    body=part.body,
                    guidance=part.guidance,
                    word_limit=part.word_limit,
                )
            )
    else:
        # A blank document still opens on a section people can write in.
        document.sections.append(Section(position=0, title=_("Introduzione")))
    db.session.flush()
    record(_id(actor), "document.created", document, workshop.id, template=document.template_name)
    return document


def _template(name: str) -> DocTemplate:
    catalogue = templates_catalogue()
    template = catalogue.get(name)
    if template is not None:
        return template
    if name in catalogue.problems:
        raise DocumentError(
            _(
                "Il modello «%(name)s» non si può usare: %(problem)s",
                name=name,
                problem=catalogue.problems[name],
            )
        )
    raise DocumentError(
        _(
            "Il modello «%(name)s» non esiste. Modelli disponibili: %(names)s.",
            name=name,
            names=", ".join(catalogue.names) or _("nessuno"),
        )
    )


def add_section(actor: Person, document: Document, title: str, level: int) -> Section:
    _require_draft(document)
    title = title.strip()
    _check_title(title)
    _check_level(level)
    section = Section(position=len(document.sections), title=title, level=level)
    document.sections.append(section)
    db.session.flush()
    record(_id(actor), "section.added", section, document.workshop_id, title=title, level=level)
    return section


def update_section(
    actor: Person,
    section: Section,
    title: str,
    guidance: str,
    word_limit: int | None,
    hard_limit: bool = False,
) -> Section:
    _require_draft(section.document)
    title = title.strip()
    _check_title(title)
    if len(guidance) > GUIDANCE_MAX:
        raise DocumentError(_("Le indicazioni superano i %(n)d caratteri.", n=GUIDANCE_MAX))
    if word_limit is not None and not 1 <= word_limit <= WORD_LIMIT_MAX:
        raise DocumentError(
            _("Il limite di parole va da 1 a %(n)d, oppure si lascia vuoto.", n=WORD_LIMIT_MAX)
        )
    before = {
        "title": section.title,
        "word_limit": section.word_limit,
        "word_limit_hard": section.word_limit_hard,
    }
    section.title, section.guidance, section.word_limit = title, guidance.strip(), word_limit
    section.word_limit_hard = hard_limit and word_limit is not None
    record(
        _id(actor),
        "section.updated",
        section,
        section.document.workshop_id,
        before=before,
        title=title,
        word_limit=word_limit,
        word_limit_hard=section.word_limit_hard,
    )
    return section


def move_section(actor: Person, section: Section, direction: str) -> Section:
    document = section.document
    _require_draft(document)
    if direction not in ("up", "down"):
        raise DocumentError(_("Si può spostare una sezione solo in su o in giù."))
    order = list(document.sections)
    index = order.index(section)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(order):
        raise DocumentError(
            _("La sezione è già la prima.")
            if direction == "up"
            else _("La sezione è già l'ultima.")
        )
    order[index], order[target] = order[target], order[index]
    _renumber(document, order)
    record(_id(actor), "section.moved", section, document.workshop_id, direction=direction)
    return section


def delete_section(actor: Person, section: Section) -> None:
    document = section.document
    _require_draft(document)
    if len(document.sections) <= 1:
        raise DocumentError(
            _("Un documento ha almeno una sezione: aggiungine un'altra prima di eliminare questa.")
        )
    record(
        _id(actor),
        "section.deleted",
        section,
        document.workshop_id,
        title=section.title,
        body=section.body,
    )
    document.sections.remove(section)
    _renumber(document, list(document.sections))
    db.session.flush()


def set_section_state(actor: Person | None, section: Section, state: SectionState) -> Section:
    _require_draft(section.document)
    if section.state is state:
        return section
    before = section.state
    section.state = state
    if before is SectionState.OPEN:
        # The text as it stood when the group stopped writing it.
        history.version_on_section_closed(actor, section)
    record(
        _id(actor),
        "section.state_changed",
        section,
        section.document.workshop_id,
        before=before.value,
        after=state.value,
    )
    return section


def set_status(actor: Person | None, document: Document, status: DocumentStatus) -> Document:
    if not lifecycle.can_move(document.status, status):
        raise DocumentError(
            _(
                "Questo passaggio non è consentito: un documento in bozza si congela, uno "
                "congelato torna in bozza o si pubblica, uno pubblicato resta com'è."
            )
        )
    before = document.status
    document.status = status
    if status is DocumentStatus.PUBLISHED:
        document.published_at = utcnow()
        document.slug = document.slug or _free_slug(document)
    history.version_on_status(actor, document)
    record(
        _id(actor),
        "document.status_changed",
        document,
        document.workshop_id,
        before=before.value,
        after=status.value,
    )
    if status is DocumentStatus.FROZEN:
        seal(actor, document)
    return document


def open_items(document: Document, hints: Mapping[int, Sequence[str]]) -> list[checklist.Item]:
    """What the room left open in the document, shown before it is frozen or published
    (app/core/checklist.py); `hints` are the template's hints left in each section, by
    section id, as the page reads them."""
    sections = list(document.sections)
    facts = [
        checklist.SectionFacts(
            anchor=f"sezione-{section.id}",
            title=section.title,
            words=count_words(section.body),
            word_limit=section.word_limit,
            placeholders=tuple(hints.get(section.id, ())),
        )
        for section in sections
    ]
    now = utcnow()
    rounds = db.session.scalars(
        db.select(VoteRound).where(
            VoteRound.document_id == document.id, VoteRound.closed_at.is_(None)
        )
    )
    in_document = [section.id for section in sections]
    pending = db.select(db.func.count(Amendment.id)).where(
        Amendment.section_id.in_(in_document), Amendment.status == AmendmentStatus.PENDING
    )
    unresolved = db.select(db.func.count(Comment.id)).where(
        Comment.section_id.in_(in_document),
        Comment.parent_id.is_(None),
        Comment.resolved_at.is_(None),
        Comment.hidden_at.is_(None),
    )
    return checklist.open_items(
        facts,
        open_votes=sum(1 for vote_round in rounds if vote_round.is_open(now)),
        pending_amendments=db.session.scalar(pending) or 0,
        open_comments=db.session.scalar(unresolved) or 0,
    )


def set_numbered(actor: Person | None, document: Document, numbered: bool) -> Document:
    """Tavolo's numbers on or off, for titles that carry their own. Only in a draft: a
    frozen text is sealed with its numbers."""
    if not lifecycle.structure_editable(document.status):
        raise DocumentError(_("La numerazione si cambia solo quando il documento è in bozza."))
    if document.numbered != numbered:
        document.numbered = numbered
        record(
            _id(actor),
            "document.numbering_changed",
            document,
            document.workshop_id,
            numbered=numbered,
        )
    return document


def published_document(ref: str) -> Document | None:
    """The public address accepts the id or the slug; anything not published is
    indistinguishable from a document that does not exist."""
    by_id = _ID.match(ref) is not None
    match = Document.id == int(ref) if by_id else Document.slug == ref
    return db.session.execute(
        db.select(Document).where(match, Document.status == DocumentStatus.PUBLISHED)
    ).scalar_one_or_none()


def _free_slug(document: Document) -> str:
    base = slugify(document.title, fallback="documento", max_length=100)
    # An all-digit slug would be read as an id by the public address.
    if base.isdigit():
        base = f"documento-{base}"
    candidate, n = base, 2
    while db.session.execute(
        db.select(Document.id).where(Document.slug == candidate, Document.id != document.id)
    ).first():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _renumber(document: Document, order: list[Section]) -> None:
    for position, section in enumerate(order):
        section.position = position
    document.sections[:] = order


def _require_draft(document: Document) -> None:
    if not lifecycle.structure_editable(document.status):
        if document.status is DocumentStatus.FROZEN:
            raise DocumentError(
                _("Il documento è congelato: riportalo in bozza per cambiare le sezioni.")
            )
        raise DocumentError(_("Il documento è pubblicato: le sue sezioni non si cambiano più."))


def _check_title(title: str) -> None:
    if not title:
        raise DocumentError(_("Il titolo non può essere vuoto."))
    if len(title) > TITLE_MAX:
        raise DocumentError(_("Il titolo supera i %(n)d caratteri.", n=TITLE_MAX))


def _check_level(level: int) -> None:
    if not 1 <= level <= MAX_LEVEL:
        raise DocumentError(_("Il livello va da 1 a %(n)d.", n=MAX_LEVEL))


def _id(actor: Person | None) -> int | None:
    return actor.id if actor else None
