"""The history of a document: named versions, comparisons between two points in time,
each section's revisions, restoring an earlier text, and who wrote what.

Services take the acting person and never read the request. Saving a version leaves
the commit to the caller; restoring goes through `write_text`, which commits itself,
because a restore is an edit like any other and must reach the open editors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event, func, or_
from sqlalchemy.orm import Session

from app.core import lifecycle
from app.core.authorship import Span, attribute, insertion_authors, word_counts
from app.core.colours import colour_for
from app.core.diff import Chunk, DocumentDiff, Op, SectionText, compare_documents, word_diff
from app.core.permissions import DocumentStatus, SectionState
from app.core.words import count_words
from app.extensions import db
from app.modules.audit.services import record
from app.modules.documents.models import Document, Section
from app.modules.history.models import Version, VersionReason, VersionSection
from app.modules.people.models import Membership, Person
from app.modules.port import (
    SectionTooLong,
    current_text,
    notify_document,
    section_too_long,
    settle_document,
    starting_text,
    write_text,
)
from app.modules.revisions.models import Revision
from app.web.blocking import off_the_event_loop

NAME_MAX = 200
# Documents with a version saved in the session's transaction, announced at its commit.
_SAVED = "history.versions_saved"
PAGE_SIZE = 40
# Revisions closer than this in time are shown together as one moment of writing.
MOMENT_GAP = dt.timedelta(minutes=15)
# Unchanged paragraphs shown on each side of a change in a comparison.
CONTEXT_LINES = 1


class HistoryError(Exception):
    """A request about the history that cannot be carried out; the message is for people."""


class NotFound(HistoryError):
    """The version or revision asked for does not exist."""


# -- Versions ---------------------------------------------------------------------------


def save_version(
    actor: Person | None,
    document: Document,
    name: str,
    reason: VersionReason = VersionReason.MANUAL,
) -> Version:
    """Copies every section's current title and text. Saving again under the same name
    with nothing changed returns the version already saved: a double click on a slow
    network must not fill the list with copies."""
    name = " ".join(name.split())
    if not name:
        raise HistoryError(_("Dai un nome alla versione, per esempio «dopo Abitare»."))
    if len(name) > NAME_MAX:
        raise HistoryError(_("Il nome supera i %(n)d caratteri.", n=NAME_MAX))
    texts = live_texts(document)
    latest = latest_version(document)
    if latest is not None and latest.name == name and version_texts(latest) == texts:
        return latest
    seqs = _last_seqs([t.id for t in texts])
    version = Version(
        document=document,
        name=name,
        reason=reason,
        created_by_id=actor.id if actor else None,
    )
    version.sections = [
        VersionSection(
            section_id=t.id,
            position=position,
            title=t.title,
            level=t.level,
            body=t.body,
            seq=seqs.get(t.id),
        )
        for position, t in enumerate(texts)
    ]
    db.session.add(version)
    db.session.flush()
    db.session.info.setdefault(_SAVED, set()).add(document.id)
    record(
        actor.id if actor else None,
        "version.saved",
        version,
        document.workshop_id,
        name=name,
        reason=reason.value,
    )
    return version


@event.listens_for(Session, "after_commit")
def _announce_versions(session: Session) -> None:
    """Open document pages refresh their count of versions (kind "versions"). Versions
    are also saved inside other features' services (a lock, a freeze), whose views
    commit: announcing at the commit itself reaches pages only with what was kept."""
    for document_id in session.info.pop(_SAVED, ()):
        notify_document(document_id, "versions")


@event.listens_for(Session, "after_rollback")
def _forget_versions(session: Session) -> None:
    session.info.pop(_SAVED, None)


def version_on_section_closed(actor: Person | None, section: Section) -> Version:
    name = (
        _("Sezione «%(title)s» approvata", title=section.title)
        if section.state is SectionState.APPROVED
        else _("Sezione «%(title)s» bloccata", title=section.title)
    )
    return save_version(actor, section.document, name, VersionReason.SECTION_LOCKED)


def version_on_status(actor: Person | None, document: Document) -> Version | None:
    if document.status is DocumentStatus.FROZEN:
        return save_version(actor, document, _("Documento congelato"), VersionReason.FROZEN)
    if document.status is DocumentStatus.PUBLISHED:
        return save_version(actor, document, _("Documento pubblicato"), VersionReason.PUBLISHED)
    return None


def versions(document: Document) -> list[Version]:
    return list(
        db.session.scalars(
            db.select(Version)
            .where(Version.document_id == document.id)
            .order_by(Version.created_at.desc(), Version.id.desc())
        )
    )


def version_count(document: Document) -> int:
    return (
        db.session.scalar(
            db.select(func.count(Version.id)).where(Version.document_id == document.id)
        )
        or 0
    )


def version_of(document: Document, version_id: int) -> Version:
    """Only a version of this very document: an id taken from another document's page
    is refused rather than compared with text it has nothing to do with."""
    version = db.session.get(Version, version_id) if 0 < version_id < 2**63 else None
    if version is None:
        raise NotFound(_("La versione %(id)d non esiste.", id=version_id))
    if version.document_id != document.id:
        raise HistoryError(_("La versione %(id)d appartiene a un altro documento.", id=version_id))
    return version


def live_texts(document: Document) -> list[SectionText]:
    """Every acknowledged keystroke included (which commits). Read from the database,
    not from objects the session may hold: the live editor writes `Section.body` with
    statements that do not refresh loaded objects."""
    settle_document(document.id)
    rows = db.session.execute(
        db.select(Section.id, Section.title, Section.level, Section.body)
        .where(Section.document_id == document.id)
        .order_by(Section.position)
    ).all()
    return [SectionText(r.id, r.title, r.level, r.body) for r in rows]


def version_texts(version: Version) -> list[SectionText]:
    return [SectionText(s.section_id, s.title, s.level, s.body) for s in version.sections]


def latest_version(document: Document) -> Version | None:
    return db.session.scalars(
        db.select(Version)
        .where(Version.document_id == document.id)
        .order_by(Version.created_at.desc(), Version.id.desc())
        .limit(1)
    ).first()


def _last_seqs(section_ids: Sequence[int]) -> dict[int, int]:
    """The update of the live log each section's stored text includes."""
    rows = db.session.execute(
        db.select(Section.id, Section.body_seq).where(Section.id.in_(section_ids))
    ).all()
    return {section_id: seq for section_id, seq in rows if seq}


