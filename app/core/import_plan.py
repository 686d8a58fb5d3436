"""What a draft would become, worked out once for the preview: its title, whether its
headings carry numbers of their own, and the sections it gives at every split level
under either numbering; then, for the level and the numbering chosen, the sections
themselves.

Reading a draft parses its Markdown, and a hostile text (a megabyte of brackets) costs
the parser tens of seconds: the server runs these functions in a worker process with a
time and a memory limit (`app/modules/imports/planning.py`), never on its event loop,
so they take plain values and give plain values back."""

from __future__ import annotations

from dataclasses import dataclass, replace

from app.core.importing import excerpt
from app.core.numbering import NONE, Numbering, detect, without_number
from app.core.outline import MAX_LEVEL
from app.core.splitting import TITLE_MAX, SplitSection, heading_levels, read_draft, split_sections
from app.core.words import count_words

LEVELS = tuple(range(1, MAX_LEVEL + 1))


@dataclass(frozen=True)
class Labels:
    """Names for the sections the file does not name, in the reader's language."""

    intro: str  # the text above the first heading
    untitled: str  # a heading with no words
    initial: str  # the text above the first heading, when a chapter is called `intro`


@dataclass(frozen=True)
class Glimpse:
    """A section as the preview shows it, without its whole text."""

    title: str
    level: int
    words: int
    excerpt: str
    more: bool


@dataclass(frozen=True)
class Analysis:
    title: str | None  # the file's own title, None when it gives none
    markdown: str  # the text, without metadata and without the title line
    example: str  # a title numbered by the file, "" when the file numbers none
    # level → whether Tavolo numbers (the file's numbers leave the titles) → sections
    glimpses: dict[int, dict[bool, list[Glimpse]]]


def plan(
    markdown: str,
    level: int,
    labels: Labels,
    strip: Numbering = NONE,
    title_max: int = TITLE_MAX,
) -> list[SplitSection]:
    """The sections at `level`; the numbers `strip` finds leave their titles."""
    parts = split_sections(
        markdown, level, intro_title=labels.intro, untitled=labels.untitled, title_max=title_max
    )
    if strip:
        parts = [replace(p, title=without_number(strip, p.level, p.title)) for p in parts]
    # The text above the first heading is not called like a chapter of the file.
    cuts = sum(1 for heading_level, _title in heading_levels(markdown) if heading_level <= level)
    intro_kept = len(parts) > cuts
    if intro_kept and any(p.title.casefold() == labels.intro.casefold() for p in parts[1:]):
        parts[0] = replace(parts[0], title=labels.initial)
    return parts


def final_sections(
    markdown: str, level: int, tavolo: bool, labels: Labels, title_max: int = TITLE_MAX
) -> tuple[list[SplitSection], bool]:
    """The sections as they will be saved, and whether Tavolo numbers them: never both
    the file's numbers and Tavolo's."""
    found = detect(heading_levels(markdown))
    return plan(markdown, level, labels, found if tavolo else NONE, title_max), tavolo or not found


def analyse(
    markdown: str, known_title: str | None, labels: Labels, title_max: int = TITLE_MAX
) -> Analysis:
    draft = read_draft(markdown, known_title, title_max)
    found = detect(heading_levels(draft.markdown))
    glimpses = {
        level: {
            tavolo: [
                _glimpse(part) for part in plan(draft.markdown, level, labels, strip, title_max)
            ]
            for tavolo, strip in ((False, NONE), (True, found))
        }
        for level in LEVELS
    }
    return Analysis(draft.title, draft.markdown, found.example if found else "", glimpses)


def _glimpse(part: SplitSection) -> Glimpse:
    text, more = excerpt(part.body)
    return Glimpse(part.title, part.level, count_words(part.body), text, more)
