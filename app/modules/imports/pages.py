"""What the preview shows of each section before anything is saved: its title and
level, its length, and its first lines rendered exactly as the document page will."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup

from app.core import outline
from app.core.importing import excerpt, rewrite_images
from app.core.words import count_words
from app.modules.imports.conversion import MEDIA_REF
from app.modules.imports.services import LEVELS, Numbers, final_sections, plan
from app.web import rendering


@dataclass(frozen=True)
class PreviewSection:
    number: str  # Tavolo's, as the document page will show it; empty when the file numbers
    title: str
    level: int
    words: int
    html: Markup
    more: bool


def preview_sections(markdown: str, level: int, numbers: Numbers) -> list[PreviewSection]:
    sections = []
    label = _("immagine")
    parts, numbered = final_sections(markdown, level, numbers)
    tree = outline.build([(part.title, part.level) for part in parts], numbered)
    for index, (part, entry) in enumerate(zip(parts, tree.entries, strict=True)):
        text, more = excerpt(part.body)
        # The images have no address until the document exists: their description
        # stands in for them here.
        text = rewrite_images(
            text,
            lambda alt, src: f"*({label}: {alt})*" if src.startswith(MEDIA_REF) else None,
        )
        text = _without_orphan_notes(text)
        sections.append(
            PreviewSection(
                number=entry.number,
                title=part.title,
                level=part.level,
                words=count_words(part.body),
                html=rendering.markdown(text, prefix=f"anteprima{index}", heading_level=3),
                more=more,
            )
        )
    return sections


_NOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")


def _without_orphan_notes(text: str) -> str:
    """A note whose text lies beyond the excerpt would show as a bare "[^1]"."""
    return _NOTE_REF.sub(lambda m: m.group(0) if f"[^{m.group(1)}]:" in text else "", text)


def sections_by_level(markdown: str) -> dict[int, int]:
    return {level: len(plan(markdown, level)) for level in LEVELS}
