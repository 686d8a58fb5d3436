"""The rules of live co-editing that need no server: the shape and size of every message
of the live protocol (docs/protocol.md), Yjs state vectors, the per-connection rate
limit, when typing starts a new revision and when the update log earns a snapshot.

Kept pure so that property tests can throw arbitrary payloads and clocks at it: a
malformed message must be refused here, before it reaches the database or a CRDT."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

# 2: binary fields travel as base64 text (see to_wire).
PROTOCOL_VERSION = 2

# The largest integer a browser represents exactly: ids beyond it cannot be ours.
MAX_ID = 2**53 - 1
MAX_CLIENT_ID_CHARS = 64
MAX_SEQ = 2**53 - 1
# A state vector holds two small integers per writer that ever touched the section;
# even thousands of browser sessions stay far below this.
MAX_STATE_VECTOR_BYTES = 256 * 1024
MAX_LABEL_CHARS = 200
# The shared text of every section's Yjs document.
SECTION_TEXT = "body"
# Yjs stores a relative position's association in a signed 32-bit integer.
MAX_ASSOC = 2**31 - 1

# Yjs client ids a person may bring into a section: one per browser session (a reload is
# a new one), so an update with a few new ids is someone's offline work, and one with
# dozens, or a person with hundreds, is someone filling the server's table of owners.
MAX_NEW_CLIENT_IDS = 16
MAX_CLIENT_IDS_PER_PERSON = 500

BAD_REQUEST = "bad_request"
TOO_LARGE = "too_large"

_U64 = 2**64 - 1
_U32 = 2**32 - 1


class PayloadError(ValueError):
    """A message the server refuses before looking anything up. `field` names the part
    that is wrong, so the person's message can say which."""

    def __init__(self, code: str, field: str) -> None:
        super().__init__(f"{code}: {field}")
        self.code = code
        self.field = field


@dataclass(frozen=True)
class Join:
    document_id: int
    protocol: int


@dataclass(frozen=True)
class Leave:
    document_id: int


@dataclass(frozen=True)
class SyncStep:
    section_id: int
    state_vector: bytes


@dataclass(frozen=True)
class Update:
    section_id: int
    update: bytes
    client_id: str
    seq: int


@dataclass(frozen=True)
class Awareness:
    section_id: int | None
    cursor: object
    idle: bool


def _fields(payload: object, required: set[str], optional: frozenset[str] = frozenset()) -> dict:
    if not isinstance(payload, dict) or not all(isinstance(k, str) for k in payload):
        raise PayloadError(BAD_REQUEST, "payload")
    unknown = sorted(payload.keys() - required - optional)
    if unknown:
        # The name goes into a message to the person: keep it short and never empty.
        raise PayloadError(BAD_REQUEST, unknown[0][:40] or "payload")
    missing = sorted(required - payload.keys())
    if missing:
        raise PayloadError(BAD_REQUEST, missing[0])
    return payload


def _int(value: object, name: str, low: int, high: int) -> int:
    # bool is an int in Python but never a valid id or counter on the wire.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise PayloadError(BAD_REQUEST, name)
    return value


def _id(value: object, name: str) -> int:
    return _int(value, name, 1, MAX_ID)


def to_wire(data: bytes) -> str:
    """Binary fields travel as base64 text. A Socket.IO message with binary data is sent
    as several frames, and frames sent to one connection by two threads at once (the
    room's batch and an event's reply) can interleave and garble both; a text message
    is one frame."""
    return base64.b64encode(data).decode("ascii")


def from_wire(value: object) -> bytes:
    if not isinstance(value, str):
        raise ValueError("not base64 text")
    return base64.b64decode(value, validate=True)


