"""Building a synthesis from its labs: creating it with its headings, pulling a lab's
section or passage into one of its sections, telling which pulled passages their labs
changed since, updating them in one step, and showing which of a lab's paragraphs the
synthesis uses. The rules of anchoring and following passages are in
app/core/provenance; the texts are read and written through the live layer, so that
people typing in the synthesis or in a lab meanwhile lose nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core import provenance
from app.core.anchoring import Anchor, anchor_at, locate
from app.core.permissions import DocumentStatus, SectionState
from app.core.provenance import Paragraph, SourceCheck, SourceState
from app.extensions import db
from app.modules.audit.services import record
from app.modules.documents import services as documents
from app.modules.documents.models import Document, Section
from app.modules.history.services import latest_version
from app.modules.people.models import Person
from app.modules.port import SectionTooLong, current_text, write_text
from app.modules.revisions.models import SectionUpdate
from app.modules.synthesis.models import PulledPassage, Synthesis, synthesis_source
from app.modules.timeutil import utcnow
from app.modules.workshops.models import Workshop

# The headings of the Case della Comunità's synthesis; the facilitator may change them.
DEFAULT_HEADINGS = (
    _l("Punti di forza"),
    _l("Criticità"),
    _l("Proposte"),
    _l("Buone pratiche"),
)
HEADINGS_MAX = 30
ORIGIN = "synthesis"


class SynthesisError(Exception):
    """A request about a synthesis that cannot be carried out; the message is for people."""


def synthesis_of(document: Document) -> Synthesis | None:
    return db.session.get(Synthesis, document.id)


def syntheses_in(workshop: Workshop) -> set[int]:
    """The ids of the workshop's documents that are syntheses."""
    return set(
        db.session.scalars(
            db.select(Synthesis.document_id)
            .join(Document, Document.id == Synthesis.document_id)
            .where(Document.workshop_id == workshop.id)
        )
    )


def sources_version(document: Document) -> str | None:
    """What the synthesis's page asks every few seconds to learn that a lab's text
    changed: its labs, their sections in order with their titles, and the last update
    of each section's live log, which moves with every keystroke stored (its stored text
    follows a moment later). One query, whatever the number of labs; None for a
    document that is not a synthesis."""
    latest = (
        db.select(db.func.max(SectionUpdate.seq))
        .where(SectionUpdate.section_id == Section.id)
        .correlate(Section)
        .scalar_subquery()
    )
    rows = db.session.execute(
        db.select(Document.id, Document.title, Section.id, Section.title, latest)
        .select_from(Synthesis)
        .outerjoin(synthesis_source, synthesis_source.c.synthesis_id == Synthesis.document_id)
        .outerjoin(Document, Document.id == synthesis_source.c.document_id)
        .outerjoin(Section, Section.document_id == Document.id)
        .where(Synthesis.document_id == document.id)
        .order_by(Document.id, Section.position, Section.id)
    ).all()
    if not rows:
        return None
    seen = "|".join(":".join(str(value) for value in row) for row in rows)
    return hashlib.blake2b(seen.encode(), digest_size=12).hexdigest()


def labs_of(workshop: Workshop) -> list[Document]:
    """What a synthesis may start from: the workshop's documents that are not
    syntheses themselves."""
    syntheses = syntheses_in(workshop)
    return [document for document in workshop.documents if document.id not in syntheses]


def create(
    actor: Person,
    workshop: Workshop,
    title: str,
    sources: Sequence[Document],
    headings: Sequence[str],
) -> Synthesis:
    headings = [" ".join(h.split()) for h in headings if h.strip()]
    if not sources:
        raise SynthesisError(_("Scegli almeno un laboratorio da cui partire."))
    if any(source.workshop_id != workshop.id for source in sources):
        raise SynthesisError(_("Si parte solo dai documenti di questo tavolo."))
    if not headings:
        raise SynthesisError(_("Scrivi almeno un titolo di sezione, uno per riga."))
    if len(headings) > HEADINGS_MAX:
        raise SynthesisError(_("Al massimo %(n)d sezioni.", n=HEADINGS_MAX))
    # The first heading renames the new document's first section, which no check sees.
    if any(len(heading) > documents.TITLE_MAX for heading in headings):
        raise SynthesisError(
            _("Un titolo di sezione supera i %(n)d caratteri.", n=documents.TITLE_MAX)
        )
    try:
        document = documents.create_document(actor, workshop, title)
        [first] = document.sections
        first.title = headings[0]
        for heading in headings[1:]:
            documents.add_section(actor, document, heading, first.level)
    except documents.DocumentError as error:
        raise SynthesisError(str(error)) from error
    synthesis = Synthesis(document=document, sources=list(sources))
    db.session.add(synthesis)
    db.session.flush()
    record(
        actor.id,
        "synthesis.created",
        document,
        workshop.id,
        sources=[source.title for source in sources],
    )
    return synthesis


