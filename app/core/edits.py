"""The smallest set of edits that turns one text into another, for changes the server
makes itself (a restored revision, an accepted amendment).

A CRDT keeps concurrent typing only where the server's change leaves the text alone:
replacing the whole section would delete, and so re-place, every character someone is
typing next to at that moment. Diffing first confines the change to what really differs."""

from __future__ import annotations

from dataclasses import dataclass

from diff_match_patch import diff_match_patch

# A restore or an amendment is rare and may be long: give the diff time to be small.
_DIFF_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class Edit:
    """Replace `current[start:stop]` (code points) with `insert`."""

    start: int
    stop: int
    insert: str


def edits(current: str, target: str) -> list[Edit]:
    """Edits from `current` to `target`, last first, so applying them in this order never
    shifts the positions of the ones still to apply."""
    engine = diff_match_patch()
    engine.Diff_Timeout = _DIFF_TIMEOUT_SECONDS
    diffs = engine.diff_main(current, target)
    engine.diff_cleanupSemantic(diffs)
    found: list[Edit] = []
    position = 0
    pending: Edit | None = None
    for op, chunk in diffs:
        if op == diff_match_patch.DIFF_EQUAL:
            if pending is not None:
                found.append(pending)
                pending = None
            position += len(chunk)
            continue
        if pending is None:
            pending = Edit(position, position, "")
        if op == diff_match_patch.DIFF_DELETE:
            pending = Edit(pending.start, pending.stop + len(chunk), pending.insert)
            position += len(chunk)
        else:
            pending = Edit(pending.start, pending.stop, pending.insert + chunk)
    if pending is not None:
        found.append(pending)
    return found[::-1]


def utf8_len(text: str) -> int:
    """pycrdt counts positions in UTF-8 bytes; Python strings count code points."""
    return len(text.encode("utf-8"))


def apply_edits(current: str, changes: list[Edit]) -> str:
    for change in changes:
        current = current[: change.start] + change.insert + current[change.stop :]
    return current
