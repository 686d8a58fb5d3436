"""Socket.IO's Redis message queue between server processes, made to lose nothing that
people see when Redis goes away for a while (a restart, a failover).

Redis's publish/subscribe keeps nothing: what a process publishes while another one is
not subscribed is gone. Every event reaches the people of its own process directly, so
an outage cuts only what crosses processes; but an update relayed to the people of one
process and never to those of another left their texts apart until they reloaded the
page (the CRDT waits for the missing update, so every later one from the same person
waited too). When a process is subscribed again it sends its own people what they may
have missed, read from the database, where every acknowledged update is: the updates
stored since shortly before the queue was lost, and each section's state.

It also keeps events for one connection of this process off the queue (a joiner's full
presence list or a refused typist's reset has nothing to do in the other processes), and
closes a login's connections in every process when that login ends."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from socketio import RedisManager

from app.modules.timeutil import utcnow

log = logging.getLogger(__name__)

# How far before the loss was noticed the resent updates go back: messages in flight
# when Redis went away, and the clocks of other machines.
MARGIN = dt.timedelta(seconds=10)
RETRY_SECONDS = 0.5
# Before reading what to resend: the subscription must be in place at Redis first, so
# that whatever is stored after the reading arrives through it.
SETTLE_SECONDS = 0.3


LOGIN_ROOM = "login:"


def login_room(login_id: int) -> str:
    """Every connection opened with the login, on any process: closing the room closes
    them (a logout, a renewed link)."""
    return f"{LOGIN_ROOM}{login_id}"


class Relay(RedisManager):
    def __init__(self, url: str, channel: str) -> None:
        super().__init__(
            url,
            channel=channel,
            # A Redis that does not answer must not hold a process's relaying for long.
            redis_options={"socket_connect_timeout": 2, "socket_keepalive": True},
        )
        # Called, in a task of its own, with the moment from which to resend.
        self.resumed: Callable[[dt.datetime], None] | None = None

    def emit(  # type: ignore[override]
        self,
        event: str,
        data: Any,
        namespace: str | None = None,
        room: str | None = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: str | None = None,
        **kwargs: Any,
    ) -> Any:
        target = to or room
        if (
            isinstance(target, str)
            and callback is None
            and self.is_connected(target, namespace or "/")
        ):
            kwargs["ignore_queue"] = True
        return super().emit(
            event,
            data,
            namespace=namespace,
            room=target,
            skip_sid=skip_sid,
            callback=callback,
            **kwargs,
        )

    def _handle_emit(self, message: dict) -> None:
        """Every process receives every event of every process: one for a room that has
        nobody here (a document routed to another process) is dropped before its
        payload is decoded."""
        room = message.get("room")
        if isinstance(room, str) and message.get("callback") is None:
            members = self.rooms.get(message.get("namespace") or "/", {}).get(room)
            if not members:
                return
        super()._handle_emit(message)

    def _handle_close_room(self, message: dict) -> None:
        """Closing a login's room, here or in another process, closes its connections."""
        room, namespace = message.get("room"), message.get("namespace") or "/"
        if isinstance(room, str) and room.startswith(LOGIN_ROOM):
            for sid, _ in list(self.get_participants(namespace, room)):
                self.server.disconnect(sid, namespace=namespace, ignore_queue=True)
        super()._handle_close_room(message)

    def _redis_listen_with_retries(self) -> Iterator[dict]:
        """The library's loop waits up to a minute between attempts (doubling from one
        second): relaying between processes then resumed long after Redis was back.
        This one tries every half second, and says when it is subscribed again."""
        lost: dt.datetime | None = None
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                if lost is not None:
                    log.warning("message queue back: resending what was stored since %s", lost)
                    self._resume(lost - MARGIN)
                    lost = None
                yield from self.pubsub.listen()
            except Exception as error:
                if lost is None:
                    lost = utcnow()
                    log.error("message queue lost (%s): retrying", error)
                time.sleep(RETRY_SECONDS)

    def _resume(self, since: dt.datetime) -> None:
        resumed = self.resumed
        if resumed is None:
            return

        def later() -> None:
            self.server.sleep(SETTLE_SECONDS)
            try:
                resumed(since)
            except Exception:
                log.exception("updates missed while the message queue was lost not resent")

        self.server.start_background_task(later)