# -- Comparisons ------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One side of a comparison: a saved version, or the live text (version None)."""

    version: Version | None
    texts: list[SectionText]

    def seq(self, section_id: int) -> int | None:
        """The update number the text of the section stood at; None for the live text."""
        if self.version is None:
            return None
        return next((s.seq for s in self.version.sections if s.section_id == section_id), None)


@dataclass(frozen=True)
class MarkedChunk:
    op: Op
    text: str
    authors: tuple[str, ...] = ()
    # Unchanged paragraphs left out here, far from any change (see `around_changes`).
    skipped: int = 0


def _context(lines: list[str]) -> int:
    """How many of `lines` to keep next to a change: the rest of the changed line, then
    CONTEXT_LINES paragraphs (blank lines between paragraphs do not count)."""
    kept, paragraphs = 1, 0
    while kept < len(lines) and paragraphs < CONTEXT_LINES:
        paragraphs += bool(lines[kept].strip())
        kept += 1
    return kept


def around_changes(chunks: Sequence[MarkedChunk]) -> list[MarkedChunk]:
    """The changes with a paragraph of unchanged text around each: what a group asking
    "what changed since this morning?" reads, instead of scrolling ninety pages for a
    hundred edits. Long unchanged stretches become a count of skipped paragraphs."""
    out: list[MarkedChunk] = []
    for index, chunk in enumerate(chunks):
        if chunk.op is not Op.EQUAL:
            out.append(chunk)
            continue
        lines = chunk.text.split("\n")
        keep_before = _context(lines) if index > 0 else 0
        keep_after = _context(lines[::-1]) if index < len(chunks) - 1 else 0
        hidden = lines[keep_before : len(lines) - keep_after]
        skipped = sum(1 for line in hidden if line.strip())
        if skipped < 2:
            out.append(chunk)
            continue
        head = "\n".join(lines[:keep_before])
        tail = "\n".join(lines[len(lines) - keep_after :])
        if head:
            out.append(MarkedChunk(Op.EQUAL, head + "\n"))
        out.append(MarkedChunk(Op.EQUAL, "", skipped=skipped))
        if tail:
            out.append(MarkedChunk(Op.EQUAL, "\n" + tail))
    return out


