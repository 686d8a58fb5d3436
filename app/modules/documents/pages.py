"""What a page needs to show a document: sections numbered and nested, their text
rendered, their word counts measured against their limits. Shared by the members'
page and the public one, so both number and render the text in exactly the same way.

Each part a page shows for everyone alike is rendered once and kept
(app/web/fragments.py) under a key naming what it shows: a section's text by its hash,
so that a new revision shows at once and an unchanged section is not rendered again;
the published text by the state of its sections in the database, so that its readers
cost no rendering at all. Nothing here is computed before a page asks for it: a kept
part needs neither the Markdown nor the word count of its section."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from flask import Flask, current_app
from markupsafe import Markup

from app.core import lifecycle, outline
from app.core.permissions import DocumentStatus
from app.core.render import placeholders_in_html
from app.core.words import limit_status
from app.extensions import db
from app.modules.amendments.models import Amendment
from app.modules.comments.models import Comment
from app.modules.documents.models import Document, Section
from app.modules.revisions.models import RejectedEdit
from app.modules.votes.models import VoteRound
from app.modules.workshops.models import Workshop
from app.web import rendering
from app.web.blocking import in_background, let_others_run

if TYPE_CHECKING:
    from app.web.access import Access


@dataclass(frozen=True)
class SectionView:
    section: Section
    number: str
    depth: int
    first: bool
    last: bool
    public: bool = False

    @property
    def heading_level(self) -> int:
        """h2 for a top-level section: the document title is the h1."""
        return min(6, self.depth + 1)

    @cached_property
    def html(self) -> Markup:
        return rendering.markdown(
            self.section.body,
            f"s{self.section.id}",
            self.heading_level,
            document_id=self.section.document_id,
        )

    @cached_property
    def guidance_html(self) -> Markup:
        """Empty on the public page: guidance is for writers only."""
        if self.public or not self.section.guidance:
            return Markup("")
        return rendering.markdown(
            self.section.guidance,
            f"g{self.section.id}",
            self.heading_level,
            document_id=self.section.document_id,
        )

    @cached_property
    def words(self) -> int:
        return self.section.word_count

    @property
    def limit_status(self) -> str:
        """See app.core.words.limit_status."""
        return limit_status(self.words, self.section.word_limit)

    @cached_property
    def _shown(self) -> tuple[Hashable, ...]:
        """Everything of the section and its document that its parts show."""
        section = self.section
        return (
            section.id,
            section.document_id,
            _digest(section.body),
            "" if self.public else _digest(section.guidance),
            section.title,
            section.level,
            self.number,
            self.depth,
            section.state.value,
            section.word_limit,
            section.word_limit_hard,
            section.document.status.value,
            self.public,
        )

    def key(self, part: str) -> tuple[Hashable, ...]:
        """The key of one of the section's parts in a page (its title and text, its
        line in the outline…), named by the page's template."""
        return (part, *self._shown)


@dataclass
class NavNode:
    view: SectionView
    children: list[NavNode] = field(default_factory=list)


class DocumentPage:
    def __init__(self, document: Document, public: bool = False) -> None:
        """`public` leaves out everything meant for writers only (guidance)."""
        self.document = document
        self.public = public
        archived = document.workshop.archived
        # An archived workshop's documents change in nothing, status included.
        self.structure_editable = lifecycle.structure_editable(document.status) and not archived
        self.next_statuses: tuple[DocumentStatus, ...] = (
            () if archived else lifecycle.next_statuses(document.status)
        )

    @cached_property
    def _tree(self) -> outline.Outline:
        return self.document.outline()

    @cached_property
    def sections(self) -> list[SectionView]:
        sections = list(self.document.sections)
        return [
            SectionView(
                section=section,
                number=entry.number,
                depth=entry.depth,
                first=i == 0,
                last=i == len(sections) - 1,
                public=self.public,
            )
            for i, (section, entry) in enumerate(zip(sections, self._tree.entries, strict=True))
        ]

    @cached_property
    def nav(self) -> list[NavNode]:
        return [_nav(entry, self.sections) for entry in self._tree.roots]

    def outline_key(self) -> tuple[Hashable, ...]:
        """The side navigation shows every section's number, title, state and words."""
        return ("outline", self.document.id, tuple(v.key("outline") for v in self.sections))

    def published_key(self, part: str) -> tuple[Hashable, ...]:
        """A part of the public page: a published text changes in nothing, so its
        publication and the sections' state in the database name it, without reading
        a single text."""
        return (part, *self._published)

    @cached_property
    def _published(self) -> tuple[Hashable, ...]:
        document = self.document
        return (
            document.id,
            document.status.value,
            document.published_at,
            document.numbered,
            *document.sections_stamp(),
        )


def document_page(document: Document, public: bool = False) -> DocumentPage:
    return DocumentPage(document, public)