def _bytes(value: object, name: str, limit: int) -> bytes:
    if not isinstance(value, str):
        raise PayloadError(BAD_REQUEST, name)
    # Four characters carry three bytes: refuse the oversized before decoding them.
    if len(value) > 4 * (limit // 3 + 1):
        raise PayloadError(TOO_LARGE, name)
    try:
        data = from_wire(value)
    except ValueError as error:
        raise PayloadError(BAD_REQUEST, name) from error
    if len(data) > limit:
        raise PayloadError(TOO_LARGE, name)
    return data


def parse_join(payload: object) -> Join:
    data = _fields(payload, {"document_id", "protocol"})
    protocol = _int(data["protocol"], "protocol", 0, MAX_ID)
    return Join(_id(data["document_id"], "document_id"), protocol)


def parse_leave(payload: object) -> Leave:
    data = _fields(payload, {"document_id"})
    return Leave(_id(data["document_id"], "document_id"))


def parse_sync(payload: object) -> SyncStep:
    data = _fields(payload, {"section_id", "state_vector"})
    state_vector = _bytes(data["state_vector"], "state_vector", MAX_STATE_VECTOR_BYTES)
    decode_state_vector(state_vector)
    return SyncStep(_id(data["section_id"], "section_id"), state_vector)


def parse_update(payload: object, max_update_bytes: int) -> Update:
    data = _fields(payload, {"section_id", "update", "client_id", "seq"})
    update = _bytes(data["update"], "update", max_update_bytes)
    # The shortest Yjs update (no structs, empty delete set) is two bytes.
    if len(update) < 2:
        raise PayloadError(BAD_REQUEST, "update")
    client_id = data["client_id"]
    if not isinstance(client_id, str) or not 0 < len(client_id) <= MAX_CLIENT_ID_CHARS:
        raise PayloadError(BAD_REQUEST, "client_id")
    seq = _int(data["seq"], "seq", 0, MAX_SEQ)
    return Update(_id(data["section_id"], "section_id"), update, client_id, seq)


# "name" and "color" are accepted for compatibility with Yjs awareness states but never
# used: the server says who someone is, so nobody can appear under another name.
_AWARENESS_STATE = frozenset({"cursor", "name", "color", "idle"})


def parse_awareness(payload: object) -> Awareness:
    data = _fields(payload, {"section_id", "state"})
    section_id = None if data["section_id"] is None else _id(data["section_id"], "section_id")
    state = _fields(data["state"], set(), _AWARENESS_STATE)
    for label in ("name", "color"):
        value = state.get(label, "")
        if not isinstance(value, str) or len(value) > MAX_LABEL_CHARS:
            raise PayloadError(BAD_REQUEST, label)
    idle = state.get("idle", False)
    if not isinstance(idle, bool):
        raise PayloadError(BAD_REQUEST, "idle")
    cursor = state.get("cursor")
    _check_cursor(cursor)
    return Awareness(section_id, cursor, idle)


def _check_cursor(cursor: object) -> None:
    """A cursor is what the editor sends, or null: y-codemirror.next's selection as two
    Yjs relative positions in the section's text (`Y.relativePositionToJSON`). It is
    passed on to everyone in the document, whose editors resolve it against their own
    replica: any other shape (a position in another shared type, an id that is not two
    integers) made the remote-cursor plugin throw in every one of them. Its size is
    bounded by its shape."""
    if cursor is None:
        return
    if not isinstance(cursor, dict) or set(cursor) != {"anchor", "head"}:
        raise PayloadError(BAD_REQUEST, "cursor")
    for end in ("anchor", "head"):
        if not _relative_position(cursor[end]):
            raise PayloadError(BAD_REQUEST, "cursor")


def _relative_position(value: object) -> bool:
    # Sections are root texts: Yjs names them (`tname`) rather than pointing at a type.
    if not isinstance(value, dict) or not value.keys() <= {"tname", "item", "assoc"}:
        return False
    if value.get("tname") != SECTION_TEXT:
        return False
    assoc = value.get("assoc", 0)
    if isinstance(assoc, bool) or not isinstance(assoc, int) or abs(assoc) > MAX_ASSOC:
        return False
    return "item" not in value or _yjs_id(value["item"])


def _yjs_id(value: object) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == {"client", "clock"}
        and all(
            not isinstance(part, bool) and isinstance(part, int) and 0 <= part <= MAX_ID
            for part in value.values()
        )
    )


def _read_var_uint(data: bytes, position: int, limit: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if position >= len(data) or shift > 63:
            raise PayloadError(BAD_REQUEST, "state_vector")
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            break
    if value > limit:
        raise PayloadError(BAD_REQUEST, "state_vector")
    return value, position


def decode_state_vector(data: bytes) -> dict[int, int]:
    """Yjs state vector (`Y.encodeStateVector`): a count, then (client, clock) pairs, all
    variable-length unsigned integers. Strict: trailing bytes are an error."""
    count, position = _read_var_uint(data, 0, len(data))
    clocks: dict[int, int] = {}
    for _ in range(count):
        client, position = _read_var_uint(data, position, _U64)
        clock, position = _read_var_uint(data, position, _U32)
        clocks[client] = clock
    if position != len(data):
        raise PayloadError(BAD_REQUEST, "state_vector")
    return clocks


def encode_state_vector(clocks: Mapping[int, int]) -> bytes:
    out = bytearray(var_uint(len(clocks)))
    for client, clock in sorted(clocks.items()):
        out += var_uint(client) + var_uint(clock)
    return bytes(out)


def var_uint(value: int) -> bytes:
    """lib0's variable-length unsigned integer, as Yjs writes every count and clock."""
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def covers(have: Mapping[int, int], want: Mapping[int, int]) -> bool:
    """Whether a replica with state `have` already holds every change counted in `want`."""
    return all(have.get(client, 0) >= clock for client, clock in want.items())


def storable(text: str) -> str:
    """The text as the database keeps it (Section.body, revisions, proposals): NUL, which
    PostgreSQL text cannot hold, becomes U+FFFD. The shared CRDT text keeps it: refusing
    an update once accepted edits depend on it would orphan those edits."""
    return text.replace("\x00", "\ufffd")


@dataclass
class TokenBucket:
    """A rate limit: `burst` events at once, then `rate` per second. A runaway browser
    tab must not be able to fill the update log or drown the room."""

    rate: float
    burst: float
    tokens: float = field(init=False)
    updated: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def take(self, now: float) -> bool:
        if self.updated is not None:
            elapsed = max(0.0, now - self.updated)
            self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
        self.updated = now if self.updated is None else max(self.updated, now)
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def give_back(self) -> None:
        """Returns a token taken for an event that another budget then refused."""
        self.tokens = min(self.burst, self.tokens + 1)


def continues_burst(last_at: dt.datetime, now: dt.datetime, window: dt.timedelta) -> bool:
    """Typing by the same person within `window` of their previous change belongs to the
    same revision: history shows bursts of work, not keystrokes."""
    return dt.timedelta(0) <= now - last_at <= window


def snapshot_due(first_seq: int, last_seq: int, every: int) -> bool:
    """Whether a batch of updates numbered first_seq..last_seq ends with a snapshot: one
    whenever the log passes a multiple of `every`, which bounds the work of rebuilding a
    section to one snapshot plus about `every` updates, however the updates were batched.
    Multiples rather than a count since the last snapshot, so that processes sharing a
    log need not agree on anything."""
    return every > 0 and last_seq // every > (first_seq - 1) // every