@dataclass(frozen=True)
class Comparison:
    old: Point
    new: Point
    diff: DocumentDiff
    chunks: dict[int, list[MarkedChunk]]  # per section id, with the authors of insertions


def point(document: Document, version_id: int | None) -> Point:
    if version_id is None:
        return Point(None, live_texts(document))
    version = version_of(document, version_id)
    return Point(version, version_texts(version))


def compare(old: Point, new: Point) -> Comparison:
    """Sections whose text is the same on both sides cost one comparison of strings;
    the authors of insertions are looked up in one query for all changed sections."""
    diff = off_the_event_loop(lambda: compare_documents(old.texts, new.texts))
    edited = {
        s.id: s
        for s in diff.sections
        if s.old is not None and s.new is not None and any(c.op is Op.INSERT for c in s.chunks)
    }
    states = _states_between({id_: (old.seq(id_), new.seq(id_)) for id_ in edited})
    credits = {
        id_: insertion_authors(s.chunks, [*states[id_], (None, s.new.body)], s.old.body)
        for id_, s in edited.items()
        if s.new is not None and s.old is not None and states.get(id_)
    }
    names = _names(credits.values())
    chunks = {s.id: mark_authors(s.chunks, credits.get(s.id, []), names) for s in diff.sections}
    return Comparison(old, new, diff, chunks)


def compare_revisions(section: Section, old: Revision, new: Revision) -> list[MarkedChunk]:
    chunks = word_diff(old.text, new.text)
    states = _states_between({section.id: (old.last_seq, new.last_seq)}).get(section.id)
    if not states:
        return mark_authors(chunks, [], {})
    credits = insertion_authors(chunks, [*states, (None, new.text)], old.text)
    return mark_authors(chunks, credits, _names([credits]))


def revision_of(section: Section, revision_id: int) -> Revision:
    revision = db.session.get(Revision, revision_id) if 0 < revision_id < 2**63 else None
    if revision is None:
        raise NotFound(_("La revisione %(id)d non esiste.", id=revision_id))
    if revision.section_id != section.id:
        raise HistoryError(_("La revisione %(id)d appartiene a un'altra sezione.", id=revision_id))
    return revision


def _states_between(
    bounds: dict[int, tuple[int | None, int | None]],
) -> dict[int, list[tuple[int | None, str]]]:
    """Per section, the revisions that ended between two points of its update log (None:
    no bound), oldest first: who typed what in between, replayed on the older text. The
    newer text closes the replay (see `compare`), so the credits always fit it even when
    a revision kept growing after the newer point was saved."""
    if not bounds:
        return {}
    conditions = []
    for section_id, (after, upto) in bounds.items():
        condition = Revision.section_id == section_id
        if after is not None:
            condition &= Revision.last_seq > after
        if upto is not None:
            condition &= Revision.last_seq <= upto
        conditions.append(condition)
    rows = db.session.execute(
        db.select(Revision.section_id, Revision.author_id, Revision.text)
        .where(or_(*conditions))
        .order_by(Revision.section_id, Revision.last_seq)
    )
    states: dict[int, list[tuple[int | None, str]]] = {}
    for row in rows:
        states.setdefault(row.section_id, []).append((row.author_id, row.text))
    return states