def pull(
    actor: Person,
    target: Section,
    source: Section,
    span: tuple[int, int] | None = None,
    quote: str | None = None,
) -> PulledPassage:
    """Puts a lab's section (or the passage `span` of it, in characters of its text)
    at the end of a section of the synthesis, as a paragraph of its own. `quote`: the
    words the person selected at `span`, on a page that may be older than the lab's
    text; where someone has written before them since, they are found again, so that
    the words pulled are the words chosen."""
    synthesis = synthesis_of(target.document)
    if synthesis is None:
        raise SynthesisError(_("Si inserisce soltanto in un documento di sintesi."))
    if source.document not in synthesis.sources:
        raise SynthesisError(_("Questo documento non è tra i laboratori della sintesi."))
    _require_writable(target)
    text = current_text(source.id)
    start, end = span if span is not None else _whole(text)
    if span is not None and quote:
        start, end = _found_again(text, quote, start)
    if not 0 <= start < end <= len(text) or not text[start:end].strip():
        raise SynthesisError(
            _("Il passaggio scelto non è più nel testo del laboratorio: selezionalo di nuovo.")
        )
    start, end = _trimmed(text, start, end)
    passage = _passage(actor, target, source, text, start, end)
    placed: list[provenance.Placed] = []

    def put(current: str) -> str:
        placed.append(provenance.append(current, text[start:end]))
        return placed[-1].text

    _write(actor, target, put, passage.id)
    _place(passage, placed[-1].anchor)
    record(
        actor.id,
        "synthesis.pulled",
        passage,
        target.document.workshop_id,
        source=f"{source.document.title} · {source.title}",
        section=target.title,
    )
    return passage


@dataclass(frozen=True)
class PassageView:
    passage: PulledPassage
    check: SourceCheck
    # Whether its words are still found in the synthesis: someone may have deleted or
    # rewritten them there, and a lab's words no longer in it are not used by it.
    in_synthesis: bool = True

    @property
    def changed(self) -> bool:
        return self.check.state is SourceState.CHANGED


def passages_of(document: Document) -> list[PassageView]:
    """Every passage of the synthesis with the state of its source, in the order of
    the synthesis's sections."""
    texts: dict[int, str] = {}
    own: dict[int, str] = {}
    return [
        PassageView(row, _check(row, texts), _in_synthesis(row, own)) for row in pulled_in(document)
    ]


def pulled_in(document: Document) -> list[PulledPassage]:
    """The passages pulled into the synthesis, in the order of its sections, then of
    pulling; nothing read of any text."""
    ids = [section.id for section in document.sections]
    rows = list(
        db.session.scalars(
            db.select(PulledPassage)
            .where(PulledPassage.section_id.in_(ids))
            .order_by(PulledPassage.pulled_at, PulledPassage.id)
        )
    )
    order = {section_id: i for i, section_id in enumerate(ids)}
    rows.sort(key=lambda p: order[p.section_id])
    return rows


def update(actor: Person, passage: PulledPassage) -> PulledPassage:
    """Brings the lab's words of now into the synthesis, where the passage is now."""
    _require_writable(passage.section)
    view = PassageView(passage, _check(passage, {}))
    if view.check.state is SourceState.LOST:
        raise SynthesisError(
            _("Il passaggio non c'è più nel laboratorio: resta com'era nella sintesi.")
        )
    if view.check.state is SourceState.SAME or passage.anchor is None:
        return passage
    source = passage.source_section
    text = current_text(source.id) if source is not None else None
    check = provenance.check_source(
        passage.source_anchor, passage.source_quote, text, passage.source_then
    )
    if source is None or text is None or check.span is None or check.current is None:
        raise SynthesisError(
            _("Il passaggio non c'è più nel laboratorio: resta com'era nella sintesi.")
        )
    newer = check.current
    placed: list[provenance.Placed] = []

    def swap(current: str) -> str:
        found = provenance.replace(current, passage.anchor, newer)  # type: ignore[arg-type]
        if found is None:
            raise SynthesisError(
                _(
                    "Il passaggio non si trova più nella sintesi: qualcuno lo ha cancellato "
                    "o riscritto. Inseriscilo di nuovo dal laboratorio."
                )
            )
        placed.append(found)
        return found.text

    _write(actor, passage.section, swap, passage.id)
    _follow_source(passage, source, text, *check.span)
    _place(passage, placed[-1].anchor)
    passage.updated_at = utcnow()
    record(actor.id, "synthesis.updated", passage, passage.section.document.workshop_id)
    return passage


@dataclass(frozen=True)
class Coverage:
    """A lab's section, its paragraphs marked used by the synthesis or not."""

    section: Section
    text: str
    paragraphs: list[Paragraph]

    @property
    def unused(self) -> int:
        return sum(1 for p in self.paragraphs if not p.used)


