"""What the synthesis's page shows beside and under its sections: the labs' texts to
pull from, with what the synthesis already uses of them marked, and each section's
pulled passages with the state of their source. Built once per page, so that every
lab's text is read once however many passages it gave."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.diff import word_diff
from app.core.permissions import DocumentStatus
from app.core.provenance import SourceState
from app.modules.documents.models import Document, Section
from app.modules.history.services import MarkedChunk
from app.modules.port import current_text
from app.modules.synthesis import services
from app.modules.synthesis.models import PulledPassage, Synthesis


@dataclass(frozen=True)
class Piece:
    """A stretch of a lab's text, used by the synthesis or not."""

    text: str
    used: bool


@dataclass(frozen=True)
class SourceSection:
    section: Section
    text: str
    pieces: list[Piece]


@dataclass(frozen=True)
class SourceLab:
    document: Document
    sections: list[SourceSection]


@dataclass(frozen=True)
class Provenance:
    """A pulled passage as its section's list shows it."""

    view: services.PassageView
    # The lab's words then against its words now, when the lab changed them.
    diff: list[MarkedChunk] | None

    @property
    def passage(self) -> PulledPassage:
        return self.view.passage

    @property
    def state(self) -> SourceState:
        return self.view.check.state


@dataclass
class SynthesisPage:
    synthesis: Synthesis
    labs: list[SourceLab]
    # Whether this person may pull and update: they moderate the synthesis, and it is
    # still a draft of a running workshop.
    may_pull: bool
    # Its labs' version (services.sources_version) read before their texts: the page
    # asks for it every few seconds and redraws the labs' texts when it moves.
    version: str
    # The synthesis's section the last pull went to, chosen again in every form.
    target_id: int | None = None
    passages: dict[int, list[Provenance]] = field(default_factory=dict)

    def of(self, section: Section) -> list[Provenance]:
        return self.passages.get(section.id, [])

    @property
    def document(self) -> Document:
        return self.synthesis.document


def synthesis_page(
    document: Document, may_moderate: bool, target_id: int | None = None
) -> SynthesisPage | None:
    """None for a document that is not a synthesis."""
    synthesis = services.synthesis_of(document)
    if synthesis is None:
        return None
    version = services.sources_version(document) or ""
    views = services.passages_of(document)
    page = SynthesisPage(
        synthesis=synthesis,
        labs=_labs(synthesis, views),
        may_pull=may_moderate
        and document.status is DocumentStatus.DRAFT
        and not document.workshop.archived,
        version=version,
        target_id=target_id,
    )
    for view in views:
        diff = None
        if view.check.state is SourceState.CHANGED and view.check.current is not None:
            chunks = word_diff(view.passage.source_quote, view.check.current)
            diff = [MarkedChunk(c.op, c.text) for c in chunks]
        page.passages.setdefault(view.passage.section_id, []).append(Provenance(view, diff))
    return page


def marks(document: Document) -> list[dict[str, object]] | None:
    """The pulled passages as the synthesis's editor marks them (static/src/editor/
    pulled.js): the words each left in the synthesis, which the editor looks for in its
    live text, and what hovering them tells. None for a document that is not a
    synthesis."""
    if services.synthesis_of(document) is None:
        return None
    out: list[dict[str, object]] = []
    for view in services.passages_of(document):
        passage = view.passage
        if not passage.anchor_quote:
            continue
        out.append(
            {
                "id": passage.id,
                "section_id": passage.section_id,
                "quote": passage.anchor_quote,
                "start": passage.anchor_start,
                "lab": passage.source_document.title
                if passage.source_document
                else passage.source_document_title,
                "section": passage.source_section.title
                if passage.source_section
                else passage.source_section_title,
                "version": passage.source_version_name,
                "state": view.check.state.value,
            }
        )
    return out


def _labs(synthesis: Synthesis, views: list[services.PassageView]) -> list[SourceLab]:
    used: dict[int, list[tuple[int, int]]] = {}
    for view in views:
        section_id = view.passage.source_section_id
        if section_id is not None and view.in_synthesis and view.check.span is not None:
            used.setdefault(section_id, []).append(view.check.span)
    labs = []
    for lab in synthesis.sources:
        sections = []
        for section in lab.sections:
            text = current_text(section.id)
            sections.append(SourceSection(section, text, pieces(text, used.get(section.id, []))))
        labs.append(SourceLab(lab, sections))
    return labs


def pieces(text: str, spans: list[tuple[int, int]]) -> list[Piece]:
    """The text cut at the ends of the used spans (which may overlap), in order: joined
    again, the pieces are the text exactly, so that a selection in the page counts
    characters of the lab's text."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        start, end = max(0, start), min(len(text), end)
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        if start > at:
            out.append(Piece(text[at:start], False))
        out.append(Piece(text[start:end], True))
        at = end
    if at < len(text):
        out.append(Piece(text[at:], False))
    return out
