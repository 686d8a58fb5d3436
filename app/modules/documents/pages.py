"""What a page needs to show a document: sections numbered and nested, their text
rendered, their word counts measured against their limits. Shared by the members'
page and the public one, so both number and render the text in exactly the same way."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from app.core import lifecycle, outline
from app.core.permissions import DocumentStatus
from app.core.render import placeholders_in_html
from app.core.words import limit_status
from app.modules.documents.models import Document, Section
from app.web import rendering


@dataclass(frozen=True)
class SectionView:
    section: Section
    number: str
    heading_level: int  # h2 for a top-level section: the document title is the h1
    html: Markup
    guidance_html: Markup
    words: int
    limit_status: str  # see app.core.words.limit_status
    first: bool
    last: bool


@dataclass
class NavNode:
    view: SectionView
    children: list[NavNode] = field(default_factory=list)


@dataclass(frozen=True)
class DocumentPage:
    document: Document
    sections: list[SectionView]
    nav: list[NavNode]
    structure_editable: bool
    next_statuses: tuple[DocumentStatus, ...]


def document_page(document: Document, public: bool = False) -> DocumentPage:
    """`public` leaves out everything meant for writers only (guidance)."""
    sections = list(document.sections)
    archived = document.workshop.archived
    tree = document.outline()
    views = [
        _section_view(section, entry, public, first=i == 0, last=i == len(sections) - 1)
        for i, (section, entry) in enumerate(zip(sections, tree.entries, strict=True))
    ]
    return DocumentPage(
        document=document,
        sections=views,
        nav=[_nav(entry, views) for entry in tree.roots],
        # An archived workshop's documents change in nothing, status included.
        structure_editable=lifecycle.structure_editable(document.status) and not archived,
        next_statuses=() if archived else lifecycle.next_statuses(document.status),
    )


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


def _section_view(
    section: Section, entry: outline.Entry, public: bool, first: bool, last: bool
) -> SectionView:
    heading_level = min(6, entry.depth + 1)
    words = section.word_count
    return SectionView(
        section=section,
        number=entry.number,
        heading_level=heading_level,
        html=rendering.markdown(
            section.body, f"s{section.id}", heading_level, document_id=section.document_id
        ),
        guidance_html=Markup("")
        if public or not section.guidance
        else rendering.markdown(
            section.guidance, f"g{section.id}", heading_level, document_id=section.document_id
        ),
        words=words,
        limit_status=limit_status(words, section.word_limit),
        first=first,
        last=last,
    )


def _nav(entry: outline.Entry, views: list[SectionView]) -> NavNode:
    return NavNode(
        view=views[entry.index], children=[_nav(child, views) for child in entry.children]
    )
