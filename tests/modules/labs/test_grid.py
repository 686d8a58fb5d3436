"""The grid the screens of a room share: made again when the workshop's decisions move
or its lifetime passes, never otherwise."""

from __future__ import annotations

from app.modules.labs.grid import Decided, Grid, GridCache, Shown


def test_a_kept_grid_lasts_until_a_decision_or_its_lifetime() -> None:
    now = [100.0]
    cache = GridCache(clock=lambda: now[0])
    made: list[Shown] = []

    def make() -> Shown:
        made.append(Shown(Grid(()), f"v{len(made)}"))
        return made[-1]

    def ask(key: Decided, workshop_id: int = 1) -> str:
        return cache.get(workshop_id, key, 2.0, make).version

    before = Decided(audit=7, room=1)
    assert [ask(before) for _ in range(150)] == ["v0"] * 150
    now[0] += 1.9
    assert ask(before) == "v0"
    assert ask(Decided(audit=8, room=1)) == "v1"  # someone decided something
    assert ask(Decided(audit=8, room=2)) == "v2"  # the room changed
    now[0] += 2.0
    assert ask(Decided(audit=8, room=2)) == "v3"  # the last minutes moved on
    assert ask(Decided(audit=8, room=2), workshop_id=2) == "v4"  # each workshop its own
    assert ask(Decided(audit=8, room=2)) == "v3"
    assert len(made) == 5