def mark_authors(
    chunks: Sequence[Chunk], credits: Sequence[tuple[int, ...]], names: dict[int, str]
) -> list[MarkedChunk]:
    """Each insertion with the names of the people credited with it (`credits`: one
    tuple of person ids per insertion, in order; missing ones name nobody)."""
    marked, inserted = [], 0
    for chunk in chunks:
        authors: tuple[str, ...] = ()
        if chunk.op is Op.INSERT:
            ids = credits[inserted] if inserted < len(credits) else ()
            authors = tuple(names.get(a, _("persona rimossa")) for a in ids)
            inserted += 1
        marked.append(MarkedChunk(chunk.op, chunk.text, authors))
    return marked


def _names(credits: Iterable[Iterable[tuple[int, ...]]]) -> dict[int, str]:
    ids = {person for group in credits for who in group for person in who}
    if not ids:
        return {}
    rows = db.session.execute(db.select(Person.id, Person.name).where(Person.id.in_(ids)))
    return {person_id: name for person_id, name in rows}


# -- A section's history --------------------------------------------------------------


# A revision's origin when a section got back an earlier text: "restored" has the
# restored revision's id as its source, "restored_version" the version's id.
RESTORED = "restored"
RESTORED_VERSION = "restored_version"


@dataclass(frozen=True)
class Entry:
    revision: Revision
    author: str
    organisation: str
    words: int
    words_delta: int | None  # None for the oldest revision of all
    previous_id: int | None
    newest: bool  # the text as it is now: nothing to restore
    # Where a restored text came from: the version's name, or when the revision ended.
    from_version: str | None = None
    from_revision: dt.datetime | None = None


@dataclass(frozen=True)
class Moment:
    """Revisions close together in time: one stretch of work on the section."""

    start: dt.datetime
    end: dt.datetime
    entries: list[Entry]

    @property
    def authors(self) -> list[str]:
        return list(dict.fromkeys(e.author for e in self.entries))


@dataclass(frozen=True)
class HistoryPage:
    moments: list[Moment]
    page: int
    pages: int
    total: int


