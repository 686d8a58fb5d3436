"""Each section's text as a pycrdt document, kept in memory by every server process and
rebuilt from the database's append-only update log.

The database is the truth and the documents in memory are a cache of it. Before a sync
or an update the store reads the rows other processes wrote since (CRDT updates commute,
so a late arrival changes nothing); when anything fails half-way the cached document is
dropped and rebuilt from the log on next use, so a malformed update can never leave its
traces in the text people are shown.

Writes commit here, under the section's lock, rather than at the event boundary: a
reply or a relay must never announce a change that a crash could still undo, and the
next update of a section must not be numbered before the previous one is durable.
Updates that arrive while a section is being written are written together, in one
transaction: a durable commit costs a disk flush, and one flush per keystroke would cap
a section at a few dozen keystrokes a second for the whole room. The writer may also
wait a moment before taking the waiting updates (`gather`: the server waits for the
room's next relay tick), so that the keystrokes of a whole tick share one commit: with
gevent one thread serves every connection and blocks for each commit, and forty typists
made a commit of one update each.

What a keystroke commits is its row of the log, nothing more. The section's text in SQL
(`Section.body`, for pages, exports and comparisons) and each author's revision are
stored a moment later (`settle`), in a transaction of their own: rewriting a long text
and every typist's revision in every batch multiplied the disk writes of a busy section
and held the section's writer, and with it everyone's acknowledgement, for their
duration. `Section.body_seq` says which update the stored text includes, so what the log
holds beyond it is never lost: it is stored at the next settling, by this process or
any other, also after a crash; readers that need every acknowledged keystroke settle
first."""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from pycrdt import Doc, Text, merge_updates
from sqlalchemy import bindparam, func
from sqlalchemy.exc import IntegrityError

from app.core.edits import edits, utf8_len
from app.core.sync import (
    MAX_CLIENT_IDS_PER_PERSON,
    MAX_NEW_CLIENT_IDS,
    covers,
    snapshot_due,
    storable,
    to_wire,
)
from app.core.words import goes_over
from app.core.yjs_clients import MalformedUpdate, clocks
from app.extensions import db
from app.modules.documents.models import Section
from app.modules.revisions.models import CrdtClient, SectionSnapshot, SectionUpdate
from app.modules.revisions.services import Burst, Typing, record_change, record_typings
from app.modules.timeutil import utcnow
from app.realtime.crdt import Waiting, absorb, held, read

log = logging.getLogger(__name__)

TEXT_NAME = "body"
REMEMBERED_TEXTS = 200
# Sync answers kept per section: for a fresh replica (the empty state vector) and for the
# few vectors a whole room shares after reconnecting together.
REMEMBERED_ANSWERS = 4


class InvalidUpdate(Exception):
    """Bytes pycrdt cannot apply, or changes outside the section's text."""


class TextTooLong(Exception):
    """The update would make the section's text longer than the limit: refused before
    it is stored or acknowledged (an update that shortens a text already above the
    limit, set lower since, goes through)."""


class WordsOverLimit(Exception):
    """The update would take the section's text past its hard word limit: refused
    before it is stored or acknowledged (see app.core.words.goes_over)."""


class Raced(Exception):
    """Another process stored the section's text, or extended a revision of it, between
    reading and writing it."""


class ForeignClient(Exception):
    """The update writes new items under a Yjs client id that another person (or the
    server) wrote with first in this section."""


class OutOfOrder(Exception):
    """The update builds on changes of its sender's own client ids the server has not
    received: sent before an earlier one of theirs that is still to come. Kept waiting,
    it could never be told apart from an update that waits forever."""


class NotStored(Exception):
    """The batch this update was written with failed: nothing of it was stored, and the
    same update can simply be sent again."""


