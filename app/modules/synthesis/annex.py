"""The sources of a synthesis in its export: as an annex, for every passage taken from a
lab, the lab, its section, the version it came from and the words, so that the
institutions can check that the synthesis is faithful to the labs; and, when asked, as
a note at the foot of the page after each passage, naming where it comes from."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.export import escape_markdown
from app.core.footnotes import BodyNote
from app.core.provenance import SourceState
from app.modules.documents.models import Document
from app.modules.exports.annexes import AnnexProvider
from app.modules.exports.annexes import register as register_annex
from app.modules.exports.notes import NoteProvider, NotesBySection
from app.modules.exports.notes import register as register_notes
from app.modules.synthesis.models import PulledPassage
from app.modules.synthesis.services import PassageView, passages_of, pulled_in, synthesis_of

# A passage is quoted in the annex up to this many characters: the annex points to the
# lab's text, it does not copy it again.
QUOTE_CHARS = 300


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) > QUOTE_CHARS:
        flat = flat[: QUOTE_CHARS - 1].rstrip() + "…"
    return escape_markdown(flat)


def _block(number: int, view: PassageView) -> str:
    passage = view.passage
    origin = _(
        "dal laboratorio «%(lab)s», sezione «%(section)s»",
        lab=escape_markdown(passage.source_document_title),
        section=escape_markdown(passage.source_section_title),
    )
    if passage.source_version_name:
        origin += ", " + _(
            "dopo la versione «%(name)s»", name=escape_markdown(passage.source_version_name)
        )
    origin += ", " + _("revisione %(seq)d", seq=passage.source_seq)
    lines = [
        f"**{_('Fonte %(n)d', n=number)}** · "
        f"{_('in «%(section)s»', section=escape_markdown(passage.section.title))}, {origin}",
        "",
        f"> {_quote(passage.source_quote)}",
    ]
    if view.check.state is SourceState.CHANGED:
        lines += ["", _("Il laboratorio ha modificato questo passaggio dopo l'inserimento.")]
    elif view.check.state is SourceState.LOST:
        lines += ["", _("Il passaggio non si trova più nel testo del laboratorio.")]
    return "\n".join(lines)


def sources_markdown(document: Document) -> str | None:
    """None for a document that is not a synthesis, or one with nothing pulled yet.
    A passage deleted from the synthesis since is no source of its text."""
    if synthesis_of(document) is None:
        return None
    views = [view for view in passages_of(document) if view.in_synthesis]
    if not views:
        return None
    return "\n\n".join(_block(n, view) for n, view in enumerate(views, start=1)) + "\n"


register_annex(
    AnnexProvider(
        key="sources",
        label=_l("Fonti della sintesi"),
        title=lambda: _("Fonti della sintesi"),
        build=sources_markdown,
    )
)


def _note(passage: PulledPassage) -> str:
    """Plain text: the exporter escapes it."""
    names = {"lab": passage.source_document_title, "section": passage.source_section_title}
    if passage.source_version_name:
        return _(
            "Fonte: %(lab)s – «%(section)s», versione «%(version)s»",
            version=passage.source_version_name,
            **names,
        )
    return _("Fonte: %(lab)s – «%(section)s», revisione %(seq)d", seq=passage.source_seq, **names)


def source_notes(document: Document, _version: str | None) -> NotesBySection:
    """A note for every passage pulled into the synthesis, on its words there. The
    exporter looks for them in the text it exports (the live one or a saved version),
    and words deleted or rewritten there since get no call."""
    found: dict[int, list[BodyNote]] = {}
    for passage in pulled_in(document):
        if passage.anchor is not None:
            found.setdefault(passage.section_id, []).append(
                BodyNote(passage.anchor, _note(passage))
            )
    return found


register_notes(
    NoteProvider(
        key="sources",
        label=_l("Riferimenti alle fonti in nota"),
        offered=lambda document: synthesis_of(document) is not None,
        build=source_notes,
    )
)