def section_history(section: Section, page: int) -> HistoryPage:
    """Newest first, one page at a time; reads revisions (bursts), never the update log,
    so a section typed in all day opens as fast as a quiet one."""
    total = (
        db.session.scalar(
            db.select(func.count(Revision.id)).where(Revision.section_id == section.id)
        )
        or 0
    )
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    # One more than the page: the revision before the last one gives its word change.
    rows = list(
        db.session.scalars(
            db.select(Revision)
            .where(Revision.section_id == section.id)
            .order_by(Revision.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
    )
    people = _people(section.document.workshop_id)
    counts = [count_words(r.text) for r in rows]
    versions, revisions = _restore_sources(rows[:PAGE_SIZE])
    entries = [
        Entry(
            revision=r,
            author=people.get(r.author_id, ("", ""))[0] or _("Testo di partenza"),
            organisation=people.get(r.author_id, ("", ""))[1],
            words=counts[i],
            words_delta=counts[i] - counts[i + 1] if i + 1 < len(rows) else None,
            previous_id=rows[i + 1].id if i + 1 < len(rows) else None,
            newest=page == 1 and i == 0,
            from_version=versions.get(r.source_id) if r.origin == RESTORED_VERSION else None,
            from_revision=revisions.get(r.source_id) if r.origin == RESTORED else None,
        )
        for i, r in enumerate(rows[:PAGE_SIZE])
    ]
    return HistoryPage(_moments(entries), page, pages, total)


def _restore_sources(
    rows: Sequence[Revision],
) -> tuple[dict[int | None, str], dict[int | None, dt.datetime]]:
    """The names of the versions and the end times of the revisions that the restores
    on a page brought back, one query each."""
    version_ids = {r.source_id for r in rows if r.origin == RESTORED_VERSION}
    revision_ids = {r.source_id for r in rows if r.origin == RESTORED}
    names: dict[int | None, str] = {}
    times: dict[int | None, dt.datetime] = {}
    if version_ids:
        query = db.select(Version.id, Version.name).where(Version.id.in_(version_ids))
        names.update({r.id: r.name for r in db.session.execute(query)})
    if revision_ids:
        query = db.select(Revision.id, Revision.ended_at).where(Revision.id.in_(revision_ids))
        times.update({r.id: r.ended_at for r in db.session.execute(query)})
    return names, times


def _moments(entries: list[Entry]) -> list[Moment]:
    moments: list[Moment] = []
    for entry in entries:
        if moments and moments[-1].start - entry.revision.ended_at <= MOMENT_GAP:
            last = moments[-1]
            moments[-1] = Moment(entry.revision.started_at, last.end, [*last.entries, entry])
        else:
            moments.append(Moment(entry.revision.started_at, entry.revision.ended_at, [entry]))
    return moments


def _people(workshop_id: int) -> dict[int | None, tuple[str, str]]:
    """Name and organisation of everyone who may appear in a workshop's history,
    revoked members included: what they wrote stays theirs."""
    rows = db.session.execute(
        db.select(Person.id, Person.name, Membership.organisation)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.workshop_id == workshop_id)
    ).all()
    return {r.id: (r.name, r.organisation) for r in rows}


# -- Restore ----------------------------------------------------------------------------


def _require_storable(wanted: Sequence[VersionSection], current: dict[int, Section]) -> None:
    """A version saved before the section limit was lowered may hold a longer text: the
    whole restore is refused before any section is written."""
    limit = current_app.config["SECTION_MAX_BYTES"]
    for saved in wanted:
        size = len(saved.body.encode())
        if size > limit and size > len(current[saved.section_id].body.encode()):
            raise HistoryError(f"«{current[saved.section_id].title}»: " + section_too_long(limit))


def restore_revision(actor: Person, section: Section, revision: Revision) -> bool:
    """Writes the revision's text as a new change of the section: the history keeps
    everything in between, and restoring the revision before this one undoes it.
    Commits (through `write_text`); False when the text already was that."""
    _require_writable(section)
    try:
        changed = write_text(actor, section, revision.text, RESTORED, revision.id)
    except SectionTooLong as error:
        raise HistoryError(str(error)) from error
    if changed:
        record(
            actor.id,
            "section.restored",
            section,
            section.document.workshop_id,
            revision_id=revision.id,
        )
    return changed


def restore_version(actor: Person, document: Document, version: Version) -> list[SectionText]:
    """Every section present in both the document and the version gets the version's
    text back, each as a restore of its own naming the version as its source. Checked
    for all sections before any is written, so a refusal changes nothing. Titles and
    order are not restored: they are the structure, which facilitators change on the
    document page. Returns the sections whose text changed; the caller commits the
    audit record."""
    current = {s.id: s for s in document.sections}
    wanted = [s for s in version.sections if s.section_id in current]
    if not lifecycle.structure_editable(document.status):
        raise HistoryError(_frozen_message(document))
    blocked = [
        current[s.section_id].title
        for s in wanted
        if current[s.section_id].state is not SectionState.OPEN
        and current[s.section_id].body != s.body
    ]
    if blocked:
        raise HistoryError(
            _(
                "Queste sezioni sono bloccate o approvate: riaprile prima di ripristinare "
                "la versione. %(titles)s",
                titles=", ".join(f"«{t}»" for t in blocked),
            )
        )
    _require_storable(wanted, current)
    restored = []
    for saved in wanted:
        section = current[saved.section_id]
        if write_text(actor, section, saved.body, RESTORED_VERSION, version.id):
            restored.append(SectionText(section.id, section.title, section.level, saved.body))
    record(
        actor.id,
        "document.restored",
        document,
        document.workshop_id,
        version_id=version.id,
        sections=[s.id for s in restored],
    )
    return restored


def _require_writable(section: Section) -> None:
    document = section.document
    if not lifecycle.structure_editable(document.status):
        raise HistoryError(_frozen_message(document))
    if section.state is not SectionState.OPEN:
        raise HistoryError(
            _(
                "La sezione è bloccata o approvata: il suo testo è quello concordato. "
                "Riaprila prima di ripristinare un testo precedente."
            )
        )


def _frozen_message(document: Document) -> str:
    if document.status is DocumentStatus.FROZEN:
        return _("Il documento è congelato: riportalo in bozza per ripristinare un testo.")
    return _("Il documento è pubblicato: il suo testo non si cambia più.")


# -- Who wrote what -------------------------------------------------------------------


def authorship(section: Section) -> list[Span[int]]:
    """The section's current text, by author, replayed from its starting text through
    every revision."""
    # First: storing the text also stores the revisions of the last keystrokes.
    body = current_text(section.id)
    states = [
        (r.author_id, r.text)
        for r in db.session.execute(
            db.select(Revision.author_id, Revision.text)
            .where(Revision.section_id == section.id)
            .order_by(Revision.last_seq, Revision.id)
        )
    ]
    return attribute([*states, (None, body)], base=_starting_text(section, body, states))


def _starting_text(section: Section, body: str, states: list[tuple[int | None, str]]) -> str:
    """The text the section had before live editing. Without a log the section was never
    edited live."""
    start = starting_text(section.id)
    if start is None:
        return body if not states else ""
    return start


@dataclass(frozen=True)
class AuthorSpan:
    text: str
    author_id: int | None
    name: str
    colour: str


@dataclass(frozen=True)
class Writer:
    author_id: int | None
    name: str
    organisation: str
    colour: str
    words: int


@dataclass(frozen=True)
class AuthorshipPage:
    spans: list[AuthorSpan]
    writers: list[Writer]  # the legend: most words first, the starting text last


def authorship_page(section: Section) -> AuthorshipPage:
    spans = authorship(section)
    people = _people(section.document.workshop_id)
    start = _("Testo di partenza")

    def name(author: int | None) -> str:
        return start if author is None else people.get(author, (_("persona rimossa"), ""))[0]

    def colour(author: int | None) -> str:
        return "" if author is None else colour_for(author)

    writers = [
        Writer(author, name(author), people.get(author, ("", ""))[1], colour(author), n)
        for author, n in word_counts(spans).items()
    ]
    writers.sort(key=lambda w: (w.author_id is None, -w.words, w.name))
    return AuthorshipPage(
        [AuthorSpan(s.text, s.author, name(s.author), colour(s.author)) for s in spans],
        writers,
    )


@dataclass(frozen=True)
class Contributor:
    person_id: int
    name: str
    organisation: str
    category: str
    revisions: int
    words: int  # words of the current text that are theirs


def contributors(document: Document) -> list[Contributor]:
    """Everyone who wrote in the document, with their organisation, for the export's
    list of participants: most words first, then most revisions."""
    revisions: dict[int, int] = {
        author_id: n
        for author_id, n in db.session.execute(
            db.select(Revision.author_id, func.count(Revision.id))
            .join(Section, Section.id == Revision.section_id)
            .where(Section.document_id == document.id, Revision.author_id.is_not(None))
            .group_by(Revision.author_id)
        )
    }
    words: dict[int | None, int] = {}
    for section in document.sections:
        for author, n in word_counts(authorship(section)).items():
            words[author] = words.get(author, 0) + n
    rows = db.session.execute(
        db.select(Person.id, Person.name, Membership.organisation, Membership.category)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.workshop_id == document.workshop_id, Person.id.in_(revisions))
    ).all()
    found = [
        Contributor(r.id, r.name, r.organisation, r.category, revisions[r.id], words.get(r.id, 0))
        for r in rows
    ]
    return sorted(found, key=lambda c: (-c.words, -c.revisions, c.name))