@dataclass
class LiveText:
    doc: Doc = field(init=False)
    text: Text = field(init=False)
    seq: int = 0
    loaded: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    waiting: list[Ticket] = field(default_factory=list)
    waiting_lock: threading.Lock = field(default_factory=threading.Lock)
    # Whether a thread is writing the waiting updates (see Store._lead).
    writing: bool = False
    # Each author's latest revision of the section, by person id.
    bursts: dict[int, Burst] = field(default_factory=dict)
    # The text after each batch written since the text was last stored, by the number
    # of the batch's last update: a revision holds the text as its author left it, not
    # as it stood when it was stored.
    texts: list[tuple[int, str]] = field(default_factory=list)
    # Who wrote first under each Yjs client id (see CrdtClient), None for the server:
    # durable facts, so kept across `reset`, and read from the database once per section.
    owners: dict[int, int | None] = field(default_factory=dict)
    owners_loaded: bool = False
    # Updates applied whose items the document does not hold yet, each with the clocks
    # it writes up to (see Store._absorb): rows of a log written before every accepted
    # update had to take effect at once (see Store._refusal).
    waiting_updates: Waiting = field(default_factory=list)
    # The document holds every row committed before this moment (time.monotonic()).
    caught_up_at: float = field(init=False)
    # Answers to syncs, by state vector, computed from the document at update `seq`
    # `answered_seq` (see Store.answer).
    answers: dict[bytes, Answer] = field(init=False)
    answered_seq: int = field(init=False)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.doc = Doc()
        self.text = self.doc.get(TEXT_NAME, type=Text)
        self.seq = 0
        self.loaded = False
        self.bursts = {}
        self.texts = []
        self.waiting_updates = []
        self.caught_up_at = -math.inf
        self.answers = {}
        self.answered_seq = -1


@dataclass(frozen=True)
class Answer:
    """What the server has beyond a state vector, and its own vector: one object for
    everyone who syncs from the same vector while the document stays as it is."""

    update: bytes
    state_vector: bytes

    @cached_property
    def wire(self) -> dict[str, str]:
        """As the protocol sends it, encoded once for all who receive it."""
        return {"update": to_wire(self.update), "state_vector": to_wire(self.state_vector)}


@dataclass
class Ticket:
    """One update waiting to be written, by whichever thread writes the section next."""

    person_id: int
    update: bytes
    # "typed" updates are grouped into bursts per author; any other origin (a restore,
    # an accepted amendment) is a revision of its own, pointing at `source_id`.
    origin: str = "typed"
    source_id: int | None = None
    # Called by the writer once the update is committed, before the waiting thread is
    # woken: what is relayed then leaves with the tick the writer waited for.
    written: Callable[[], None] | None = None
    # Each client id the update holds items of, with the clock after its last one; and
    # those of them bound to someone else: accepted only when the server has all their
    # items already (see Store._refusal).
    writes: dict[int, int] = field(default_factory=dict)
    foreign: dict[int, int] = field(default_factory=dict)
    # How far the server must hold each client id's items for the update to take effect
    # entirely (see app.core.yjs_clients.Clocks): it is refused otherwise.
    needs: dict[int, int] = field(default_factory=dict)
    # The section's hard word limit when the update was sent, if it has one.
    word_limit: int | None = None
    done: bool = False
    error: BaseException | None = None
    woken: threading.Event = field(default_factory=threading.Event)

    def finish(self, error: BaseException | None = None) -> None:
        self.error, self.done = error, True
        self.woken.set()


@dataclass(frozen=True)
class Preview:
    """What a refused update would have made of the text, and the state to reset to."""

    base_text: str
    proposed_text: str
    state: bytes


def integrate(doc: Doc, update: bytes) -> None:
    try:
        doc.apply_update(update)
    except Exception as error:
        raise InvalidUpdate(str(error)) from error
    except BaseException as error:
        # pycrdt reports a panic of the Rust core as PanicException, a BaseException.
        if type(error).__name__ != "PanicException":
            raise
        raise InvalidUpdate(str(error)) from error
    if set(doc.keys()) != {TEXT_NAME}:
        raise InvalidUpdate("changes outside the section text")


