"""Property tests of the pure rules of live co-editing (app/core/sync.py)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pycrdt import Doc, Text

from app.core import sync
from app.core.sync import PayloadError

MAX_UPDATE = 4096

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.binary(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
field_names = st.sampled_from(
    [
        "document_id",
        "protocol",
        "section_id",
        "state_vector",
        "update",
        "client_id",
        "seq",
        "state",
        "cursor",
        "idle",
        "name",
        "color",
        "altro",
    ]
)
payloads = json_values | st.dictionaries(field_names, json_values, max_size=6)
ids = st.integers(1, sync.MAX_ID)
PARSERS = [
    sync.parse_join,
    sync.parse_leave,
    sync.parse_sync,
    lambda payload: sync.parse_update(payload, MAX_UPDATE),
    sync.parse_awareness,
]


@given(payload=payloads)
def test_any_payload_is_parsed_or_refused_with_a_payload_error(payload: object) -> None:
    for parse in PARSERS:
        try:
            parse(payload)
        except PayloadError as error:
            assert error.code in {"bad_request", "too_large"}
            assert error.field


@given(document_id=ids, protocol=st.integers(0, 10))
def test_a_valid_join_is_read_back(document_id: int, protocol: int) -> None:
    payload = {"document_id": document_id, "protocol": protocol}
    assert sync.parse_join(payload) == sync.Join(document_id, protocol)


@given(
    name=st.sampled_from(["document_id", "protocol"]),
    value=st.booleans() | st.text() | st.floats() | st.integers(max_value=0) | st.none(),
)
def test_join_refuses_wrong_types_and_booleans(name: str, value: object) -> None:
    payload: dict[str, object] = {"document_id": 3, "protocol": 1, name: value}
    if name == "protocol" and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        assert sync.parse_join(payload).protocol == value
        return
    with pytest.raises(PayloadError) as refused:
        sync.parse_join(payload)
    assert refused.value.field == name


@given(section_id=ids, size=st.integers(0, 2 * MAX_UPDATE), seq=st.integers(0, 10**6))
def test_updates_are_refused_when_too_small_or_too_large(
    section_id: int, size: int, seq: int
) -> None:
    update = b"\x00" * size
    payload = {
        "section_id": section_id,
        "update": sync.to_wire(update),
        "client_id": "c",
        "seq": seq,
    }
    if size < 2:
        with pytest.raises(PayloadError) as refused:
            sync.parse_update(payload, MAX_UPDATE)
        assert refused.value.code == "bad_request"
    elif size > MAX_UPDATE:
        with pytest.raises(PayloadError) as refused:
            sync.parse_update(payload, MAX_UPDATE)
        assert refused.value.code == "too_large"
    else:
        assert sync.parse_update(payload, MAX_UPDATE).update == update


def test_unknown_and_missing_fields_are_named() -> None:
    with pytest.raises(PayloadError) as unknown:
        sync.parse_leave({"document_id": 1, "extra": True})
    assert unknown.value.field == "extra"
    with pytest.raises(PayloadError) as missing:
        sync.parse_sync({"section_id": 1})
    assert missing.value.field == "state_vector"


yjs_ids = st.fixed_dictionaries(
    {"client": st.integers(0, sync.MAX_ID), "clock": st.integers(0, sync.MAX_ID)}
)
positions = st.fixed_dictionaries(
    {"tname": st.just("body")},
    optional={"item": yjs_ids, "assoc": st.integers(-sync.MAX_ASSOC, sync.MAX_ASSOC)},
)
cursors = st.none() | st.fixed_dictionaries({"anchor": positions, "head": positions})


def _parsed_cursor(cursor: object) -> object:
    return sync.parse_awareness({"section_id": None, "state": {"cursor": cursor}}).cursor


@given(cursor=cursors)
def test_the_editors_cursors_are_accepted_as_they_are(cursor: object) -> None:
    assert _parsed_cursor(cursor) == cursor


def _mutations(cursor: dict) -> st.SearchStrategy[object]:
    """The editor's cursor with one thing changed: a field added, one dropped, or a
    value of another type or out of range put in its place."""
    paths = [(end,) for end in cursor] + [
        (end, key) for end, position in cursor.items() for key in position
    ] + [
        (end, "item", part)
        for end, position in cursor.items()
        if "item" in position
        for part in ("client", "clock")
    ]
    wrong = json_values | st.sampled_from(
        [-1, sync.MAX_ID + 1, True, 1.0, "1", "altro", "", None, {}, [], 2**64]
    )

    def change(path: tuple, value: object, extra: str) -> object:
        copy = json.loads(json.dumps(cursor))
        target = copy
        for key in path[:-1]:
            target = target[key]
        if value == "drop" and path[-1] in ("anchor", "head", "tname", "client", "clock"):
            del target[path[-1]]
        elif value == "add":
            target[extra] = 0
        else:
            target[path[-1]] = value
        return copy

    return st.builds(
        change,
        st.sampled_from(paths),
        st.sampled_from(["drop", "add"]) | wrong,
        st.sampled_from(["type", "altro", "item2", "tname2"]),
    )


@given(data=st.data(), cursor=st.fixed_dictionaries({"anchor": positions, "head": positions}))
def test_anything_but_the_editors_cursor_is_refused(data: st.DataObject, cursor: dict) -> None:
    changed = data.draw(_mutations(cursor))
    try:
        parsed = _parsed_cursor(changed)
    except PayloadError as error:
        assert (error.code, error.field) == ("bad_request", "cursor")
        return
    # Some changes keep the shape (a new value of the right type and range).
    assert parsed == changed
    assert changed is None or (
        set(changed) == {"anchor", "head"}
        and all(p.get("tname") == "body" for p in changed.values())
    )


@given(cursor=json_values)
def test_arbitrary_json_is_a_cursor_only_in_the_editors_shape(cursor: object) -> None:
    try:
        assert _parsed_cursor(cursor) == cursor
    except PayloadError as error:
        assert error.field == "cursor"
        return
    assert cursor is None


def test_a_cursor_in_another_shared_type_or_with_a_broken_id_is_refused() -> None:
    fine = {"tname": "body", "item": {"client": 1, "clock": 2}, "assoc": 0}
    for position in (
        {"tname": "altro"},
        {"type": {"client": 1, "clock": 2}, "item": {"client": 1, "clock": 2}},
        {"tname": "body", "item": {"client": "1", "clock": 2}},
        {"tname": "body", "item": {"client": 1, "clock": {}}},
        {"tname": "body", "item": {"client": 1}},
        {"tname": "body", "assoc": "destra"},
        {"tname": "body", "assoc": 2**40},
        "body",
        5,
    ):
        with pytest.raises(PayloadError):
            _parsed_cursor({"anchor": fine, "head": position})
    with pytest.raises(PayloadError):
        _parsed_cursor({"anchor": fine})
    with pytest.raises(PayloadError):
        _parsed_cursor("x" * 100_000)


clocks = st.dictionaries(st.integers(0, 2**53 - 1), st.integers(0, 2**32 - 1), max_size=20)


@given(vector=clocks)
def test_state_vectors_round_trip(vector: dict[int, int]) -> None:
    encoded = sync.encode_state_vector(vector)
    assert sync.decode_state_vector(encoded) == vector


@given(vector=clocks, extra=st.binary(min_size=1, max_size=4))
def test_state_vectors_with_trailing_or_missing_bytes_are_refused(
    vector: dict[int, int], extra: bytes
) -> None:
    encoded = sync.encode_state_vector(vector)
    with pytest.raises(PayloadError):
        sync.decode_state_vector(encoded + extra)
    if vector:
        with pytest.raises(PayloadError):
            sync.decode_state_vector(encoded[:-1])


@given(texts=st.lists(st.text(max_size=10), min_size=1, max_size=6))
def test_pycrdt_state_vectors_decode_and_cover_what_was_applied(texts: list[str]) -> None:
    writers = []
    for text in texts:
        doc = Doc()
        doc.get("body", type=Text).insert(0, text)
        writers.append(doc)
    reader = Doc()
    reader.get("body", type=Text)
    for writer in writers:
        reader.apply_update(writer.get_update())
    seen = sync.decode_state_vector(reader.get_state())
    for index, writer in enumerate(writers):
        mine = sync.decode_state_vector(writer.get_state())
        assert sync.covers(seen, mine)
        others_wrote = any(text for other, text in enumerate(texts) if other != index)
        assert sync.covers(mine, seen) == (not others_wrote)


@given(a=clocks, b=clocks)
def test_covers_is_an_order(a: dict[int, int], b: dict[int, int]) -> None:
    assert sync.covers(a, a)
    assert sync.covers(a, {})
    union = {k: max(a.get(k, 0), b.get(k, 0)) for k in a.keys() | b.keys()}
    assert sync.covers(union, a) and sync.covers(union, b)


@given(
    rate=st.floats(0, 100),
    burst=st.integers(1, 50),
    gaps=st.lists(st.floats(0, 2), max_size=200),
)
def test_the_token_bucket_never_lets_more_than_burst_plus_rate(
    rate: float, burst: int, gaps: list[float]
) -> None:
    bucket = sync.TokenBucket(rate, burst)
    now, accepted = 0.0, 0
    for gap in gaps:
        now += gap
        accepted += bucket.take(now)
        assert 0 <= bucket.tokens <= burst
    assert accepted <= burst + rate * now + 1e-6


@given(rate=st.floats(0.5, 100), burst=st.integers(1, 50), count=st.integers(0, 100))
def test_the_token_bucket_lets_a_steady_pace_through(rate: float, burst: int, count: int) -> None:
    bucket = sync.TokenBucket(rate, burst)
    # A hair slower than the rate, so that float rounding cannot decide.
    assert all(bucket.take(i * 1.001 / rate) for i in range(count))


def test_the_token_bucket_refuses_beyond_the_burst_without_refill() -> None:
    bucket = sync.TokenBucket(0, 3)
    assert [bucket.take(t) for t in range(5)] == [True, True, True, False, False]


@given(
    seconds=st.integers(-120, 120),
    window=st.integers(1, 60),
)
def test_a_burst_continues_within_its_window_only(seconds: int, window: int) -> None:
    start = dt.datetime(2026, 3, 5, 9, 30)
    now = start + dt.timedelta(seconds=seconds)
    assert sync.continues_burst(start, now, dt.timedelta(seconds=window)) == (
        0 <= seconds <= window
    )


@given(
    every=st.integers(-5, 50),
    sizes=st.lists(st.integers(1, 30), max_size=40),
)
def test_a_batch_ends_with_a_snapshot_when_it_passes_a_multiple(
    every: int, sizes: list[int]
) -> None:
    """However updates are batched, each multiple of `every` in the log is followed by a
    snapshot at the end of its batch, and there are never more snapshots than multiples."""
    first, snapshots = 1, 0
    for size in sizes:
        last = first + size - 1
        due = sync.snapshot_due(first, last, every)
        assert due == (every > 0 and any(seq % every == 0 for seq in range(first, last + 1)))
        snapshots += due
        first = last + 1
    assert snapshots <= (0 if every <= 0 else (first - 1) // every)


@given(text=st.text())
def test_storable_text_has_no_nul_and_changes_nothing_else(text: str) -> None:
    kept = sync.storable(text)
    assert "\x00" not in kept
    assert len(kept) == len(text)
    assert [a for a, b in zip(text, kept, strict=True) if a != b] == ["\x00"] * text.count("\x00")


@given(st.binary(max_size=4096))
def test_binary_fields_survive_the_wire(data: bytes) -> None:
    assert sync.from_wire(sync.to_wire(data)) == data
