"""The client ids an update writes under, read from updates pycrdt made: exactly the
writers' ids, each with its clock after the update, whatever the content; anything
that is not exactly one update is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, Text, merge_updates

from app.core.edits import utf8_len
from app.core.sync import covers, decode_state_vector
from app.core.yjs_clients import MalformedUpdate, authored, authors, clocks
from tests.forged_updates import deletion

client_ids = st.integers(min_value=0, max_value=2**53 - 1)
words = st.text(max_size=8)
scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | words | st.binary(max_size=4)
values = st.recursive(
    scalars | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(words, inner, max_size=3),
    max_leaves=6,
)

# Every kind of change a section's document can receive: text, deletions, formatting,
# embeds, and nested shared types with JSON-like values.
edits = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 50), words),
    st.tuples(st.just("delete"), st.integers(0, 50), st.integers(1, 5)),
    # At least one attribute: yrs 0.28 panics on an empty formatting in some states
    # (a division by zero in its block store), which no editor of ours ever sends.
    st.tuples(
        st.just("format"),
        st.integers(0, 50),
        st.dictionaries(words, scalars, min_size=1, max_size=2),
    ),
    st.tuples(st.just("embed"), st.integers(0, 50), st.dictionaries(words, values, max_size=2)),
    st.tuples(st.just("map"), words, values),
    st.tuples(st.just("array"), st.lists(values, max_size=3), st.binary(max_size=3)),
)


def _edit(doc: Doc, edit: tuple) -> None:
    kind = edit[0]
    text = doc.get("body", type=Text)
    current = str(text)
    # pycrdt counts UTF-8 bytes: positions are taken at character boundaries.
    at = utf8_len(current[: min(edit[1], len(current))]) if isinstance(edit[1], int) else 0
    if kind == "insert":
        text.insert(at, edit[2])
    elif kind == "delete" and current:
        start = min(edit[1], len(current) - 1)
        del text[utf8_len(current[:start]) : utf8_len(current[: start + edit[2]])]
    elif kind == "format" and current:
        text.format(0, max(at, 1), edit[2])
    elif kind == "embed":
        # In a text of their own: an embed takes a position but no character.
        doc.get("notes", type=Text).insert_embed(0, edit[2])
    elif kind == "map":
        doc.get("meta", type=Map)[edit[1]] = Map({"value": Array([edit[2]])})
    elif kind == "array":
        doc.get("list", type=Array).append(Array([*edit[1], edit[2]]))


def _written(client_id: int, changes: list[tuple]) -> Doc:
    doc = Doc(client_id=client_id)
    for edit in changes:
        _edit(doc, edit)
    return doc


@given(client_id=client_ids, changes=st.lists(edits, max_size=8))
def test_a_writers_update_names_its_id_and_clock(client_id: int, changes: list[tuple]) -> None:
    doc = _written(client_id, changes)
    update = doc.get_update()
    clocks = decode_state_vector(doc.get_state())
    assert authored(update) == clocks
    assert authors(update) == ({client_id} if clocks else set())


@given(client_id=client_ids, before=st.lists(edits, max_size=4), after=st.lists(edits, max_size=4))
def test_an_incremental_update_names_only_what_it_adds(
    client_id: int, before: list[tuple], after: list[tuple]
) -> None:
    doc = _written(client_id, before)
    state = doc.get_state()
    for edit in after:
        _edit(doc, edit)
    wrote = decode_state_vector(doc.get_state()) != decode_state_vector(state)
    assert authors(doc.get_update(state)) == ({client_id} if wrote else set())


@given(
    writers=st.dictionaries(client_ids, st.lists(edits, min_size=1, max_size=4), max_size=4)
)
def test_merged_and_relayed_updates_name_every_writer(writers: dict[int, list[tuple]]) -> None:
    docs = [_written(client_id, changes) for client_id, changes in writers.items()]
    wrote = {doc.client_id for doc in docs if doc.get_state() != b"\x00"}
    updates = [doc.get_update() for doc in docs]
    assert authors(merge_updates(*updates) if updates else b"\x00\x00") == wrote
    # A reader that applied them all hands on the same ids in its own update.
    reader = Doc(client_id=2**53 - 1 if 2**53 - 1 not in writers else 0)
    for update in updates:
        reader.apply_update(update)
    assert authors(reader.get_update()) == wrote


@given(client_id=client_ids, changes=st.lists(edits, min_size=1, max_size=5), data=st.data())
def test_anything_but_exactly_one_update_is_refused(
    client_id: int, changes: list[tuple], data: st.DataObject
) -> None:
    update = _written(client_id, changes).get_update()
    cut = data.draw(st.integers(0, len(update) - 1))
    with pytest.raises(MalformedUpdate):
        authored(update[:cut])
    with pytest.raises(MalformedUpdate):
        authored(update + data.draw(st.binary(min_size=1, max_size=4)))


@given(noise=st.binary(max_size=64))
def test_arbitrary_bytes_are_read_or_refused_cleanly(noise: bytes) -> None:
    try:
        ends = authored(noise)
    except MalformedUpdate:
        return
    assert all(0 <= clock <= 2**53 - 1 for clock in ends.values())


def test_deletions_of_others_text_name_no_writer() -> None:
    author = _written(1, [("insert", 0, "testo di un'altra persona")])
    editor = Doc(client_id=2)
    editor.apply_update(author.get_update())
    state = editor.get_state()
    del editor.get("body", type=Text)[0:5]
    assert authors(editor.get_update(state)) == set()


# -- what an update needs the replica to hold --------------------------------------------


@given(
    ranges=st.dictionaries(
        client_ids,
        st.lists(st.tuples(st.integers(0, 2**40), st.integers(0, 2**12)), max_size=4),
        max_size=4,
    )
)
def test_a_deletion_needs_exactly_the_items_it_names(
    ranges: dict[int, list[tuple[int, int]]],
) -> None:
    read = clocks(deletion(ranges))
    assert read.writes == {}
    assert read.needs == {
        client: max(clock + length for clock, length in pairs if length)
        for client, pairs in ranges.items()
        if any(length for _, length in pairs)
    }


# Local edits on one document: (insert, position, text) or (delete, position, length).
local_edits = st.lists(
    st.tuples(st.sampled_from(["insert", "delete"]), st.integers(0, 60), st.text(max_size=6)),
    max_size=10,
)


def _clock_width(character: str) -> int:
    return len(character.encode("utf-16-le")) // 2


def _typed(
    doc: Doc, changes: list[tuple], model: list[tuple[int, int]] | None = None
) -> set[tuple[int, int]]:
    """Applies the changes. With `model`, the (client, clock after it) of every visible
    character, kept exact (on one document local edits land where they are made), returns
    the ids of the characters deleted."""
    model = [] if model is None else model
    text = doc.get("body", type=Text)
    deleted: set[tuple[int, int]] = set()
    for kind, where, value in changes:
        current = str(text)
        at = min(where, len(current))
        if kind == "insert" and value:
            clock = decode_state_vector(doc.get_state()).get(doc.client_id, 0)
            ids = []
            for character in value:
                clock += _clock_width(character)
                ids.append((doc.client_id, clock))
            text.insert(utf8_len(current[:at]), value)
            model[at:at] = ids
        elif kind == "delete" and current:
            stop = min(len(current), at + 1 + len(value))
            at = min(at, stop - 1)
            del text[utf8_len(current[:at]) : utf8_len(current[:stop])]
            deleted.update(model[at:stop])
            del model[at:stop]
    return deleted


@given(author_changes=local_edits, editor_changes=local_edits)
def test_an_editors_update_needs_the_text_it_deletes_or_writes_next_to(
    author_changes: list[tuple], editor_changes: list[tuple]
) -> None:
    """One person writes, another edits that text: the editor's update needs the author's
    text up to the last character it deletes, needs nothing of the editor's own text (its
    own deletions of what it just wrote included), and takes effect entirely on the
    author's replica."""
    author, editor = Doc(client_id=1), Doc(client_id=2)
    model: list[tuple[int, int]] = []
    _typed(author, [c for c in author_changes if c[0] == "insert"], model)
    editor.apply_update(author.get_update())
    state = author.get_state()
    deleted = _typed(editor, editor_changes, model)
    update = editor.get_update(state)
    read = clocks(update)

    assert read.needs.get(2, 0) == 0
    deleted_of_author = [end for client, end in deleted if client == 1]
    assert read.needs.get(1, 0) >= max(deleted_of_author, default=0)
    assert covers(decode_state_vector(state), read.needs)
    author.apply_update(update)
    assert covers(decode_state_vector(author.get_state()), read.writes)
    assert str(author.get("body", type=Text)) == str(editor.get("body", type=Text))