class Store:
    def __init__(
        self,
        snapshot_every: int,
        burst_window: dt.timedelta,
        capacity: int,
        gather: Callable[[], None] | None = None,
        max_text_bytes: int | None = None,
    ) -> None:
        """`gather` is called by a thread about to write a section's waiting updates,
        before it takes them: the longer it waits, the more updates one commit stores.
        `max_text_bytes` bounds a section's text (UTF-8), see `TextTooLong`."""
        self.max_text_bytes = max_text_bytes
        self._snapshot_every = snapshot_every
        self._gather = gather
        self._burst_window = burst_window
        self._capacity = capacity
        self._live: OrderedDict[int, LiveText] = OrderedDict()
        self._guard = threading.Lock()

    def sync(self, section_id: int, state_vector: bytes) -> tuple[bytes, bytes]:
        """What the server has that `state_vector` lacks, and the server's own vector."""
        answer = self.answer(section_id, state_vector)
        return answer.update, answer.state_vector

    def answer(self, section_id: int, state_vector: bytes, since: float | None = None) -> Answer:
        """`sync`, shared: the same answer for everyone who asks from the same vector
        while the document stays as it is. With `since` (a time.monotonic() moment),
        the log need only have been read after that moment, not now: a room whose
        people join together then costs one read of the log and one encoding of the
        text per section, not one each (250 people joining a document of six sections
        made 1,500 reads and encodings). Without it, the log is read now."""
        live = self._entry(section_id)
        with live.lock, self._evicting_on_error(live, section_id):
            if since is None or not live.loaded or live.caught_up_at < since:
                # A read in a transaction begun earlier sees the log as it stood then.
                began = None if db.session().in_transaction() else time.monotonic()
                self._ready(live, section_id)
                if began is not None:
                    live.caught_up_at = max(live.caught_up_at, began)
            return self._answer(live, state_vector)

    @staticmethod
    def _answer(live: LiveText, state_vector: bytes) -> Answer:
        if live.answered_seq != live.seq:
            live.answers, live.answered_seq = {}, live.seq
        found = live.answers.get(state_vector)
        if found is None:
            found = Answer(live.doc.get_update(state_vector), live.doc.get_state())
            if len(live.answers) >= REMEMBERED_ANSWERS:
                del live.answers[next(iter(live.answers))]
            live.answers[state_vector] = found
        return found

    def apply(
        self,
        section_id: int,
        person_id: int,
        update: bytes,
        written: Callable[[], None] | None = None,
        word_limit: int | None = None,
    ) -> None:
        """Applies and durably stores one update; returns once it is committed, after
        `written` was called. With `word_limit`, an update that takes the text past it
        is refused (WordsOverLimit). Every accepted update is logged, even one that changes
        nothing visible: telling a duplicate apart costs more than logging it, and an
        update takes effect entirely when it is accepted (see _refusal). Raises ForeignClient
        for new items under a client id someone else wrote with first, or for deleting
        items of theirs the server does not hold; OutOfOrder when the update builds on
        the sender's own changes the server has not received yet."""
        # Unreadable bytes are refused here, alone, before they can share a batch.
        try:
            found = clocks(update)
        except MalformedUpdate as error:
            raise InvalidUpdate(str(error)) from error
        integrate(LiveText().doc, update)
        live = self._entry(section_id)
        foreign = self._claim(live, section_id, person_id, found.writes)
        ticket = Ticket(
            person_id, update, written=written, writes=found.writes, foreign=foreign,
            needs=found.needs, word_limit=word_limit,
        )
        with live.waiting_lock:
            live.waiting.append(ticket)
            leading, live.writing = not live.writing, True
        if not leading:
            # A pooled connection held while waiting is one that the next keystroke's
            # access check cannot have: under load the queue for connections, not the
            # writing, set the pace. A keystroke's thread usually has no session at all
            # (the access check reads without one), and none is made just to close it.
            if db.session.registry.has():
                db.session.close()
            # Woken once: when a leader has written this update, or to lead the next batch.
            ticket.woken.wait()
        if not ticket.done:
            self._lead(live, section_id, ticket)
        if ticket.error is not None:
            raise ticket.error

    def _lead(self, live: LiveText, section_id: int, own: Ticket) -> None:
        """Writes every update waiting for the section in one commit, then hands the
        section to the writer of the oldest update that arrived meanwhile. One thread
        writes at a time and every other one is woken exactly once: making forty
        typists' threads take the section's lock in turn costs a thread switch each,
        which under load took longer than the writing itself."""
        try:
            if self._gather is not None:
                self._gather()
            with live.lock, self._evicting_on_error(live, section_id):
                # Rows other processes wrote are not looked for first: update numbers
                # are unique, so writing after one of them fails, and the writing then
                # catches up and numbers after it (see _append). One query less for
                # every batch, which waits for it.
                if not live.loaded:
                    self._ready(live, section_id)
                self._write_waiting(live, section_id)
        except BaseException as error:
            # Failed before taking the batch (loading the section, say): the update must
            # not stay first in line with nobody left to write it.
            with live.waiting_lock:
                if own in live.waiting:
                    live.waiting.remove(own)
                    own.finish(NotStored(repr(error)))
            raise
        finally:
            with live.waiting_lock:
                if live.waiting:
                    live.waiting[0].woken.set()
                else:
                    live.writing = False

    def write(
        self,
        section_id: int,
        person_id: int,
        text: str | Callable[[str], str],
        origin: str,
        source_id: int | None,
        word_limit: int | None = None,
    ) -> bytes | None:
        """Makes the section's text `text` (or what `text` makes of the current text,
        computed under the section's lock, so that nothing typed meanwhile is undone) as
        a server-side edit, stored like a typed one; returns the update for the room, or
        None when nothing changed. Refused like a typed update above the section's
        limits (TextTooLong, WordsOverLimit)."""
        with self._current(section_id) as live:
            current = str(live.text)
            if callable(text):
                text = text(current)
            if current == text:
                return None
            self._check_length(utf8_len(current), utf8_len(text))
            if goes_over(current, text, word_limit):
                raise WordsOverLimit(word_limit)
            before = live.doc.get_state()
            with live.doc.transaction():
                for change in edits(current, text):
                    start = utf8_len(current[: change.start])
                    stop = start + utf8_len(current[change.start : change.stop])
                    if stop > start:
                        del live.text[start:stop]
                    if change.insert:
                        live.text.insert(start, change.insert)
            update = live.doc.get_update(before)
            # Loaded so that the batch knows whether it binds the server's id.
            self._owners(live, section_id)
            self._append(live, section_id, [Ticket(person_id, update, origin, source_id)])
            live.owners.setdefault(live.doc.client_id, None)
            return update

    def settle(self, section_id: int) -> None:
        """Stores the section's text and its authors' revisions up to the last update of
        the log, and commits."""
        with self._current(section_id) as live:
            self._settle(live, section_id)

    def preview(self, section_id: int, update: bytes) -> Preview:
        """Applies the update to a scratch copy only: the live text stays untouched."""
        with self._current(section_id) as live:
            base_text, state = str(live.text), live.doc.get_update()
        scratch = LiveText()
        scratch.doc.apply_update(state)
        integrate(scratch.doc, update)
        return Preview(storable(base_text), storable(str(scratch.text)), state)

    def _claim(
        self, live: LiveText, section_id: int, person_id: int | None, ends: dict[int, int]
    ) -> dict[int, int]:
        """Binds the update's client ids nobody wrote with yet to `person_id`; returns
        those bound to someone else. Only ids not seen before cost a query: a keystroke
        under the typist's own id is checked in memory."""
        owners = self._owners(live, section_id)
        new = ends.keys() - owners.keys()
        if new and (
            len(new) > MAX_NEW_CLIENT_IDS
            or sum(1 for owner in owners.values() if owner == person_id) + len(new)
            > MAX_CLIENT_IDS_PER_PERSON
        ):
            # Each new id costs a commit of its own: a flood of them would hold the disk.
            raise InvalidUpdate(f"too many new client ids: {len(new)}")
        for client_id in new:
            owners[client_id] = self._bind(section_id, client_id, person_id)
        return {c: end for c, end in ends.items() if owners[c] != person_id}

    def _owners(self, live: LiveText, section_id: int) -> dict[int, int | None]:
        if not live.owners_loaded:
            rows = db.session.execute(_OWNERS, {"section": section_id}).all()
            live.owners.update((row.client_id, row.person_id) for row in rows)
            live.owners_loaded = True
        return live.owners

    @staticmethod
    def _bind(section_id: int, client_id: int, person_id: int | None) -> int | None:
        """Records `person_id` as the first to write under `client_id`, unless someone
        did already (another thread or process may be binding it right now: the unique
        pair decides); returns whoever it belongs to."""
        try:
            db.session.execute(_BIND, _binding(section_id, client_id, person_id))
            db.session.commit()
            return person_id
        except IntegrityError:
            db.session.rollback()
        return db.session.execute(
            _OWNER, {"section": section_id, "client": client_id}
        ).scalar_one()

    def _refusal(self, live: LiveText, section_id: int, ticket: Ticket) -> Exception | None:
        """Why the update may not be applied, None when it may. Every item it holds under
        someone else's client id must be one the server has already, which applying
        again leaves as it is: a client that sends what the server lacked, computed
        against a state vector that was already a little old, repeats others' items the
        server sent it meanwhile. And the update must take effect at once, entirely: a
        part kept waiting for changes the server lacks would take effect whenever they
        came (a deletion of someone's next keystroke, forged ahead of it), or never,
        and then travel in every browser's sync as items nobody may send. What the
        server lacks may be in rows another process wrote, read before refusing."""
        refusal = self._judge(live, ticket)
        if refusal is not None:
            self._catch_up(live, section_id)
            refusal = self._judge(live, ticket)
        return refusal

    @staticmethod
    def _judge(live: LiveText, ticket: Ticket) -> Exception | None:
        have = held(live.doc)
        if not covers(have, ticket.foreign):
            return ForeignClient(sorted(ticket.foreign))
        lacking = sorted(c for c, clock in ticket.needs.items() if have.get(c, 0) < clock)
        if not lacking:
            return None
        # An id nobody wrote with yet may be the sender's own, refused for a moment
        # before its first items were stored: the sender sends again in order.
        theirs = [c for c in lacking if live.owners.get(c, ticket.person_id) != ticket.person_id]
        return ForeignClient(theirs) if theirs else OutOfOrder(lacking)

    def _forget(self, section_id: int, live: LiveText) -> None:
        with self._guard:
            if self._live.get(section_id) is live:
                self._live.pop(section_id)

    def _entry(self, section_id: int) -> LiveText:
        with self._guard:
            live = self._live.get(section_id)
            if live is None:
                live = self._live[section_id] = LiveText()
            self._live.move_to_end(section_id)
            while len(self._live) > self._capacity:
                self._live.popitem(last=False)
            return live

    @contextmanager
    def _current(self, section_id: int) -> Iterator[LiveText]:
        """The section's document, up to date with the log, locked for this process."""
        live = self._entry(section_id)
        with live.lock, self._evicting_on_error(live, section_id):
            self._ready(live, section_id)
            yield live

    @contextmanager
    def _evicting_on_error(self, live: LiveText, section_id: int) -> Iterator[None]:
        """Drops a document that failed half-way. Emptied as well as dropped: threads
        already waiting for its lock rebuild it from the log instead of using it."""
        try:
            yield
        except BaseException:
            live.reset()
            self._forget(section_id, live)
            raise

    def _ready(self, live: LiveText, section_id: int) -> None:
        if not live.loaded:
            self._load(live, section_id)
        self._catch_up(live, section_id)
        if live.seq == 0:
            self._seed(live, section_id)

    def _load(self, live: LiveText, section_id: int) -> None:
        snapshot = db.session.execute(
            db.select(SectionSnapshot.seq, SectionSnapshot.state)
            .where(SectionSnapshot.section_id == section_id)
            .order_by(SectionSnapshot.seq.desc())
            .limit(1)
        ).first()
        if snapshot is not None:
            self._absorb(live, read([snapshot.state]))
            live.seq = snapshot.seq
        live.loaded = True

    def _catch_up(self, live: LiveText, section_id: int) -> bool:
        rows = db.session.execute(_LOG_AFTER, {"section": section_id, "seq": live.seq}).all()
        if not rows:
            return False
        self._absorb(live, read([row.update for row in rows]))
        live.seq = rows[-1].seq
        return True

    def _seed(self, live: LiveText, section_id: int) -> None:
        """The text from before live editing enters the log as its first row: one
        whole-string insert (feeding a CRDT character by character is slow), written
        once. A process that loses the race to write it loads the winner's row, so every
        process and every browser shares one history instead of two copies of the text."""
        seed = LiveText()
        seed.text.insert(0, db.session.execute(_BODY, {"section": section_id}).scalar_one())
        update = seed.doc.get_update()
        db.session.add(SectionUpdate(section_id=section_id, seq=1, person_id=None, update=update))
        db.session.add(CrdtClient(section_id=section_id, client_id=seed.doc.client_id))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if not self._catch_up(live, section_id):
                raise
            return
        live.doc.apply_update(update)
        live.seq = 1

    def _write_waiting(self, live: LiveText, section_id: int) -> None:
        """Applies and commits every update waiting for this section, then marks each
        done (or failed) and wakes its thread."""
        with live.waiting_lock:
            batch, live.waiting = live.waiting, []
        try:
            accepted = self._integrate_all(live, section_id, batch)
            if accepted:
                self._append(live, section_id, accepted)
        except BaseException as error:
            # The writing thread reports the failure itself; the others' updates were
            # only caught up in it.
            for ticket in batch:
                if not ticket.done:
                    ticket.finish(NotStored(repr(error)))
            raise
        for ticket in accepted:
            try:
                if ticket.written is not None:
                    ticket.written()
            except Exception:
                # The update is stored: peers that missed its relay get it at their
                # next sync, and every other waiting thread must still be woken.
                log.exception("stored update of section %s not passed on", section_id)
            ticket.finish()

    def _integrate_all(self, live: LiveText, section_id: int, batch: list[Ticket]) -> list[Ticket]:
        accepted: list[Ticket] = []
        for ticket in batch:
            refusal = self._refusal(live, section_id, ticket)
            if refusal is not None:
                ticket.finish(refusal)
                continue
            # Measured in UTF-8 bytes, as pycrdt counts them without copying the text.
            before = len(live.text)
            # Words need the text itself: only for sections with a hard limit.
            text_before = str(live.text) if ticket.word_limit is not None else ""
            try:
                self._absorb(live, [(ticket.update, ticket.writes)], integrate)
                if any(update is ticket.update for update, _ in live.waiting_updates):
                    # Everything it names is held, yet items of it wait (items that name
                    # each other in a circle): no honest client writes that.
                    raise InvalidUpdate("items waiting for one another")
                self._check_length(before, len(live.text))
                # The text is copied out only for sections with a hard limit: every
                # other keystroke would copy up to SECTION_MAX_BYTES for nothing.
                limit = ticket.word_limit
                if limit is not None and goes_over(text_before, str(live.text), limit):
                    raise WordsOverLimit(limit)
            except (InvalidUpdate, TextTooLong, WordsOverLimit) as error:
                ticket.finish(error)
                self._rebuild(live, section_id, accepted)
                continue
            accepted.append(ticket)
        return accepted

    def _check_length(self, before: int, after: int) -> None:
        if self.max_text_bytes is not None and after > max(before, self.max_text_bytes):
            raise TextTooLong(after)

    def _rebuild(self, live: LiveText, section_id: int, accepted: list[Ticket]) -> None:
        """A failed apply may have left traces in the document: start again from the log
        and the updates of this batch that went in cleanly."""
        live.reset()
        self._load(live, section_id)
        self._catch_up(live, section_id)
        for ticket in accepted:
            self._absorb(live, [(ticket.update, ticket.writes)], integrate)

    def _append(self, live: LiveText, section_id: int, batch: list[Ticket]) -> None:
        while True:
            try:
                bursts = self._write_batch(live, section_id, batch)
                db.session.commit()
            except (IntegrityError, Raced) as error:
                db.session.rollback()
                live.bursts.clear()
                # Another process took these numbers: take its rows and number after them.
                if not self._catch_up(live, section_id) and isinstance(error, IntegrityError):
                    raise
                continue
            live.seq += len(batch)
            if bursts is None:
                live.texts.append((live.seq, str(live.text)))
                # Bounded should storing fail for long: older revisions then take the
                # text of a later batch.
                del live.texts[:-REMEMBERED_TEXTS]
            else:
                self._settled(live, bursts)
            return

    def _write_batch(
        self, live: LiveText, section_id: int, batch: list[Ticket]
    ) -> dict[int, Burst] | None:
        """Writes with Core statements built once: this runs for every batch of every
        section, and the ORM's per-statement bookkeeping cost more than the writes.
        A change the server makes (a restore, an accepted amendment) is stored with its
        text and revision at once; returns the revisions then written, None for typing."""
        first, now = live.seq + 1, utcnow()
        last = first + len(batch) - 1
        db.session.execute(
            _LOG_UPDATE,
            [
                {
                    "section_id": section_id,
                    "seq": seq,
                    "person_id": ticket.person_id,
                    "update": ticket.update,
                    "created_at": now,
                }
                for seq, ticket in enumerate(batch, start=first)
            ],
        )
        if snapshot_due(first, last, self._snapshot_every):
            db.session.execute(
                _SNAPSHOT,
                {
                    "section_id": section_id,
                    "seq": last,
                    "state": self._snapshot_state(live),
                    "created_at": now,
                },
            )
        changes = [(seq, t) for seq, t in enumerate(batch, start=first) if t.origin != "typed"]
        if not changes:
            return None
        if live.doc.client_id not in live.owners:
            # In the batch's transaction, not a commit of its own: the caller's pending
            # changes (an amendment's decision) commit with the text or not at all.
            db.session.execute(_BIND, _binding(section_id, live.doc.client_id, None))
        # The typing before the change is stored with it, each revision with the text
        # its batch left (remembered), so the change never counts as a typist's work.
        text = storable(str(live.text))
        bursts = self._materialise(live, section_id, text, last, first - 1, now)
        if bursts is None:
            raise Raced()
        for seq, ticket in changes:
            record_change(
                section_id, ticket.person_id, text, seq, now, ticket.origin, ticket.source_id
            )
        return bursts

    @staticmethod
    def _absorb(
        live: LiveText,
        updates: Waiting,
        apply: Callable[[Doc, bytes], None] = Doc.apply_update,
    ) -> None:
        """See app.realtime.crdt: the server must not lose an acknowledged update
        because others arrived out of order before it could take effect."""
        live.waiting_updates = absorb(live.doc, live.waiting_updates, updates, apply)

    @staticmethod
    def _snapshot_state(live: LiveText) -> bytes:
        """The document's state with the updates still waiting for changes it has not
        received (logged before updates had to take effect at once): its own encoding leaves
        those out, and every process loading the snapshot would then lack them for
        good, although they were acknowledged and relayed."""
        state = live.doc.get_update()
        if not live.waiting_updates:
            return state
        return merge_updates(state, *(update for update, _ in live.waiting_updates))

    def _settle(self, live: LiveText, section_id: int) -> None:
        while True:
            try:
                text = storable(str(live.text))
                bursts = self._materialise(live, section_id, text, live.seq, live.seq)
                if bursts is None:
                    return
                db.session.commit()
            except Raced:
                db.session.rollback()
                live.bursts.clear()
                self._catch_up(live, section_id)
                continue
            self._settled(live, bursts)
            return

    def _materialise(
        self,
        live: LiveText,
        section_id: int,
        text: str,
        seq: int,
        typed_through: int,
        changed_at: dt.datetime | None = None,
    ) -> dict[int, Burst] | None:
        """Writes `text` as the section's text as of update `seq`, and each author's
        revision over their updates since the text was last stored, up to
        `typed_through`. Returns the revisions written; None when the stored text is as
        recent already. Raises Raced when another process stored it meanwhile."""
        stored = db.session.execute(_BODY_SEQ, {"section": section_id}).scalar_one()
        if stored >= seq:
            return None
        typings = db.session.execute(
            _TYPING, {"section": section_id, "after": stored, "through": typed_through}
        ).all()
        bursts = record_typings(
            section_id,
            {
                row.person_id: (
                    self._text_after(live, row.last_seq) or text,
                    Typing(row.first_seq, row.last_seq, row.started_at, row.ended_at),
                )
                for row in typings
            },
            self._burst_window,
            live.bursts,
        )
        if bursts is None:
            raise Raced()
        changed_at = changed_at or max((row.ended_at for row in typings), default=utcnow())
        written = db.session.execute(
            _MATERIALISE,
            {"section": section_id, "body": text, "seq": seq, "was": stored, "now": changed_at},
        )
        if written.rowcount != 1:
            raise Raced()
        return bursts

    @staticmethod
    def _text_after(live: LiveText, seq: int) -> str | None:
        """The text after the batch that wrote update `seq`, when this process wrote it
        and still remembers it (else the caller uses the current text)."""
        found = next((text for last, text in live.texts if last >= seq), None)
        return storable(found) if found is not None else None

    @staticmethod
    def _settled(live: LiveText, bursts: dict[int, Burst]) -> None:
        live.bursts.update(bursts)
        live.texts.clear()


