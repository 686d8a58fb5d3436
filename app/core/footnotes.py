"""Notes attached to words of a section when the document is exported (the source of a
passage pulled from a lab, for one): a call right after the words and the note at the
foot of the page, as pandoc's `[^label]` and markdown-it's footnotes read it, so that the
PDF, the DOCX and the ODT each make it a footnote of their own kind.

The text is Markdown typed by people, so a call cannot go just anywhere: inside a code
span it would be text, right after a link's closing bracket it would turn the link into
text, after a table row's last bar it would be dropped, in a heading it would reach the
index. The call goes right after the words when a space or a punctuation mark follows
them; else at the end of their last line of running text (of a paragraph, a list item, a
table cell); else at the end of an earlier line of theirs. Lines the PDF's renderer and
pandoc read differently (a definition read as text, a table's row without bars) take no
call. The text is then read again as every page reads it (app/core/render.py), and once
more without markdown-it's inline notes "^[…]", which pandoc does not have: a place that
changes anything but the added calls is given up for the next one, and words with no
such place, or no longer in the text, get no call. A text without notes, or where none
could be placed, is returned as it was, byte for byte."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise
from typing import Any

from markdown_it.token import Token

from app.core.anchoring import Anchor, locate
from app.core.render import escape_markdown, markdown_tokens

# Between a closing bracket and the call: "[voce][^1]" would be a link to the label
# "^1" (the link "[voce]" lost). Invisible, and it keeps the call on the line of its
# word. After a caret no call goes at all: "^[^1]" is a note written inline to the PDF's
# renderer, and pandoc opens a superscript on a caret followed by anything but a space.
WORD_JOINER = "\u2060"
# The call goes right after the words when they end on a letter, a digit or a mark
# that ends a phrase, and a space or such a mark follows. Anywhere else (inside a word,
# a code span, an address, a pair of braces pandoc reads as attributes) it goes to the
# end of the line.
_ENDS_WORD = frozenset(",;.!?)»\"'’")
_ENDS_PHRASE = frozenset(",;.!?)»")
# Places tried for one note; each try reads the section again.
TRIES = 4
LABEL = "tavolo-nota"
_OURS = re.compile(rf"\[\^{LABEL}(\d*)-", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_RUNNING = {"paragraph_open": False, "th_open": True, "td_open": True}
# A line that opens like a note's text or a link's definition ("[^1]: …", "[sito]: …"):
# markdown-it may read it as running text (a lazy line of a quote, a table's row) where
# pandoc reads a definition, and a call there would be a note in a note, or lost.
_DEFINITION_LINE = re.compile(r"[\s>]*(?:[-+*]\s+|\d{1,9}[.)]\s+)?\[[^\]]*\]:")

Shape = list[tuple[object, ...]]


@dataclass(frozen=True)
class BodyNote:
    """A note on words of a section, added when the document is exported: the words as
    an anchor (app/core/anchoring.py), found again in the text exported, and what the
    note says, in plain text. Never part of the text, nor of its seal."""

    anchor: Anchor
    text: str

    def as_dict(self) -> dict[str, Any]:
        """For the export worker, which places the notes (`annotate` reads the text
        again, which may cost seconds for some shapes of it)."""
        return {**asdict(self.anchor), "text": self.text}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BodyNote:
        anchor = Anchor(
            str(data["quote"]), str(data["prefix"]), str(data["suffix"]), int(data["start"])
        )
        return cls(anchor, str(data["text"]))


@dataclass(frozen=True)
class _Call:
    position: int  # in the text as it was
    label: str
    glue: str = ""


def annotate(body: str, notes: Sequence[BodyNote]) -> str:
    """`body` with a call after the words of each note still found in it, and the notes
    (escaped: a lab's title is never read as Markdown) after its last paragraph."""
    texts = [" ".join(note.text.split()) for note in notes]
    wanted = [(note, text) for note, text in zip(notes, texts, strict=True) if text]
    if not wanted:
        return body
    labels = _labels(body, len(wanted))
    tokens = markdown_tokens(body)
    reading = _Reading(body, tokens)
    options: dict[str, list[_Call]] = {}
    words: dict[str, str] = {}
    for (note, text), label in zip(wanted, labels, strict=True):
        span = locate(note.anchor, body)
        places = reading.places(*span) if span else []
        if places:
            options[label] = [_Call(p, label, glue) for p, glue in places][:TRIES]
            words[label] = text
    if not options:
        return body
    chosen = _Trial(body, tokens, set(labels), words).best(options)
    return _written(body, chosen, words, [c.label for c in chosen]) if chosen else body


class _Trial:
    """Places tried against the text as it was read, by the PDF's renderer and as
    pandoc reads it (DOCX, ODT): the two disagree on "^[", a note to markdown-it."""

    def __init__(
        self, body: str, tokens: list[Token], ours: set[str], words: dict[str, str]
    ) -> None:
        self.body, self.ours, self.words = body, ours, words
        self.shapes = [_shape(tokens, ours)[0], _shape(markdown_tokens(body, False), ours)[0]]

    def best(self, options: dict[str, list[_Call]]) -> list[_Call]:
        """Each note's first place, all at once (one more reading of the text, as a rule);
        else, note after note, the first place that changes nothing else."""
        first = [tried[0] for tried in options.values()]
        if self.fits(first, list(options)):
            return first
        if not self.fits([], list(options)):
            # The notes themselves cannot follow this text (it ends in a code block never
            # closed, which would take them in).
            return []
        chosen: list[_Call] = []
        for tried in options.values():
            for call in tried:
                if self.fits([*chosen, call], [c.label for c in [*chosen, call]]):
                    chosen.append(call)
                    break
        return chosen

    def fits(self, calls: list[_Call], defined: Sequence[str]) -> bool:
        shapes, placed = self._shapes(_written(self.body, calls, self.words, defined))
        wanted = sorted(c.label for c in calls)
        return shapes == self.shapes and all(sorted(p) == wanted for p in placed)

    def _shapes(self, text: str) -> tuple[list[Shape], list[list[str]]]:
        read = [_shape(markdown_tokens(text, inline), self.ours) for inline in (True, False)]
        return [shape for shape, _ in read], [calls for _, calls in read]


def _labels(body: str, count: int) -> list[str]:
    """Labels no note of the writers uses (pandoc matches them ignoring case): ours are
    "tavolo-nota-1", "-2"..., or "tavolo-nota1-1"... when a writer took the first
    stem, and so on; one reading of the text, however many stems are taken."""
    taken = {match.group(1) for match in _OURS.finditer(body)}
    n = 0
    while (str(n) if n else "") in taken:
        n += 1
    return [f"{LABEL}{n or ''}-{i}" for i in range(1, count + 1)]


def _written(
    body: str, calls: Sequence[_Call], words: dict[str, str], defined: Sequence[str]
) -> str:
    """Calls inserted from the last, so that each position still points into the
    original text; two calls at one place keep the order of their notes."""
    text = body
    for call in reversed(sorted(calls, key=lambda c: c.position)):
        p = call.position
        text = f"{text[:p]}{call.glue}[^{call.label}]{text[p:]}"
    if not defined:
        return text
    definitions = "\n\n".join(f"[^{label}]: {escape_markdown(words[label])}" for label in defined)
    ending = "\n" if text.endswith(("\n", "\r")) else "\n\n"
    return f"{text}{ending}{definitions}\n"


class _Reading:
    """The lines of a text, and which of them are running text (a paragraph's, or a
    table row's), as the renderer read it."""

    def __init__(self, body: str, tokens: list[Token]) -> None:
        self.body = body
        breaks = list(_LINE_BREAK.finditer(body))
        self.starts = [0, *(m.end() for m in breaks)]
        self.ends = [*(m.start() for m in breaks), len(body)]
        self.running: dict[int, bool] = {}  # line → in a table
        for before, token in pairwise(tokens):
            if token.type == "footnote_block_open":
                break  # the writers' own notes: a call there would be a note in a note
            if token.type == "inline" and token.map and before.type in _RUNNING:
                for line in range(*token.map):
                    self._note_running(line, _RUNNING[before.type])

    def _note_running(self, line: int, in_table: bool) -> None:
        """Lines the two readings may take apart are left out: one that opens like a
        definition, and a table's row without a bar, which ends the table for pandoc
        (and may be a heading's underline there)."""
        start, end = self.starts[line], self.ends[line]
        if _DEFINITION_LINE.match(self.body, start, end):
            return
        if in_table and "|" not in self.body[start:end]:
            return
        self.running[line] = in_table

    def places(self, start: int, end: int) -> list[tuple[int, str]]:
        """Where a call may go for the words at [start, end), best first, each with
        what goes before it."""
        while end > start and self.body[end - 1].isspace():
            end -= 1
        if end == start:
            return []
        first, last = self._line_of(start), self._line_of(end - 1)
        found: list[int] = []
        if last in self.running:
            line_end = self._content_end(last)
            if end < line_end and self._ends_phrase(end):
                found.append(self._unescaped(end))
            found.append(line_end)
        earlier = next((n for n in range(last - 1, first - 1, -1) if n in self.running), None)
        if earlier is not None:
            found.append(self._content_end(earlier))
        return [
            (p, WORD_JOINER if p and self.body[p - 1] == "]" else "")
            for p in dict.fromkeys(found)
            if not (p and self.body[p - 1] == "^")
        ]

    def _line_of(self, position: int) -> int:
        return bisect_right(self.starts, position) - 1

    def _ends_phrase(self, end: int) -> bool:
        after, before = self.body[end], self.body[end - 1]
        if after in ".-" and after == before:
            return False  # inside "..." or "--", which pandoc turns into one sign
        if not (before.isalnum() or before in _ENDS_WORD):
            return False
        return after.isspace() or after in _ENDS_PHRASE

    def _content_end(self, line: int) -> int:
        """The end of the line's words: before spaces that make a line break, before
        the bar that closes a table row, before a backslash that would escape the call."""
        start, p = self.starts[line], self.ends[line]
        p = self._before_spaces(start, p)
        if self.running[line] and p > start and self.body[p - 1] == "|" and not self._odd(p - 1):
            p = self._before_spaces(start, p - 1)
        return self._unescaped(p)

    def _before_spaces(self, start: int, p: int) -> int:
        while p > start and self.body[p - 1] in " \t":
            p -= 1
        return p

    def _unescaped(self, p: int) -> int:
        return p - 1 if self._odd(p) else p

    def _odd(self, p: int) -> bool:
        """Whether an odd run of backslashes ends at `p`: the next character is escaped."""
        run = 0
        while p - run > 0 and self.body[p - run - 1] == "\\":
            run += 1
        return run % 2 == 1


def _shape(tokens: list[Token], ours: set[str]) -> tuple[Shape, list[str]]:
    """What the renderer makes of a text, without the calls and notes labelled `ours`
    (returned apart): two texts of the same shape render alike but for those. Adjacent
    pieces of text count as one, and the writers' notes by their labels, since calls
    placed before them change their numbers."""
    shape: Shape = []
    calls: list[str] = []
    skipping = False
    for token in _flat(tokens):
        kind = token.type
        label = token.meta.get("label") if token.meta else None
        if skipping:
            skipping = kind != "footnote_close"
        elif kind == "footnote_ref" and label in ours:
            calls.append(str(label))
        elif kind == "footnote_open" and label in ours:
            skipping = True
        elif kind in ("footnote_block_open", "footnote_block_close"):
            continue
        elif kind == "text":
            content = token.content.replace(WORD_JOINER, "")
            if shape and shape[-1][0] == "text":
                shape[-1] = ("text", f"{shape[-1][1]}{content}")
            else:
                shape.append(("text", content))
        else:
            attrs = tuple(sorted((k, str(v)) for k, v in token.attrs.items()))
            content = "" if kind == "inline" else token.content
            shape.append((kind, token.tag, token.nesting, attrs, content, token.info, label))
    return [piece for piece in shape if piece != ("text", "")], calls


def _flat(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _flat(token.children)
