"""Numbers that imported headings already carry («1.1 Obiettivi», «Capitolo 2: Dati»,
«A) Premessa»), so that a document is never numbered twice («2.1 1.1 Obiettivi»): the
person keeps the file's numbers and Tavolo adds none, or Tavolo numbers and the file's
numbers leave the titles.

A number at the start of one heading is not numbering: «2030: la città» or «1.000
alloggi» are titles. Numbering is a habit of a level: most of its headings carry a
number of one kind, or at least three of them count on one after another (the
«CAPITOLO 1.» … «CAPITOLO 9.» of a plan whose other headings have none)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

Kind = tuple[str, ...]  # ("decimal", "2"), ("roman", "upper"), ("word", "capitolo", "decimal")
Value = tuple[int, ...]

_WORDS = {
    "capitolo": "capitolo",
    "cap.": "capitolo",
    "chapter": "capitolo",
    "sezione": "sezione",
    "sez.": "sezione",
    "section": "sezione",
    "parte": "parte",
    "part": "parte",
    "articolo": "articolo",
    "art.": "articolo",
    "article": "articolo",
    "allegato": "allegato",
    "annex": "allegato",
    "appendice": "appendice",
    "appendix": "appendice",
    "titolo": "titolo",
    "paragrafo": "paragrafo",
    "par.": "paragrafo",
    "§": "paragrafo",
}
_ORDINALS = {
    word: n
    for n, words in enumerate(
        (
            ("primo", "prima", "unico", "unica"),
            ("secondo", "seconda"),
            ("terzo", "terza"),
            ("quarto", "quarta"),
            ("quinto", "quinta"),
            ("sesto", "sesta"),
            ("settimo", "settima"),
            ("ottavo", "ottava"),
            ("nono", "nona"),
            ("decimo", "decima"),
        ),
        start=1,
    )
    for word in words
}
_DECIMAL = r"\d{1,3}(?:\.\d{1,3})*"
_WORD_LABEL = re.compile(
    r"(?P<word>(?i:" + "|".join(re.escape(w) for w in sorted(_WORDS, key=len, reverse=True)) + "))"
    r"\s*(?P<value>"
    + _DECIMAL
    + r"|[IVXLCDM]+|[A-Z]|(?i:"
    + "|".join(sorted(_ORDINALS, key=len, reverse=True))
    + r"))(?!\w)(?P<sep>\.\)|\s*[.:)]|\s*[-–—])?"
)
_BARE_LABEL = re.compile(
    r"(?P<value>" + _DECIMAL + r"|[IVXLCDM]+|[ivxlcdm]+|[A-Za-z])"
    r"(?P<sep>\.\)|[.:)]|\s+[-–—:])?(?=\s|$)"
)
# No leading zeros beyond one ("01" is a number, "000" the thousands of «1.000»).
_COMPONENT = re.compile(r"0|[1-9]\d{0,2}|0[1-9]")
_ROMAN = re.compile(r"M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


@dataclass(frozen=True)
class Label:
    """A number at the start of a title, read in every way it can be read ("C)" is the
    third letter or a hundred)."""

    rest: str  # the title without it
    readings: tuple[tuple[Kind, Value], ...]
    explicit: bool  # «Capitolo 2», «1.2», «3.»: a number, whatever the rest of the text


@dataclass(frozen=True)
class Numbering:
    kinds: frozenset[tuple[int, Kind]]  # (level, kind) that number the headings
    example: str = ""  # the first numbered title, to show the person

    def __bool__(self) -> bool:
        return bool(self.kinds)


NONE = Numbering(frozenset())


def leading_label(title: str) -> Label | None:
    title = title.strip()
    word = _WORD_LABEL.match(title)
    if word is not None:
        readings = _readings(word.group("value"), words=True)
        if readings:
            name = _WORDS[word.group("word").lower()]
            return Label(
                _rest(title, word.end()),
                tuple((("word", name, kind[0]), value) for kind, value in readings),
                explicit=True,
            )
    bare = _BARE_LABEL.match(title)
    if bare is None:
        return None
    value, sep = bare.group("value"), (bare.group("sep") or "").strip()
    readings = _readings(value, words=False)
    if not sep:
        # Without punctuation only a number reads as one: «I percorsi», «A proposito».
        readings = [r for r in readings if r[0][0] == "decimal"]
    if not readings:
        return None
    explicit = readings[0][0][0] == "decimal" and (bool(sep) or "." in value)
    return Label(_rest(title, bare.end()), tuple(readings), explicit)


def _rest(title: str, end: int) -> str:
    return title[end:].lstrip(" \t.:)–—-").strip()


def _readings(value: str, words: bool) -> list[tuple[Kind, Value]]:
    if value[0].isdigit():
        parts = value.split(".")
        if not all(_COMPONENT.fullmatch(part) for part in parts):
            return []
        return [(("decimal", str(len(parts))), tuple(int(p) for p in parts))]
    if words and value.lower() in _ORDINALS:
        return [(("ordinal",), (_ORDINALS[value.lower()],))]
    found: list[tuple[Kind, Value]] = []
    case = "upper" if value.isupper() else "lower"
    if _ROMAN.fullmatch(value.upper()) and (value.isupper() or not words):
        found.append((("roman", case), (_roman(value.upper()),)))
    if len(value) == 1:
        found.append((("alpha", case), (ord(value.lower()) - ord("a") + 1,)))
    return found


def _roman(numeral: str) -> int:
    values = [_ROMAN_VALUES[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _follows(previous: Value, current: Value) -> bool:
    """1 → 2, 1.3 → 1.4, 1.3 → 3.1: the next number of its level in an outline (a
    chapter without paragraphs leaves its number out of the paragraphs' count)."""
    if len(previous) != len(current) or not current:
        return False
    if previous[:-1] == current[:-1]:
        return current[-1] == previous[-1] + 1
    return previous[:-1] < current[:-1] and current[-1] in (0, 1)


def detect(headings: Sequence[tuple[int, str]]) -> Numbering:
    """`headings` are (level, title) in document order."""
    labels = [(level, title, leading_label(title)) for level, title in headings]
    kinds: set[tuple[int, Kind]] = set()
    for level in sorted({level for level, _title in headings}):
        at_level = [label for lvl, _title, label in labels if lvl == level]
        candidates = {kind for label in at_level if label for kind, _value in label.readings}
        for kind in candidates:
            values = [
                value
                for label in at_level
                if label
                for reading, value in label.readings
                if reading == kind
            ]
            if _numbers_the_level(values, len(at_level)):
                kinds.add((level, kind))
    example = next(
        (
            title
            for level, title, label in labels
            if label and any((level, kind) in kinds for kind, _value in label.readings)
        ),
        "",
    )
    return Numbering(frozenset(kinds), example)


def _numbers_the_level(values: list[Value], headings: int) -> bool:
    if len(values) < 2:
        return False
    steps = sum(1 for previous, current in pairwise(values) if _follows(previous, current))
    in_sequence = 2 * steps >= len(values) - 1
    return in_sequence and (2 * len(values) > headings or steps >= 2)


def without_number(numbering: Numbering, level: int, title: str) -> str:
    """The title Tavolo numbers: the file's number left out where the level numbers
    its headings, or where the number can only be one («Capitolo 3», «2.4») in a
    document that is numbered. The title itself is never emptied («Allegato A»)."""
    label = leading_label(title) if numbering else None
    if label is None or not label.rest:
        return title
    if label.explicit or any((level, kind) in numbering.kinds for kind, _value in label.readings):
        return label.rest
    return title