_LOG = SectionUpdate.__table__
_LOG_UPDATE = _LOG.insert()
_LOG_AFTER = (
    db.select(_LOG.c.seq, _LOG.c.update)
    .where(_LOG.c.section_id == bindparam("section"), _LOG.c.seq > bindparam("seq"))
    .order_by(_LOG.c.seq)
)
_SNAPSHOT = SectionSnapshot.__table__.insert()
# The server's own edits are written under the cached document's client id, random among
# 2**53 and bound to no person before its first edit is sent anywhere: nobody can claim it.
_CLIENTS = CrdtClient.__table__
_BIND = _CLIENTS.insert()
_OWNERS = db.select(_CLIENTS.c.client_id, _CLIENTS.c.person_id).where(
    _CLIENTS.c.section_id == bindparam("section")
)
_OWNER = db.select(_CLIENTS.c.person_id).where(
    _CLIENTS.c.section_id == bindparam("section"), _CLIENTS.c.client_id == bindparam("client")
)
_SECTION = Section.__table__
_BODY = db.select(_SECTION.c.body).where(_SECTION.c.id == bindparam("section"))
_BODY_SEQ = db.select(_SECTION.c.body_seq).where(_SECTION.c.id == bindparam("section"))
_MATERIALISE = (
    _SECTION.update()
    .where(_SECTION.c.id == bindparam("section"), _SECTION.c.body_seq == bindparam("was"))
    .values(body=bindparam("body"), body_seq=bindparam("seq"), updated_at=bindparam("now"))
)
# The seed row has no person: it is nobody's typing.
_TYPING = (
    db.select(
        _LOG.c.person_id,
        func.min(_LOG.c.seq).label("first_seq"),
        func.max(_LOG.c.seq).label("last_seq"),
        func.min(_LOG.c.created_at).label("started_at"),
        func.max(_LOG.c.created_at).label("ended_at"),
    )
    .where(
        _LOG.c.section_id == bindparam("section"),
        _LOG.c.seq > bindparam("after"),
        _LOG.c.seq <= bindparam("through"),
        _LOG.c.person_id.is_not(None),
    )
    .group_by(_LOG.c.person_id)
)


def _binding(section_id: int, client_id: int, person_id: int | None) -> dict:
    return {
        "section_id": section_id,
        "client_id": client_id,
        "person_id": person_id,
        "first_seen": utcnow(),
    }