@dataclass(frozen=True)
class LabCoverage:
    lab: Document
    sections: list[Coverage]

    @property
    def paragraphs(self) -> int:
        return sum(len(c.paragraphs) for c in self.sections)

    @property
    def unused(self) -> int:
        return sum(c.unused for c in self.sections)


def coverage_of(synthesis: Synthesis) -> list[LabCoverage]:
    """Every lab of the synthesis, its passages checked once for all of them."""
    views = passages_of(synthesis.document)
    return [LabCoverage(lab, coverage(synthesis, lab, views)) for lab in synthesis.sources]


def coverage(
    synthesis: Synthesis, lab: Document, views: list[PassageView] | None = None
) -> list[Coverage]:
    """A passage pulled and then deleted from the synthesis uses nothing: counting it
    would hide the very paragraphs coverage is there to show. `views`: the synthesis's
    passages, when already checked."""
    used: dict[int, list[tuple[int, int]]] = {}
    for view in passages_of(synthesis.document) if views is None else views:
        row = view.passage
        if row.source_document_id != lab.id or row.source_section_id is None:
            continue
        if not view.in_synthesis:
            continue
        if view.check.span is not None:
            used.setdefault(row.source_section_id, []).append(view.check.span)
    return [
        Coverage(section, text, provenance.paragraphs(text, used.get(section.id, [])))
        for section in lab.sections
        if (text := current_text(section.id)).strip()
    ]


def _check(passage: PulledPassage, texts: dict[int, str]) -> SourceCheck:
    """`texts`: the labs' texts read so far, each read once however many passages it
    gave."""
    section_id = passage.source_section_id
    text = None
    if section_id is not None:
        text = texts[section_id] = texts.get(section_id) or current_text(section_id)
    return provenance.check_source(
        passage.source_anchor, passage.source_quote, text, passage.source_then
    )


def _in_synthesis(passage: PulledPassage, texts: dict[int, str]) -> bool:
    """`texts`: the synthesis's sections read so far."""
    anchor = passage.anchor
    if anchor is None:
        return False
    if passage.section_id not in texts:
        texts[passage.section_id] = current_text(passage.section_id)
    return locate(anchor, texts[passage.section_id]) is not None


def _whole(text: str) -> tuple[int, int]:
    return 0, len(text)


def _found_again(text: str, quote: str, start: int) -> tuple[int, int]:
    """Where the selected words are now: at `start` still, or the occurrence nearest to
    it; (0, 0), which nothing can be pulled from, when they are no longer there (the
    lab rewrote them: the person selects again rather than pulling other words)."""
    if text[start : start + len(quote)] == quote:
        return start, start + len(quote)
    found = []
    position = text.find(quote)
    while position != -1:
        found.append(position)
        position = text.find(quote, position + 1)
    if not found:
        return 0, 0
    nearest = min(found, key=lambda p: abs(p - start))
    return nearest, nearest + len(quote)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """Without the blank lines and spaces a selection drags along at its ends."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _require_writable(section: Section) -> None:
    if section.document.status is not DocumentStatus.DRAFT or section.document.workshop.archived:
        raise SynthesisError(_("La sintesi non è più in bozza: non si inseriscono passaggi."))
    if section.state is not SectionState.OPEN:
        raise SynthesisError(
            _("La sezione «%(title)s» della sintesi è bloccata: aprila prima.", title=section.title)
        )


def _passage(
    actor: Person, target: Section, source: Section, text: str, start: int, end: int
) -> PulledPassage:
    version = latest_version(source.document)
    passage = PulledPassage(
        section=target,
        source_document=source.document,
        source_section=source,
        source_document_title=source.document.title,
        source_section_title=source.title,
        source_version_name=version.name if version else None,
        pulled_by=actor,
    )
    _follow_source(passage, source, text, start, end)
    db.session.add(passage)
    db.session.flush()
    return passage


def _follow_source(
    passage: PulledPassage, source: Section, text: str, start: int, end: int
) -> None:
    anchor = anchor_at(text, start, end)
    passage.source_quote, passage.source_prefix = anchor.quote, anchor.prefix
    passage.source_suffix, passage.source_start = anchor.suffix, anchor.start
    passage.source_then = text
    passage.source_seq = (
        db.session.scalar(db.select(Section.body_seq).where(Section.id == source.id)) or 0
    )


def _place(passage: PulledPassage, anchor: Anchor) -> None:
    passage.anchor_quote, passage.anchor_prefix = anchor.quote, anchor.prefix
    passage.anchor_suffix, passage.anchor_start = anchor.suffix, anchor.start


def _write(actor: Person, section: Section, change, passage_id: int) -> None:  # type: ignore[no-untyped-def]
    try:
        write_text(actor, section, change, ORIGIN, passage_id)
    except SectionTooLong as error:
        raise SynthesisError(str(error)) from error
