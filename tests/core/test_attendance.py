from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from app.core.attendance import (
    CODE_ALPHABET,
    CODE_LENGTH,
    day_in,
    majority,
    room_code,
    same_code,
)

secrets = st.binary(min_size=16, max_size=64)
ids = st.integers(min_value=1, max_value=2**63 - 1)


@given(secrets, ids, st.integers(min_value=0, max_value=10_000))
def test_a_room_code_is_short_unambiguous_and_the_same_each_time(
    secret: bytes, workshop_id: int, generation: int
) -> None:
    code = room_code(secret, workshop_id, generation)
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert not set(code) & set("0o1lis5")
    assert code == room_code(secret, workshop_id, generation)
    assert same_code(code, room_code(secret, workshop_id, generation))


@given(secrets, ids, st.integers(min_value=0, max_value=10_000))
def test_another_room_or_a_replaced_code_is_another_code(
    secret: bytes, workshop_id: int, generation: int
) -> None:
    code = room_code(secret, workshop_id, generation)
    # 31^8 codes: a collision here would be a fault of the derivation, not bad luck.
    assert code != room_code(secret, workshop_id, generation + 1)
    assert code != room_code(secret, workshop_id + 1, generation)
    assert code != room_code(secret + b"x", workshop_id, generation)


@given(st.text(max_size=20), st.text(max_size=20))
def test_codes_compare_as_texts(given_code: str, expected: str) -> None:
    assert same_code(given_code, expected) == (given_code == expected)


@given(st.integers(min_value=0, max_value=10_000))
def test_the_majority_is_more_than_half_of_those_present(present: int) -> None:
    needed = majority(present)
    if present == 0:
        assert needed == 0
    else:
        assert needed * 2 > present and (needed - 1) * 2 <= present


@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)))
def test_the_day_is_the_rooms_whatever_the_zone(moment: dt.datetime) -> None:
    rome, london = day_in(moment, "Europe/Rome"), day_in(moment, "Europe/London")
    assert day_in(moment, "UTC") == moment.date()
    # Rome is one or two hours ahead of London, never a day behind it.
    assert rome in (london, london + dt.timedelta(days=1))
