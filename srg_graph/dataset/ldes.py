"""The history as a Linked Data Event Stream (LDES 1.0): its members, in pages of fixed size.

A member is a version of a resource: the state of one resource just after a change that
touched it, with an envelope saying which resource, when and which change (`ldes_members`).

The members are written in the order of the history into pages of `PAGE_SIZE`, a change's
members split over two pages where a page fills up; a full page never changes again. The
pages are made lazily (`refresh`, when a reader asks for the stream's newest state) and kept
on disk beside the store (`<store>.ldes/`): the members' N-Triples per page, the index of the
pages (`state.json`), and the replica of the data at the last change written
(`store.resource_versions.Replica`), which is moved on change by change from the log (the
write-ahead log is the history, `dataset.history`), so no version is ever made by copying the
dataset.

The replica starts at the version just before the log's first change (`ldes_replica`). A
store built by `srg build` starts empty, so its stream holds every resource; the state before
the first logged change is not in the stream otherwise (the stream says where it starts with
its retention policy).

The pages belong to one generation of the log, named by a token in their addresses. The log's
past is rewritten only by `srg purge` (and `srg repair`, a rebuild from scratch): the log file
is then replaced, which the stream sees (the file's identity and a fingerprint of the last
change it wrote: `ldes_generation`), and the pages are made anew under a new token; those of
the old token are gone (410). Consumers learn of a purge from the purge change in the history
(`/changes`).

Nothing else starts a new generation. An advance cut short (a full disk, a crash) is taken
back to the state it started from, which the index kept (`ldes_files`): the pages it began are
removed, what it wrote past a page's recorded bytes is written over, and the replica is taken
back by undoing the changes it may have taken; the next advance then writes what an
uninterrupted one would have, under the same token, so a consumer goes on where it was. Only
pages that are not what was recorded (damaged on disk: a page's size or digest differs) are
made anew under a new token, as after a purge, rather than served or written on. The files
are written durably (`ldes_files`); a replica gone, damaged or behind the state (its last
writes lost with the power) is made again from the log (`ldes_replica`), also when a read of
the stream meets the damage in use (`_healed`), in that same read.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from ..config import Settings
from ..errors import Unavailable
from ..store import Delta, GraphStore
from ..store.resource_versions import relabelled
from . import history, ldes_files, ldes_replica
from . import ldes_generation as generation
from .embedded import Dataset, log_path, read_prefix, snapshot_version
from .ldes_files import Damaged, Page, State
from .ldes_members import Members
from .ldes_replica import StreamReplica
from .remote import RemoteDataset, remote_log

PAGE_SIZE = 250
log = logging.getLogger("srg.storage")


class Committed(Protocol):
    """What the stream needs of the dataset (`Dataset`, `RemoteDataset`): the lock its writes
    hold from staging to commit, and the number of the last change."""

    lock: threading.Lock

    @property
    def change_number(self) -> int: ...


@dataclass(frozen=True)
class View:
    """The stream as made so far: its token, the last change in it, its pages."""

    token: str
    version: int
    pages: tuple[Page, ...]
    page_size: int
    first_time: str | None

    def full(self, page: Page) -> bool:
        """A full page never changes again."""
        return page.count >= self.page_size

    def page(self, number: int) -> Page | None:
        return self.pages[number - 1] if 1 <= number <= len(self.pages) else None


class EventStream:
    """The stream of one store: its log (`log`), its pages and replica (in `directory`), the
    dataset (for the last committed change), and `base`, which gives the dataset at some
    version (a store and its version) to start the replica from."""

    def __init__(
        self,
        log: Path,
        directory: Path,
        data: Committed,
        base: Callable[[], tuple[GraphStore, int]],
        page_size: int = PAGE_SIZE,
        relabel: Callable[[Delta, int], Delta] | None = None,
    ):
        self.log, self.directory, self.data = log, directory, data
        self.page_size = page_size
        self.replica = StreamReplica(log, directory / "replica", base, relabel)
        self._lock = threading.Lock()
        self._state: State | None = None
        self._published: View | None = None  # the last view made, read without the lock
        self._damaged: str | None = None  # the token of pages found damaged: made anew

    # -- reading -----------------------------------------------------------------------------
    def refresh(self) -> View:
        """The stream with the members of every change committed so far; `StorageFull` when
        its pages cannot be written for want of space."""
        with self.data.lock:
            target = self.data.change_number
        with self._lock, self._writing():
            return self._publish(self._healed(lambda: self._advanced(target)))

    def view(self) -> View:
        """The stream as made so far (without reading the log for new changes, and without
        waiting for pages being made: full pages never change)."""
        if self._published is not None:
            return self._published
        with self._lock, self._writing():
            return self._publish(self._healed(self._current))

    def members(self, view: View, page: Page) -> bytes | None:
        """The N-Triples of a page's members (None: that generation of pages is gone, or the
        page is damaged, and the pages are made anew)."""
        try:
            return ldes_files.read(self.directory / view.token, page)
        except FileNotFoundError:
            return None
        except Damaged as damage:
            with self._lock:
                self._distrust(damage)
            return None
        except OSError as error:
            raise ldes_files.refused(error, self.directory) from error

    def _publish(self, state: State) -> View:
        pages = tuple(replace(page) for page in state.pages)
        self._published = View(state.token, state.version, pages, self.page_size, state.first_time)
        return self._published

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Forget what a failure left in memory (an advance's state and replica are read again
        from disk, where it is known how far it went); a failed read or write of the files is
        `StorageFull` (a full disk) or `Unavailable` (`ldes_files.refused`)."""
        try:
            yield
        except BaseException as error:
            self._forget()
            if not isinstance(error, OSError):
                raise
            raise ldes_files.refused(error, self.directory) from error

    def _forget(self) -> None:
        self._state = None
        with contextlib.suppress(OSError):  # a replica that cannot flush is rewound anyway
            self.replica.close()

    def _distrust(self, damage: Damaged) -> None:
        """Pages found damaged: they are made anew under a new token (the old ones are gone)."""
        log.warning("%s: the event stream's pages are made anew", damage)
        self._damaged = damage.token
        self._forget()

    # -- the state on disk -------------------------------------------------------------------
    @property
    def _state_file(self) -> Path:
        return self.directory / "state.json"

    def _current(self) -> State:
        """The state, read and checked once per process; made anew when it does not belong to
        the log as it is, and taken back to where it was when an advance was cut short."""
        cached = self._state
        if cached is not None and self._trusted(cached):
            return cached
        self.replica.close()
        found = State.read(self._state_file)
        if found is None or not self._kept(found):
            found = self._fresh()
        elif found.dirty:
            self._rewind(found)
        self._state = found
        return found

    def _trusted(self, state: State) -> bool:
        """Not found damaged, and made from the log as it is (`generation.belongs`)."""
        return state.token != self._damaged and generation.belongs(state, self.log)

    def _kept(self, state: State) -> bool:
        """A state read from disk that the stream goes on from: trusted, its pages whole."""
        return self._trusted(state) and generation.whole(state, self.directory, self.log)

    def _rewind(self, state: State) -> None:
        """Take back an advance cut short: the pages it began are removed (what it wrote past
        a page's recorded bytes is written over), and the replica is taken back to
        `state.version` (`StreamReplica.take_back`)."""
        ldes_files.remove_after(self.directory / state.token, len(state.pages))
        if state.base is not None:
            self.replica.take_back(state)
        state.dirty, state.pending = False, None
        state.write(self._state_file)

    def _fresh(self) -> State:
        """An empty stream under a new token (what was made before is removed)."""
        if self.directory.exists():
            shutil.rmtree(self.directory)
        self.directory.mkdir(parents=True)
        state = State(token=f"{time.time_ns():x}")
        (self.directory / state.token).mkdir()
        state.write(self._state_file)
        self._damaged = None
        return state

    # -- damage met in use -------------------------------------------------------------------
    def _healed(self, make: Callable[[], State]) -> State:
        """The state `make` gives (read, taken back or advanced: each may read the replica),
        made once more when it met damaged pages (made anew) or a replica whose files the
        engine found damaged (made again from the log); damage met again is `Unavailable`."""
        try:
            return make()
        except (Damaged, RuntimeError) as error:
            self._distrust_found(error)
        try:
            return make()
        except (Damaged, RuntimeError) as error:
            self._distrust_found(error)
            raise Unavailable(
                f"the event stream's files were found damaged, and again once made anew "
                f"({error}): the next request makes them again; if this persists, check the "
                f"disk under {self.directory}"
            ) from error

    def _distrust_found(self, error: Exception) -> None:
        """Damaged pages or replica are made anew when next read; another error is raised."""
        if isinstance(error, Damaged):
            self._distrust(error)
        elif ldes_replica.damaged(error):
            log.warning("the event stream's replica is damaged: %s", error)
            self._forget()
            self.replica.distrust(error)
        else:
            raise error

    # -- making members ----------------------------------------------------------------------
    def _advanced(self, target: int) -> State:
        state = self._current()
        return self._advance(state, target) if state.version < target else state

    def _advance(self, state: State, target: int) -> State:
        """Write the members of the changes after `state.version` up to `target` (the state
        on disk says how far it may go until it is done: `_rewind`)."""
        state.dirty, state.pending = True, target
        # the log it reads, which alone it can be taken back on (`generation.belongs`): a
        # stream still empty may have recorded none, its log not yet made (remote-store mode,
        # a store without one), and its first advance cut short was made anew under a new token
        state.log = generation.identity(self.log)
        state.write(self._state_file)
        replica = self.replica.opened(state)
        members = Members(self.directory / state.token, state, self.page_size)
        for change in history.changes(self.log, state.version):
            if change.number > target:
                break
            members.write(replica, change, self.replica.delta(change))
            state.version, state.fingerprint = change.number, generation.fingerprint(change)
        members.flush()
        replica.mark(state.version)
        replica.flush()
        state.dirty, state.pending, state.quads = False, None, replica.quads
        state.write(self._state_file)
        return state


def open_stream(settings: Settings, data: Dataset | RemoteDataset) -> EventStream | None:
    """The stream of the served dataset: beside the store (`<store>.ldes/`), started from its
    snapshot; in remote-store mode beside the history log of the writing server
    (`<store>-remote.ldes/`), started from the remote store's content. A read-only replica
    keeps no history, so it has no stream (None)."""
    store = settings.store
    if isinstance(data, RemoteDataset):
        remote = data
        if remote.log is None:
            return None

        def current() -> tuple[GraphStore, int]:
            with remote.lock:
                return remote.store.copy(), remote.change_number

        directory = store.with_name(store.name + "-remote.ldes")

        def relabel(delta: Delta, number: int) -> Delta:
            return relabelled(delta, number, remote.store)

        return EventStream(remote_log(settings), directory, remote, current, relabel=relabel)

    def snapshot() -> tuple[GraphStore, int]:
        return read_prefix(store, 0), snapshot_version(store) or 0

    return EventStream(log_path(store), store.with_name(store.name + ".ldes"), data, snapshot)
