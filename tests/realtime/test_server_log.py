"""What the server writes in its log, where the organiser sees it: the terminal of `make
run`. People come and go all day; that must not read as a crash."""

from __future__ import annotations

from app.realtime.client import TavoloClient
from tests.realtime.conftest import World
from tests.realtime.helpers import wait_until

LEAVING = ("writer1", "writer2", "writer3")


def test_people_who_leave_leave_no_error_in_the_log(world: World) -> None:
    doc = world.document("Piano.")
    before = world.server.log.read_text(errors="replace")
    with TavoloClient(world.links["observer"]) as watcher:
        watcher.join(doc.id)
        watcher.set_presence(None, idle=True)

        def others() -> set[str]:
            return {p["name"] for p in watcher.presence.get(doc.id, [])} - {"Oscar Orsini"}

        leaving = [TavoloClient(world.links[persona]) for persona in LEAVING]
        try:
            for client in leaving:
                client.join(doc.id)
                client.set_presence(doc.section_id, idle=False)
            wait_until(lambda: len(others()) == len(LEAVING))
        finally:
            for client in leaving:
                client.close()
        # The server has seen them go.
        wait_until(lambda: not others())
    written = world.server.log.read_text(errors="replace")[len(before) :]
    assert "Traceback" not in written, written[-3000:]
