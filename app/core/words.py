"""Word counts as an Italian writer expects them: "dell'ASL" is two words, numbers
count, Markdown punctuation does not. Regional forms ("max 600 parole") are checked
by people counting words in Word, so list numbers, footnote marks and link targets,
which Word would not show as text, are not counted either."""

from __future__ import annotations

import re

# Letters and digits, joined by inner hyphens or dots (e.g. "socio-sanitario", "1.234");
# an apostrophe ends a word, as in Italian elision ("l'abitare" → "l'", "abitare").
_WORD = re.compile(r"[^\W_]+(?:[-.,][^\W_]+)*", re.UNICODE)
# None of these reads past the start of its next match ("](", "<", "[^"): from each
# start it would otherwise read to the end of the text, and the count runs at every
# keystroke.
_LINK_TARGET = re.compile(r"\]\([^)\]]*\)")
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^<>\s]*>", re.IGNORECASE)
_FOOTNOTE_MARK = re.compile(r"\[\^[^\[\]\s]+\]:?")
_LIST_MARKER = re.compile(r"^[ \t>]*\d{1,9}[.)](?=[ \t]|$)", re.MULTILINE)
_FENCE = re.compile(r"^(```|~~~)", re.MULTILINE)


def count_words(markdown_text: str) -> int:
    text = _LINK_TARGET.sub("]", markdown_text)
    text = _AUTOLINK.sub(" link ", text)
    text = _FOOTNOTE_MARK.sub(" ", text)
    text = _LIST_MARKER.sub(" ", text)
    text = _FENCE.sub("", text)
    return len(_WORD.findall(text))


def limit_status(words: int, limit: int | None) -> str:
    """'none' without a limit, 'ok' well under it, 'near' within the last tenth, 'over'."""
    if not limit:
        return "none"
    if words > limit:
        return "over"
    if words >= limit * 0.9:
        return "near"
    return "ok"


def hard_limit(limit: int | None, hard: bool) -> int | None:
    """The limit no change may take a text past: the word limit, when it is hard."""
    return limit if hard else None


def goes_over(before: str, after: str, limit: int | None) -> bool:
    """Whether a change takes a text past a hard limit. A text already over it (the
    limit was set later) may still shrink, or change without growing: nobody must be
    stuck unable to cut."""
    if limit is None:
        return False
    words = count_words(after)
    return words > limit and words > count_words(before)