@given(steps=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), local_edits), max_size=8))
def test_updates_between_replicas_need_only_what_the_receiver_holds(
    steps: list[tuple[int, int, list[tuple]]],
) -> None:
    """Three replicas edit and exchange what the other lacks, as the sync step does: every
    update's needs are held by its receiver, and it takes effect there entirely; an
    update of a replica's whole state needs nothing."""
    docs = [Doc(client_id=n + 1) for n in range(3)]
    for sender, receiver, changes in steps:
        _typed(docs[sender], changes)
        have = docs[receiver].get_state()
        update = docs[sender].get_update(have)
        read = clocks(update)
        assert covers(decode_state_vector(have), read.needs)
        docs[receiver].apply_update(update)
        assert covers(decode_state_vector(docs[receiver].get_state()), read.writes)
        assert clocks(docs[sender].get_update()).needs == {}


@given(parts=st.lists(local_edits, min_size=3, max_size=3))
def test_a_merged_update_with_a_hole_needs_what_fills_it(parts: list[list[tuple]]) -> None:
    """A writer's first and third updates merged, without the second: the replica must
    hold the second already, and one that does not is left waiting."""
    writer = Doc(client_id=5)
    updates, states = [], []
    for changes in parts:
        states.append(writer.get_state())
        _typed(writer, [("insert", 0, "x"), *changes])
        updates.append(writer.get_update(states[-1]))
    merged = merge_updates(updates[0], updates[2])
    read = clocks(merged)
    assert read.needs[5] == decode_state_vector(states[2])[5]

    holding_both = Doc()
    for update in updates[:2]:
        holding_both.apply_update(update)
    assert covers(decode_state_vector(holding_both.get_state()), read.needs)
    holding_both.apply_update(merged)
    assert covers(decode_state_vector(holding_both.get_state()), read.writes)

    holding_first = Doc()
    holding_first.apply_update(updates[0])
    assert not covers(decode_state_vector(holding_first.get_state()), read.needs)
    holding_first.apply_update(merged)
    assert not covers(decode_state_vector(holding_first.get_state()), read.writes)
