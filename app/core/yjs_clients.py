"""Who an update claims to have written: the Yjs client ids that create content in it.

A Yjs update (format v1, as `Y.encodeStateAsUpdate` and pycrdt's `get_update` write it)
is a list of struct groups, each naming one client id and the clock its items start at,
followed by a delete set. Items are identified by (client, clock), and every replica
keeps the first item it receives for an identifier and skips any later one: whoever
writes under someone else's client id first decides what that person's next keystroke
becomes on the server, while the person's own editor keeps its own version. So the
server must know which client ids an update writes under before it applies it.

The delete set names client ids too, those of the items being deleted: deleting
someone else's text is an ordinary edit and does not make its author. But a replica keeps
a deletion of items it does not hold yet and applies it when they arrive: deleting under
someone else's id at clocks they have not reached deletes their next keystroke on the
server and everywhere, once acknowledged. Likewise an item that starts beyond its
writer's clock, or next to an item the replica lacks, waits. So the reader also reports
what an update needs the replica to hold already for it to take effect entirely (`needs`):
the start of each writer's items and of each hole in them, and every item named as a
neighbour, parent or deletion that the update does not bring itself.

Pure and strict: the reader walks every field of the format and refuses anything it
cannot account for, so that what is reported covers every item the update creates. Every
count read is paid for by at least one byte, so the work is linear in the update's size."""

from __future__ import annotations

from dataclasses import dataclass

# Largest identifier or clock a browser represents exactly.
MAX_NUMBER = 2**53 - 1
# Nested JSON-like values ("any" content) deeper than this are not text edits.
MAX_ANY_DEPTH = 64

# Struct kinds (the low five bits of a struct's info byte).
_GC = 0
_DELETED = 1
_JSON = 2
_BINARY = 3
_STRING = 4
_EMBED = 5
_FORMAT = 6
_TYPE = 7
_ANY = 8
_DOC = 9
_SKIP = 10
# Info bits of an item.
_HAS_ORIGIN = 0x80
_HAS_RIGHT_ORIGIN = 0x40
_HAS_PARENT_SUB = 0x20
# Shared types whose reference is followed by a name (XML element, XML hook).
_NAMED_TYPES = frozenset({3, 5})
_LAST_TYPE = 6


class MalformedUpdate(ValueError):
    """Bytes that are not a Yjs v1 update."""


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0

    def byte(self) -> int:
        if self.position >= len(self.data):
            raise MalformedUpdate("unexpected end")
        value = self.data[self.position]
        self.position += 1
        return value

    def uint(self, limit: int = MAX_NUMBER) -> int:
        value, shift = 0, 0
        while True:
            byte = self.byte()
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                break
            shift += 7
            if shift > 63:
                raise MalformedUpdate("integer too long")
        if value > limit:
            raise MalformedUpdate("integer out of range")
        return value

    def skip(self, count: int) -> None:
        if self.position + count > len(self.data):
            raise MalformedUpdate("unexpected end")
        self.position += count

    def buffer(self) -> bytes:
        size = self.uint()
        self.skip(size)
        return self.data[self.position - size : self.position]

    def string(self) -> str:
        try:
            return self.buffer().decode("utf-8")
        except UnicodeDecodeError as error:
            raise MalformedUpdate("not UTF-8") from error

    def signed(self) -> None:
        # lib0 signed integers: the first byte holds six bits and the sign.
        byte = self.byte()
        shift = 6
        while byte & 0x80:
            byte = self.byte()
            shift += 7
            if shift > 70:
                raise MalformedUpdate("integer too long")

    def any(self, depth: int = 0) -> None:
        if depth > MAX_ANY_DEPTH:
            raise MalformedUpdate("value nested too deeply")
        tag = self.byte()
        if tag in (127, 126, 121, 120):  # undefined, null, false, true
            return
        if tag == 125:
            self.signed()
        elif tag == 124:
            self.skip(4)
        elif tag in (123, 122):  # float64, bigint64
            self.skip(8)
        elif tag == 119:
            self.string()
        elif tag == 118:
            for _ in range(self.uint()):
                self.string()
                self.any(depth + 1)
        elif tag == 117:
            for _ in range(self.uint()):
                self.any(depth + 1)
        elif tag == 116:
            self.buffer()
        else:
            raise MalformedUpdate(f"unknown value tag {tag}")

    def at_end(self) -> bool:
        return self.position == len(self.data)


