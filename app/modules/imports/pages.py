"""What the preview shows of each section before anything is saved: its title and
level, its length, and its first lines rendered exactly as the document page will."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from app.core import outline
from app.core.import_plan import Analysis
from app.core.importing import rewrite_images, without_orphan_notes
from app.modules.imports.conversion import MEDIA_REF
from app.modules.imports.services import Numbers
from app.web import rendering


@dataclass(frozen=True)
class PreviewSection:
    number: str  # Tavolo's, as the document page will show it; empty when the file numbers
    title: str
    level: int
    words: int
    html: Markup
    more: bool


def preview_sections(analysis: Analysis, level: int, numbers: Numbers) -> list[PreviewSection]:
    sections = []
    label = _("immagine")
    tavolo = numbers is Numbers.TAVOLO and bool(analysis.example)
    glimpses = analysis.glimpses[level][tavolo]
    tree = outline.build([(g.title, g.level) for g in glimpses], tavolo or not analysis.example)
    for index, (glimpse, entry) in enumerate(zip(glimpses, tree.entries, strict=True)):
        # The images have no address until the document exists: their description
        # stands in for them here.
        text = rewrite_images(
            glimpse.excerpt,
            lambda alt, src: f"*({label}: {alt})*" if src.startswith(MEDIA_REF) else None,
        )
        text = without_orphan_notes(text)
        sections.append(
            PreviewSection(
                number=entry.number,
                title=glimpse.title,
                level=glimpse.level,
                words=glimpse.words,
                html=rendering.markdown(text, prefix=f"anteprima{index}", heading_level=3),
                more=glimpse.more,
            )
        )
    return sections


def sections_by_level(analysis: Analysis) -> dict[int, int]:
    return {level: len(by_numbering[False]) for level, by_numbering in analysis.glimpses.items()}
