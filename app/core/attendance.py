"""Who is in the room: a person counts as present on a day of the workshop from the
moment they arrive (marked by a facilitator, or by scanning the room's code), and the
room's figures are computed on them, not on everyone invited."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import string
from zoneinfo import ZoneInfo

# The room's code is read off a projector or a sheet at the entrance and typed by hand
# when a phone has no camera: short, without letters that look alike.
CODE_ALPHABET = "".join(c for c in string.ascii_lowercase + string.digits if c not in "0o1lis5")
CODE_LENGTH = 8


def room_code(secret: bytes, workshop_id: int, generation: int) -> str:
    """The room's code, made from the instance's secret: the same at every view of the
    attendance page without being stored, and another one when a facilitator replaces
    it (the next generation)."""
    digest = hmac.new(secret, f"sala:{workshop_id}:{generation}".encode(), hashlib.sha256)
    number = int.from_bytes(digest.digest(), "big")
    letters = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[index])
    return "".join(letters)


def same_code(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def day_in(moment: dt.datetime, zone: str) -> dt.date:
    """The day a stored UTC moment falls on, on the room's clock: at 23:30 UTC on 5
    December it is already the 6th in Rome."""
    return moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).date()


def majority(present: int) -> int:
    """More than half of the people present: the quorum a room usually asks for."""
    return present // 2 + 1 if present > 0 else 0
