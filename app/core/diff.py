"""Word-level differences between two texts, and between two versions of a document.

diff-match-patch compares characters; people compare words. A character diff of
"l'Azienda sanitaria" against "l'Azienda ospedaliera" marks "sanit" and "ospedal" as
changed and "aria" as kept, which nobody can read. So each text is cut into tokens
(words, numbers, runs of spaces, single marks of punctuation), every distinct token is
given one character, and diff-match-patch diffs those characters, exactly as its own
line mode does with lines: a token is either kept, inserted or deleted, never split."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from diff_match_patch import diff_match_patch

from app.core.words import count_words

# The default timeout (1 s) silently degrades to "delete everything, insert everything"
# on a long text; a history diff must be exact, and the token alphabet keeps it fast.
DIFF_TIMEOUT_SECONDS = 10.0

_COMBINING = "\u0300-\u036f\u1ab0-\u1aff\u20d0-\u20ff\ufe20-\ufe2f"
# An emoji keeps its skin tone, variation selector and joined parts ("👩‍⚕️").
_MODIFIERS = "\ufe0e\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
_TOKEN = re.compile(
    # Words and numbers: letters, digits and accents, joined by inner hyphens, dots or
    # commas ("socio-sanitario", "1.000,50"), with a trailing elision apostrophe
    # ("dell'" in "dell'Azienda", as Italian readers and Word count words).
    rf"(?:[^\W_]|[{_COMBINING}])+(?:[-.,/](?:[^\W_]|[{_COMBINING}])+)*['’]?"
    # Each line break alone, apart from other spaces: lines are compared first (see
    # word_diff), and a cut between two lines must fall between two tokens.
    r"|\n|[^\S\n]+"
    # Anything else, one character at a time with what modifies it (never a line break).
    rf"|.[{_MODIFIERS}{_COMBINING}]*(?:\u200d.[{_MODIFIERS}{_COMBINING}]*)*",
)


class Op(StrEnum):
    EQUAL = "equal"
    INSERT = "insert"
    DELETE = "delete"


@dataclass(frozen=True)
class Chunk:
    op: Op
    text: str


_OPS = {
    diff_match_patch.DIFF_EQUAL: Op.EQUAL,
    diff_match_patch.DIFF_INSERT: Op.INSERT,
    diff_match_patch.DIFF_DELETE: Op.DELETE,
}
_SURROGATES = range(0xD800, 0xE000)
_ENGINE = diff_match_patch()
_ENGINE.Diff_Timeout = DIFF_TIMEOUT_SECONDS


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _symbol(index: int) -> str:
    # Skips the surrogate block, which a Python string may hold but diff-match-patch's
    # encodings cannot; starts at 1 so that no token becomes NUL.
    code = index + 1
    if code >= _SURROGATES.start:
        code += len(_SURROGATES)
    return chr(code)


class _Alphabet(dict[str, str]):
    """Token → its character, a new character the first time a token is seen."""

    def __missing__(self, token: str) -> str:
        symbol = self[token] = _symbol(len(self))
        return symbol

    def encode(self, tokens: Sequence[str]) -> str:
        return "".join(map(self.__getitem__, tokens))


def token_diff(old: Sequence[str], new: Sequence[str]) -> list[tuple[Op, list[str]]]:
    """The operations turning the token list `old` into `new`, after semantic clean-up
    (small coincidences such as a shared "di" inside a rewritten sentence are absorbed
    into the change around them)."""
    alphabet = _Alphabet()
    a, b = alphabet.encode(old), alphabet.encode(new)
    engine = diff_match_patch()
    engine.Diff_Timeout = DIFF_TIMEOUT_SECONDS
    diffs = engine.diff_main(a, b, False)
    engine.diff_cleanupSemantic(diffs)
    index = {symbol: token for token, symbol in alphabet.items()}
    return _align([(_OPS[op], [index[s] for s in chunk]) for op, chunk in diffs if chunk])


def _seam(left: str | None, right: str | None) -> int:
    """How good a place the seam between two tokens is for a change to begin or end:
    best at the ends of the text, then at the start of a line, next to a line break,
    between words."""
    if left is None or right is None:
        return 4
    if left == "\n":
        return 3 if right != "\n" else 2
    if right == "\n":
        return 2
    return 1 if left.isspace() or right.isspace() else 0


def _align(ops: list[tuple[Op, list[str]]]) -> list[tuple[Op, list[str]]]:
    """Slides each lone insertion or deletion along the identical text around it to the
    most readable seams, as diff_cleanupSemanticLossless does for characters (its
    heuristics cannot read our token symbols): a moved paragraph then shows as the
    paragraph and its break, not as the end of one paragraph and the start of the next."""
    for i in range(1, len(ops) - 1):
        (before_op, before), (op, edit), (after_op, after) = ops[i - 1], ops[i], ops[i + 1]
        if before_op is not Op.EQUAL or after_op is not Op.EQUAL or op is Op.EQUAL:
            continue
        seq, n = [*before, *edit, *after], len(edit)
        best = _best_start(seq, len(before), n)
        ops[i - 1] = (Op.EQUAL, seq[:best])
        ops[i] = (op, seq[best : best + n])
        ops[i + 1] = (Op.EQUAL, seq[best + n :])
    return [(op, part) for op, part in ops if part]


def _best_start(seq: list[str], start: int, n: int) -> int:
    """Where the `n` changed tokens at `start` read best among the equivalent places."""

    def score(at: int) -> int:
        left = seq[at - 1] if at > 0 else None
        right = seq[at + n] if at + n < len(seq) else None
        return _seam(left, seq[at]) + _seam(seq[at + n - 1], right)

    while start > 0 and seq[start - 1] == seq[start + n - 1]:
        start -= 1
    best = start
    while start + n < len(seq) and seq[start] == seq[start + n]:
        start += 1
        if score(start) >= score(best):
            best = start
    return best


def word_diff(old: str, new: str) -> list[Chunk]:
    """Lines first, then words inside the lines that changed, as diff-match-patch's own
    line mode refines lines into characters: a long section with a few edited sentences
    costs the diff of those sentences, not of the whole section."""
    if old == new:
        return [Chunk(Op.EQUAL, old)] if old else []
    a, b, lines = _ENGINE.diff_linesToChars(old, new)
    diffs = _ENGINE.diff_main(a, b, False)
    _ENGINE.diff_charsToLines(diffs, lines)
    chunks: list[Chunk] = []
    deleted, inserted = [], []
    for op, text in diffs:
        if op == diff_match_patch.DIFF_DELETE:
            deleted.append(text)
        elif op == diff_match_patch.DIFF_INSERT:
            inserted.append(text)
        else:
            chunks += _words("".join(deleted), "".join(inserted))
            deleted, inserted = [], []
            chunks.append(Chunk(Op.EQUAL, text))
    chunks += _words("".join(deleted), "".join(inserted))
    return _merged(chunks)


def _words(old: str, new: str) -> list[Chunk]:
    """The changed lines, cut into tokens only between the first and the last character
    that differ: a word edited in a long paragraph costs the tokens around that word."""
    if not old and not new:
        return []
    start, end = changed_stretch(old, new)
    middle = token_diff(
        tokenize(old[start : len(old) - end]), tokenize(new[start : len(new) - end])
    )
    chunks = [Chunk(op, "".join(part)) for op, part in middle]
    if start:
        chunks.insert(0, Chunk(Op.EQUAL, old[:start]))
    if end:
        chunks.append(Chunk(Op.EQUAL, old[len(old) - end :]))
    return _merged(chunks)


def changed_stretch(old: str, new: str) -> tuple[int, int]:
    """The lengths of the identical head and tail of the two texts, each cut back to a
    seam between tokens: what lies between is all a word diff can mark as changed."""
    start = _ENGINE.diff_commonPrefix(old, new)
    while not (_cuttable(old, start) and _cuttable(new, start)):
        start -= 1
    end = _ENGINE.diff_commonSuffix(old[start:], new[start:])
    while not (_cuttable(old, len(old) - end) and _cuttable(new, len(new) - end)):
        end -= 1
    return start, end


def _cuttable(text: str, at: int) -> bool:
    """Whether no token of `text` spans position `at`: the text's ends, either side of a
    line break, and after spaces before something else. A space right after a zero-width
    joiner belongs to an emoji sequence (see _TOKEN), so a cut there is not safe."""
    if at <= 0 or at >= len(text):
        return True
    before, after = text[at - 1], text[at]
    if before == "\n" or after == "\n":
        return True
    return before.isspace() and not after.isspace() and (at < 2 or text[at - 2] != "\u200d")


def shared_head(old: str, new: str) -> str:
    """The identical beginning, cut back to the start of a line: a seam between tokens."""
    shared = old[: _ENGINE.diff_commonPrefix(old, new)]
    return shared[: shared.rfind("\n") + 1]


def shared_tail(old: str, new: str) -> str:
    """The identical end, cut forward to a line break: a seam between tokens."""
    size = _ENGINE.diff_commonSuffix(old, new)
    shared = old[len(old) - size :] if size else ""
    cut = shared.find("\n")
    return shared[cut:] if cut >= 0 else ""


def _merged(chunks: list[Chunk]) -> list[Chunk]:
    out: list[Chunk] = []
    for chunk in chunks:
        if out and out[-1].op is chunk.op:
            out[-1] = Chunk(chunk.op, out[-1].text + chunk.text)
        else:
            out.append(chunk)
    return out


def old_side(chunks: Sequence[Chunk]) -> str:
    return "".join(c.text for c in chunks if c.op is not Op.INSERT)


def new_side(chunks: Sequence[Chunk]) -> str:
    return "".join(c.text for c in chunks if c.op is not Op.DELETE)


def words_added(chunks: Sequence[Chunk]) -> int:
    return sum(count_words(c.text) for c in chunks if c.op is Op.INSERT)


def words_removed(chunks: Sequence[Chunk]) -> int:
    return sum(count_words(c.text) for c in chunks if c.op is Op.DELETE)


# -- Whole documents ------------------------------------------------------------------


@dataclass(frozen=True)
class SectionText:
    """One section as a version (or the live document) holds it. `id` is the section's
    own id, which stays the same through renames and moves."""

    id: int
    title: str
    level: int
    body: str


class Change(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class SectionDiff:
    id: int
    old: SectionText | None
    new: SectionText | None
    chunks: list[Chunk]
    added_words: int
    removed_words: int
    renamed: bool
    moved: bool

    @property
    def change(self) -> Change:
        if self.old is None:
            return Change.ADDED
        if self.new is None:
            return Change.REMOVED
        # Punctuation or spacing alone is a change too, though of no word.
        edited = any(c.op is not Op.EQUAL for c in self.chunks)
        if edited or self.renamed or self.moved:
            return Change.CHANGED
        return Change.UNCHANGED

    @property
    def title(self) -> str:
        current = self.new or self.old
        assert current is not None
        return current.title


@dataclass(frozen=True)
class DocumentDiff:
    sections: list[SectionDiff]

    def count(self, change: Change) -> int:
        return sum(1 for s in self.sections if s.change == change)

    @property
    def added_words(self) -> int:
        return sum(s.added_words for s in self.sections)

    @property
    def removed_words(self) -> int:
        return sum(s.removed_words for s in self.sections)

    @property
    def renamed(self) -> int:
        return sum(1 for s in self.sections if s.renamed)

    @property
    def moved(self) -> int:
        return sum(1 for s in self.sections if s.moved)


def compare_documents(old: Sequence[SectionText], new: Sequence[SectionText]) -> DocumentDiff:
    """Sections are matched by id, so a renamed or moved section is compared with itself,
    not counted as one removed and one added. The result follows the new document's
    order, each removed section placed after the one it used to follow."""
    old_by_id = {s.id: s for s in old}
    new_ids = {s.id for s in new}
    moved = _moved({s.id for s in old} & new_ids, [s.id for s in old], [s.id for s in new])
    ordered: list[tuple[SectionText | None, SectionText | None]] = [
        (old_by_id.get(s.id), s) for s in new
    ]
    for position, section in enumerate(old):
        if section.id not in new_ids:
            ordered.insert(_removed_slot(ordered, old[:position], new_ids), (section, None))
    return DocumentDiff([_section_diff(a, b, moved) for a, b in ordered])


def _removed_slot(
    ordered: list[tuple[SectionText | None, SectionText | None]],
    earlier: Sequence[SectionText],
    new_ids: set[int],
) -> int:
    after = next((o.id for o in reversed(earlier) if o.id in new_ids), None)
    at = 0
    if after is not None:
        at = 1 + next(i for i, (_, n) in enumerate(ordered) if n is not None and n.id == after)
    # Past the removed sections already placed there, which came earlier in the old order.
    while at < len(ordered) and ordered[at][1] is None:
        at += 1
    return at


def _section_diff(old: SectionText | None, new: SectionText | None, moved: set[int]) -> SectionDiff:
    chunks = word_diff(old.body if old else "", new.body if new else "")
    present = new or old
    assert present is not None
    return SectionDiff(
        id=present.id,
        old=old,
        new=new,
        chunks=chunks,
        added_words=words_added(chunks),
        removed_words=words_removed(chunks),
        renamed=old is not None and new is not None and old.title != new.title,
        moved=present.id in moved,
    )


def _moved(common: set[int], old_order: list[int], new_order: list[int]) -> set[int]:
    """Sections outside the longest run kept in the same relative order: moving one
    section down one place moves that section, not all the others."""
    a = [i for i in old_order if i in common]
    b = [i for i in new_order if i in common]
    lengths = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            lengths[i][j] = (
                lengths[i + 1][j + 1] + 1
                if a[i] == b[j]
                else max(lengths[i + 1][j], lengths[i][j + 1])
            )
    kept: set[int] = set()
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            kept.add(a[i])
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return common - kept