@dataclass(frozen=True)
class Clocks:
    """What an update writes and what it builds on, as clocks by client id: `writes`, the
    clock right after the last struct it creates under each id (nothing new under an id
    whose clock has reached that value); `needs`, how far the replica must hold each
    id's items before the update arrives for all of it to take effect at once."""

    writes: dict[int, int]
    needs: dict[int, int]


def clocks(update: bytes) -> Clocks:
    """Raises MalformedUpdate for anything that is not exactly one Yjs v1 update."""
    reader = _Reader(update)
    writes: dict[int, int] = {}
    # Holes in the update's own items (where each writer's items start, skipped ranges).
    holes: dict[int, int] = {}
    # Items named by the update, whoever wrote them: clock after the last one named.
    named: dict[int, int] = {}
    for _ in range(reader.uint()):
        structs = reader.uint()
        client = reader.uint()
        clock = reader.uint()
        _raise(holes, client, clock)
        for _ in range(structs):
            length = _struct_length(reader, named)
            if length < 0:
                clock -= length
                _raise(holes, client, clock)
            else:
                clock += length
            if clock > MAX_NUMBER:
                raise MalformedUpdate("clock out of range")
        writes[client] = max(clock, writes.get(client, 0))
    _read_delete_set(reader, named)
    if not reader.at_end():
        raise MalformedUpdate("trailing bytes")
    # Whatever the update names within its own items' range needs only their holes.
    for client, end in named.items():
        if end > writes.get(client, 0):
            _raise(holes, client, end)
    return Clocks(writes, holes)


def authored(update: bytes) -> dict[int, int]:
    """Each client id that creates structs in the update, with the clock right after its
    last one (`Clocks.writes`)."""
    return clocks(update).writes


def authors(update: bytes) -> set[int]:
    """The client ids the update writes under."""
    return set(authored(update))


def _raise(clocks: dict[int, int], client: int, clock: int) -> None:
    if clock > clocks.get(client, 0):
        clocks[client] = clock


def _name(reader: _Reader, named: dict[int, int]) -> None:
    """Reads an item id (client, clock) the update builds on."""
    client = reader.uint()
    _raise(named, client, reader.uint() + 1)


def _struct_length(reader: _Reader, named: dict[int, int]) -> int:
    """How many clock ticks the struct takes; negative for a skipped range (a hole the
    update does not fill), whose items the replica must hold already."""
    info = reader.byte()
    kind = info & 0x1F
    if kind == _GC:
        return reader.uint()
    if kind == _SKIP:
        return -reader.uint()
    if info & _HAS_ORIGIN:
        _name(reader, named)
    if info & _HAS_RIGHT_ORIGIN:
        _name(reader, named)
    if not info & (_HAS_ORIGIN | _HAS_RIGHT_ORIGIN):
        # Without neighbours an item names its parent: a root type by name, or an item.
        if reader.uint() == 1:
            reader.string()
        else:
            _name(reader, named)
        if info & _HAS_PARENT_SUB:
            reader.string()
    return _content_length(reader, kind)


def _content_length(reader: _Reader, kind: int) -> int:
    """Reads an item's content; returns how many clock ticks it takes."""
    if kind == _DELETED:
        return reader.uint()
    if kind == _JSON:
        count = reader.uint()
        for _ in range(count):
            reader.string()
        return count
    if kind == _STRING:
        # Clocks count UTF-16 code units, as JavaScript strings do.
        return len(reader.string().encode("utf-16-le")) // 2
    if kind == _ANY:
        count = reader.uint()
        for _ in range(count):
            reader.any()
        return count
    if kind in (_BINARY, _EMBED):
        reader.buffer()
    elif kind == _FORMAT:
        reader.string()
        reader.string()
    elif kind == _TYPE:
        type_ref = reader.uint()
        if type_ref > _LAST_TYPE:
            raise MalformedUpdate(f"unknown shared type {type_ref}")
        if type_ref in _NAMED_TYPES:
            reader.string()
    elif kind == _DOC:
        reader.string()
        reader.any()
    else:
        raise MalformedUpdate(f"unknown struct kind {kind}")
    return 1


def _read_delete_set(reader: _Reader, named: dict[int, int]) -> None:
    for _ in range(reader.uint()):
        client = reader.uint()
        for _ in range(reader.uint()):
            clock = reader.uint()
            length = reader.uint()
            if clock + length > MAX_NUMBER:
                raise MalformedUpdate("clock out of range")
            if length:
                _raise(named, client, clock + length)