def render_ahead(app: Flask, document_ids: Collection[int] | None = None) -> None:
    """Renders in the background the Markdown of these documents (after a start: of all
    that people may open, newest first). At 9:00 forty people open the 100-page plan at
    once, and the first of them would otherwise wait for every section's first
    rendering, one after another (measured with the 100-page plan, forty at once: p99
    1.7 s for the first opening without this, 1.1 s with it). A section at a time,
    yielding to live edits and pages between two; it stops when half of the renderer's
    cache is full, so it never pushes out what readers asked for."""
    if app.config["RENDER_AHEAD"]:
        in_background(render_documents, app, document_ids)


def render_documents(app: Flask, document_ids: Collection[int] | None = None) -> None:
    """The work of `render_ahead`, in the caller's thread."""
    with app.app_context():
        documents = (
            document_ids
            or db.session.scalars(
                db.select(Document.id)
                .join(Workshop)
                .where(Workshop.archived_at.is_(None))
                .order_by(Document.id.desc())
            ).all()
        )
        db.session.remove()
    for document_id in documents:
        with app.app_context():
            try:
                if not _rendered(document_id):
                    return
            except Exception:  # a page renders what is missing anyway; the server goes on
                app.logger.exception("document %s not rendered ahead", document_id)
            finally:
                db.session.remove()


def _rendered(document_id: int) -> bool:
    """Whether there is room for more after this document."""
    renderer = current_app.extensions["tavolo.render"]
    room = current_app.config["RENDER_CACHE_BYTES"] // 2
    document = db.session.get(Document, document_id)
    if document is None:
        return True
    for view in document_page(document).sections:
        if renderer.cached_bytes() > room:
            return False
        _ = view.html, view.guidance_html
        let_others_run()
    return True


@dataclass(frozen=True)
class MemberParts:
    """The keys of the parts of the members' page that depend on the reader only by
    their role: each section's discussion (comments, amendments, votes) and its line in
    the facilitators' overview while it is empty, and the facilitators' controls. A
    section with any discussion, or a form that came back with its errors, is rendered
    for its reader every time."""

    document: Document
    quiet: frozenset[int]
    role: tuple[str, bool]
    bound: frozenset[str]

    def discussion(self, view: SectionView) -> tuple[Hashable, ...] | None:
        section, document = view.section, self.document
        if section.id not in self.quiet:
            return None
        return (
            "discussion",
            section.id,
            section.title,
            section.state.value,
            view.first,
            document.status.value,
            document.workshop.archived,
            *self.role,
        )

    def summary(self, section: Section) -> tuple[Hashable, ...] | None:
        """The section's line in the facilitators' overview of the discussion."""
        return ("summary", section.id, section.title) if section.id in self.quiet else None

    def controls(self, view: SectionView) -> tuple[Hashable, ...] | None:
        section = view.section
        forms = {f"{name}{section.id}" for name in ("edit", "move", "state", "delete")}
        if forms & self.bound:
            return None
        return (
            "controls",
            section.id,
            section.title,
            _digest(section.guidance),
            section.word_limit,
            section.word_limit_hard,
            section.state.value,
            view.first,
            view.last,
            *self.role,
        )


def member_parts(document: Document, access: Access, bound: Collection[str]) -> MemberParts:
    return MemberParts(
        document=document,
        quiet=frozenset(s.id for s in document.sections) - _discussed(document.id),
        role=(access.role.value, access.leads),
        bound=frozenset(bound),
    )


def _discussed(document_id: int) -> set[int]:
    """The document's sections with any comment, amendment, vote or text typed after
    a lock, asked once for the whole page rather than once per section and table."""
    ids = db.select(Section.id).where(Section.document_id == document_id)
    unsettled = RejectedEdit.settled_at.is_(None)
    query = db.union(
        db.select(Comment.section_id).where(Comment.section_id.in_(ids)),
        db.select(Amendment.section_id).where(Amendment.section_id.in_(ids)),
        db.select(VoteRound.section_id).where(VoteRound.section_id.in_(ids)),
        db.select(RejectedEdit.section_id).where(RejectedEdit.section_id.in_(ids), unsettled),
    )
    return set(db.session.scalars(query))


def preview_html(section: Section, text: str) -> Markup:
    """The text a writer is typing, rendered exactly as the page and the export will
    render it once saved: same renderer, same heading level under the section title."""
    sections = section.document.sections
    depth = outline.depths([s.level for s in sections])[sections.index(section)]
    return rendering.markdown(
        text, f"p{section.id}", min(6, depth + 1), document_id=section.document_id
    )


def template_hints(document: Document) -> dict[int, list[str]]:
    """The template's hints left in each section, read off the HTML the document page
    shows (kept by the renderer's cache, and made by a worker when a text is long), so
    that the checklist before freezing parses no text on the server's loop."""
    return {
        section.id: placeholders_in_html(
            rendering.markdown(
                section.body, f"s{section.id}", min(6, entry.depth + 1), document_id=document.id
            )
        )
        for section, entry in zip(document.sections, document.outline().entries, strict=True)
    }


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _nav(entry: outline.Entry, views: list[SectionView]) -> NavNode:
    return NavNode(
        view=views[entry.index], children=[_nav(child, views) for child in entry.children]
    )
