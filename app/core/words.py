"""Word counts as an Italian writer expects them: "dell'ASL" is two words, numbers
count, Markdown punctuation does not."""

from __future__ import annotations

import re

# Letters and digits, joined by inner hyphens or dots (e.g. "socio-sanitario", "1.234");
# an apostrophe ends a word, as in Italian elision ("l'abitare" → "l'", "abitare").
_WORD = re.compile(r"[^\W_]+(?:[-.,][^\W_]+)*", re.UNICODE)
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_FENCE = re.compile(r"^(```|~~~)", re.MULTILINE)


def count_words(markdown_text: str) -> int:
    text = _LINK_TARGET.sub("]", markdown_text)
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
