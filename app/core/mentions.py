"""Who a text mentions: `@Nome Cognome` of a member of the workshop.

Names contain spaces, so a mention cannot be cut at the first blank: each `@` is
compared with the known names, the longest first, so `@Anna Maria Rossi` is not read
as `@Anna Maria` when both are members."""

from __future__ import annotations

from collections.abc import Iterable


def mentioned(text: str, names: Iterable[str]) -> set[str]:
    """The names in `names` that `text` mentions, compared without regard to case; a name
    counts only when it is not the beginning of a longer word (`@Anna` in `@Annalisa`)."""
    candidates = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
    folded = text.casefold()
    found: set[str] = set()
    position = folded.find("@")
    while position != -1:
        start = position + 1
        for name in candidates:
            key = name.casefold()
            if folded.startswith(key, start) and not _continues_word(folded, start + len(key)):
                found.add(name)
                break
        position = folded.find("@", start)
    return found


def _continues_word(text: str, end: int) -> bool:
    return end < len(text) and (text[end].isalnum() or text[end] == "_")
