"""Automatic backups of a real server while people type: each archive is a consistent
moment of the instance, and a server started on its restoration has the text."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

from app.realtime.client import TavoloClient
from tests.realtime.conftest import started
from tests.realtime.helpers import wait_until
from tests.realtime.server import LiveServer

TOKEN = re.compile(r"⟦(\d+)⟧")
KEEP = 3


def _type(client: TavoloClient, section_id: int, stop: threading.Event) -> None:
    number = 0
    while not stop.is_set():
        with client.paused():
            client.insert(section_id, len(client.text(section_id)), f"⟦{number}⟧ ")
        number += 1
        time.sleep(0.02)


def test_backups_taken_while_people_type_restore_into_a_working_server(tmp_path: Path) -> None:
    origin = tmp_path / "origine"
    origin.mkdir()
    world_of = started(
        origin,
        BACKUP_EVERY_MINUTES="0.01",
        BACKUP_KEEP=str(KEEP),
        EXPORTS_DIR=str(origin / "exports"),
    )
    world = next(world_of)
    backups = origin / "backups"
    seen: set[str] = set()
    most = 0
    stop = threading.Event()
    try:
        doc = world.document("Prima del backup.\n")
        writer = TavoloClient(world.links["writer1"])
        writer.join(doc.id)
        typist = threading.Thread(target=_type, args=(writer, doc.section_id, stop))
        typist.start()

        def rotated_enough() -> bool:
            nonlocal most
            names = {p.name for p in backups.glob("tavolo-*.tar.gz")}
            seen.update(names)
            most = max(most, len(names))
            return len(seen) >= KEEP + 3

        try:
            wait_until(rotated_enough, timeout=120)
        finally:
            stop.set()
            typist.join()
        writer.wait_synced(30)
        archive = sorted(backups.glob("tavolo-*.tar.gz"))[-1]
        writer.close()
    finally:
        world_of.close()
    assert most <= KEEP

    restored = LiveServer(tmp_path / "nuova", EXPORTS_DIR=str(tmp_path / "nuova" / "exports"))
    (tmp_path / "nuova").mkdir()
    restored.tavolo(["tavolo", "restore", str(archive)])
    assert restored.sql("PRAGMA integrity_check") == [("ok",)]
    restored.start()
    try:
        link = world.links["writer1"].replace(world.base_url, restored.base_url)
        with TavoloClient(link) as reader:
            reader.join(doc.id)
            text = reader.text(doc.section_id)
    finally:
        restored.stop()
    # A consistent moment: the text as it was, with the typist's first tokens in order
    # and none missing in between.
    assert text.startswith("Prima del backup.\n")
    numbers = [int(n) for n in TOKEN.findall(text)]
    assert numbers == list(range(len(numbers)))
    assert numbers, "the archive was taken before any typing"
