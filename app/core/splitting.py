"""From a draft's Markdown to a document: the title the file gives itself and the
sections its headings open, decided on plain text so that the rules can be tested
without a server.

Nothing written in the file is dropped on the way. A note follows the first section
that refers to it (converters put every note at the end of the text, where it would be
cut off from its reference); a note or a picture written in a heading stays in that
section's text; a heading too long to be a title is kept whole at the start of its text;
a title line that becomes the document's title leaves its notes where it stood.

Every token shape of the parser is expected here, including the ones hostile or broken
files produce: inline notes (`^[...]`, no label), notes defined twice (the last one
counts, as the renderer shows it) or never, references inside headings, tables and
other notes, setext headings over several lines, `{#id}` attributes that pandoc writes
after a title, and nesting deeper than the renderer follows."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from app.core.render import MAX_NESTING, use_notes

# The renderer's rules, with the notes left where they are written (a definition then
# keeps the lines it spans), and blocks followed deeper: past its limit the parser takes
# the rest of the text into the deepest list, and the headings after a list nested ten
# levels deep would open no section. A hundred is markdown-it's own default. Inline
# markup keeps the renderer's depth, which bounds what unclosed brackets cost.
BLOCK_NESTING = 100


def _parser(nesting: int) -> MarkdownIt:
    md = MarkdownIt("js-default", {"maxNesting": nesting}).enable(["table", "strikethrough"])
    return use_notes(md, move_to_end=False)


_INLINE = _parser(MAX_NESTING)


def _inline_at_render_depth(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline":
            token.children = []
            _INLINE.inline.parse(token.content, _INLINE, state.env, token.children)


_PARSER = _parser(BLOCK_NESTING)
_PARSER.core.ruler.at("inline", _inline_at_render_depth)
# Text above a title line: an institution's name or a logo, not a paragraph.
TEXT_ABOVE_TITLE = 200
# Metadata sits at the very top; beyond this it is not metadata but a runaway text.
FRONT_MATTER_MAX = 64 * 1024
# What pandoc and authors put in the metadata besides the title: text of the document,
# kept at its start. Other fields are settings for other programs (lang, toc, geometry).
FRONT_TEXT = ("subtitle", "author", "date", "abstract")
TITLE_MAX = 300
META_VALUES = 1000

_FRONT = re.compile(r"\A---[ \t]*\n(?P<yaml>(?:.*\n)*?)(?:---|\.\.\.)[ \t]*(?:\n|\Z)")
# pandoc writes `{#id}`, `{.class}`, `{-}` after a heading; none of it is the title.
_ATTRIBUTES = re.compile(r"\s*\{\s*(?:[#.][^{}]*|-|[\w-]+=[^{}]*)\}\s*$")


@dataclass(frozen=True)
class SplitSection:
    title: str
    level: int
    body: str


@dataclass(frozen=True)
class Draft:
    title: str | None  # the file's own title, None when it gives none
    markdown: str  # the text, without metadata and without the title line


@dataclass(frozen=True)
class _Heading:
    start: int  # first line
    end: int  # line after the last
    level: int  # as written, 1 to 6
    title: str  # plain text, attributes left out
    source: str  # the heading's own Markdown
    carried: str  # notes and pictures written in the heading, as Markdown


@dataclass(frozen=True)
class _Block:
    start: int
    end: int
    text: str
    carried: str


@dataclass(frozen=True)
class _Outline:
    headings: tuple[_Heading, ...]  # top-level: a heading in a quote or a list is text
    first: _Block | None  # the first block, when it is a paragraph or a heading
    notes: dict[str, tuple[int, int]]  # label → lines of the definition that counts
    first_use: dict[str, int]  # label → line of its first reference outside notes


# The preview reads one text at every level, and again on each visit: parsing a
# hundred pages once is enough.
@lru_cache(maxsize=8)
def _outline(markdown: str) -> _Outline:
    env: dict[str, Any] = {}
    tokens = _PARSER.parse(markdown, env)
    inline_notes: dict[int, Any] = env.get("footnotes", {}).get("list", {})
    headings: list[_Heading] = []
    notes: dict[str, tuple[int, int]] = {}
    first_use: dict[str, int] = {}
    first: _Block | None = None
    seen_block = False
    depth = 0  # inside note definitions: what is there moves with the note
    for index, token in enumerate(tokens):
        if token.type == "footnote_reference_open":
            label = token.meta.get("label")
            if depth == 0 and token.map and isinstance(label, str):
                notes[label] = (token.map[0], token.map[1])
            depth += 1
        elif token.type == "footnote_reference_close":
            depth = max(depth - 1, 0)
        if depth or token.type.startswith("footnote_reference"):
            continue
        inline = _inline_after(tokens, index)
        if not seen_block and token.level == 0 and token.map and token.nesting >= 0:
            seen_block = True
            if token.type in ("heading_open", "paragraph_open") and inline is not None:
                first = _Block(
                    token.map[0], token.map[1], _title_text(inline), _carried(inline, inline_notes)
                )
        if token.type == "heading_open" and token.level == 0 and token.map:
            headings.append(
                _Heading(
                    start=token.map[0],
                    end=token.map[1],
                    level=_heading_level(token.tag),
                    title=_title_text(inline),
                    source=inline.content.strip() if inline else "",
                    carried=_carried(inline, inline_notes),
                )
            )
        if token.type == "inline" and token.map:
            for child in _descendants(token.children):
                label = child.meta.get("label") if child.type == "footnote_ref" else None
                if isinstance(label, str):
                    first_use.setdefault(label, token.map[0])
    return _Outline(tuple(headings), first, notes, first_use)


def _inline_after(tokens: Sequence[Token], index: int) -> Token | None:
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return following if following is not None and following.type == "inline" else None


def _heading_level(tag: str) -> int:
    return int(tag[1]) if re.fullmatch(r"h[1-6]", tag) else 6


def _descendants(tokens: Iterable[Token] | None) -> Iterable[Token]:
    for token in tokens or ():
        yield token
        yield from _descendants(token.children)


def _plain(tokens: Iterable[Token] | None) -> str:
    """The words a reader sees: a line break is a space, a picture its description."""
    parts: list[str] = []
    for token in tokens or ():
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.children:
            parts.append(_plain(token.children))
    return "".join(parts)


def _title_text(inline: Token | None) -> str:
    text = " ".join(_plain(inline.children if inline else None).split())
    return _ATTRIBUTES.sub("", text)


def _carried(inline: Token | None, inline_notes: dict[int, Any]) -> str:
    """What a heading holds that a plain title cannot: its note references and its
    pictures, as Markdown for the text below it."""
    found: list[str] = []
    for token in _descendants(inline.children if inline else None):
        if token.type == "footnote_ref":
            label = token.meta.get("label")
            if isinstance(label, str):
                found.append(f"[^{label}]")
            else:
                content = inline_notes.get(token.meta.get("id", -1), {}).get("content")
                if isinstance(content, str):
                    found.append(f"^[{content}]")
        elif token.type == "image":
            found.append(_image_markdown(token))
    return " ".join(found)


def _image_markdown(token: Token) -> str:
    src = str(token.attrGet("src") or "")
    title = token.attrGet("title")
    quoted = ' "' + str(title).replace("\\", "\\\\").replace('"', '\\"') + '"' if title else ""
    return f"![{token.content}]({src}{quoted})"


def _normalised(markdown: str) -> str:
    return markdown.replace("\r\n", "\n").replace("\r", "\n")


# --- the document's title -------------------------------------------------------------


def read_draft(markdown: str, known_title: str | None = None, title_max: int = TITLE_MAX) -> Draft:
    """The title, in order: the metadata at the top of the text (a YAML `title:`, or
    what pandoc read from a paragraph in Word's Title style), `known_title` (the file's
    properties), else a title line: the first heading, above all the others by level
    and with only a line or two of text above it. Headings of the same level as the
    first are chapters, and the first chapter is not the title.

    A metadata title repeated as the first paragraph or heading is not kept twice; a
    title line leaves the sections, and the levels below it move up with
    `split_sections`. Subtitle, authors, date and abstract from the metadata open the
    text."""
    meta, body = front_matter(_normalised(markdown))
    title = _shortened(_meta_title(meta) or " ".join((known_title or "").split()), title_max)
    if title:
        body = _without_repeated_title(body, title)
    else:
        heading = _title_line(body, title_max)
        if heading is not None:
            title = heading.title
            body = _replaced(body, heading.start, heading.end, heading.carried)
    front = [text for key in FRONT_TEXT for text in _meta_texts(meta.get(key))]
    return Draft(title or None, "\n\n".join([*front, body.lstrip("\n")]) if front else body)


def front_matter(markdown: str) -> tuple[dict[str, Any], str]:
    """A YAML block at the very top that names at least one field of a document; any
    other text that starts with "---" is left as it is (a rule, a setext heading)."""
    match = _FRONT.match(markdown[:FRONT_MATTER_MAX])
    if match is None:
        return {}, markdown
    try:
        meta = yaml.safe_load(match.group("yaml"))
    # Whatever YAML's reader refuses (bad syntax, a date like 2025-13-45, nesting too
    # deep), the block is not metadata and stays text.
    except Exception:
        return {}, markdown
    if not isinstance(meta, dict) or not any(key in meta for key in ("title", *FRONT_TEXT)):
        return {}, markdown
    return meta, markdown[match.end() :]


def _meta_texts(value: Any) -> list[str]:
    """The texts of a metadata field, in order, looking at no more than META_VALUES
    values: YAML aliases let a few lines stand for billions of them, or for a list
    that contains itself."""
    found: list[str] = []
    stack, looked = [value], 0
    while stack and looked < META_VALUES:
        item = stack.pop()
        looked += 1
        if isinstance(item, list | tuple):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif item is not None and not isinstance(item, bool) and str(item).strip():
            found.append(str(item).strip())
    return found


def _meta_title(meta: dict[str, Any]) -> str:
    """Metadata is Markdown ("Piano \\*2025\\*"): the title is its plain text."""
    source = " ".join(_meta_texts(meta.get("title")))
    return " ".join(_plain(_INLINE.parseInline(source)[0].children).split()) if source else ""


def _shortened(title: str, title_max: int) -> str:
    if len(title) <= title_max:
        return title
    cut = title[: title_max - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip() + "…"


def _key(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def _without_repeated_title(markdown: str, title: str) -> str:
    first = _outline(markdown).first
    if first is None or not _key(first.text) or _key(first.text) != _key(title):
        return markdown
    return _replaced(markdown, first.start, first.end, first.carried)


def _title_line(markdown: str, title_max: int) -> _Heading | None:
    headings = _outline(markdown).headings
    if len(headings) < 2:
        return None
    first, rest = headings[0], headings[1:]
    if not first.title or len(first.title) > title_max:
        return None
    if any(heading.level <= first.level for heading in rest):
        return None
    above = "\n".join(markdown.split("\n")[: first.start])
    return first if len(above.strip()) <= TEXT_ABOVE_TITLE else None


def _replaced(markdown: str, start: int, end: int, replacement: str) -> str:
    """Lines `start` to `end` become `replacement`, a block of its own."""
    lines = markdown.split("\n")
    before, after = lines[:start], lines[end:]
    middle = [replacement] if replacement else []
    if middle and before and before[-1].strip():
        middle.insert(0, "")
    if middle and after and after[0].strip():
        middle.append("")
    return "\n".join([*before, *middle, *after])


# --- sections -------------------------------------------------------------------------


def heading_levels(markdown: str) -> list[tuple[int, str]]:
    """Every top-level heading as (level, title), the levels as `split_sections` gives
    them: the shallowest heading of the text is level 1."""
    headings = _outline(_normalised(markdown)).headings
    top = min((h.level for h in headings), default=1)
    return [(h.level - top + 1, h.title) for h in headings]


def split_sections(
    markdown: str, level: int, intro_title: str, untitled: str, title_max: int = TITLE_MAX
) -> list[SplitSection]:
    """Every heading of `level` or above opens a section; deeper headings stay in the
    body. Levels count from the shallowest heading of the text, so that a draft whose
    chapters are "##" (under a title line, or written so) splits at level 1. Text
    before the first such heading becomes a section called `intro_title`, so nothing
    written before the first heading is lost."""
    markdown = _normalised(markdown)
    lines = markdown.split("\n")
    outline = _outline(markdown)
    top = min((h.level for h in outline.headings), default=1)
    cuts = [h for h in outline.headings if h.level - top + 1 <= level]
    moved = {label: span for label, span in outline.notes.items() if label in outline.first_use}
    hidden = {n for start, end in moved.values() for n in range(start, end)}
    starts = [0, *(h.start for h in cuts)]
    ends = [*(h.start for h in cuts), len(lines)]
    sections: list[SplitSection] = []
    for index, (start, end) in enumerate(zip(starts, ends, strict=True)):
        body_from = start if index == 0 else cuts[index - 1].end
        body = "\n".join(
            line for n, line in enumerate(lines[body_from:end], body_from) if n not in hidden
        )
        notes = [
            "\n".join(lines[s:e]).strip("\n")
            for label, (s, e) in sorted(moved.items(), key=lambda m: outline.first_use[m[0]])
            if start <= outline.first_use[label] < end
        ]
        if index == 0:
            text = _joined("", body, notes)
            if text or not cuts:
                sections.append(SplitSection(intro_title, 1, text))
            continue
        heading = cuts[index - 1]
        if len(heading.title) > title_max:
            title, lead = _shortened(heading.title, title_max), heading.source
        else:
            title, lead = heading.title or untitled, heading.carried
        sections.append(SplitSection(title, heading.level - top + 1, _joined(lead, body, notes)))
    return sections


def _joined(lead: str, body: str, notes: list[str]) -> str:
    parts = (lead, body.strip("\n").rstrip(), *notes)
    return "\n\n".join(part for part in parts if part)
