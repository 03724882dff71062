"""The history as a Linked Data Event Stream (LDES 1.0): its members, in pages of fixed size.

A member is a version of a resource: the state of one resource (its subject-centred
description, `store.resource_versions`) just after a change that touched it. The members of
change `n` are the resources it touched, sorted by IRI; the `k`-th is
`https://w3id.org/srg/id/change/{n}/member/{k}`. Its triples are the description with the
member's IRI as subject, and the envelope:

- `dcterms:isVersionOf` the resource (the stream's `ldes:versionOfPath`);
- `prov:generatedAtTime` the change's time (`ldes:timestampPath`; absent for a change logged
  before changes had times);
- `prov:wasGeneratedBy` the change, `https://w3id.org/srg/id/change/{n}`: the members of one
  change are one transaction (`ldes:transactionPath`), and the last of them says
  `srg:completesChange true` (`ldes:transactionFinalizedPath`);
- a change that leaves no statement about a resource makes a member of type `srg:Deletion`
  (`ldes:versionDeletePath rdf:type`, `ldes:versionDeleteObject srg:Deletion`) with the
  envelope only.

A change that touches no resource (a purge record, an empty graph created) has no members.
The history graph is no source of members: it describes the changes, which `/changes` serves.

The members are written in the order of the history into pages of `PAGE_SIZE`, a change's
members split over two pages where a page fills up; a full page never changes again. The
pages are made lazily (`refresh`, when a reader asks for the stream's newest state) and kept
on disk beside the store (`<store>.ldes/`): the members' N-Triples per page, the index of the
pages (`state.json`), and the replica of the data at the last change written
(`store.resource_versions.Replica`), which is moved on change by change from the log (the
write-ahead log is the history, `dataset.history`), so no version is ever made by copying the
dataset.

The replica starts at the version just before the log's first change: the store at some
version (the snapshot, or a remote store's current content) with the logged changes up to it
undone. A store built by `srg build` starts empty, so its stream holds every resource; the
state before the first logged change is not in the stream otherwise (the stream says where it
starts with its retention policy).

The pages belong to one generation of the log, named by a token in their addresses. The log's
past is rewritten only by `srg purge` (and `srg repair`, a rebuild from scratch): the log file
is then replaced, which the stream sees (the file's identity and a fingerprint of the last
change it wrote), and the pages are made anew under a new token; those of the old token are
gone (410). Consumers learn of a purge from the purge change in the history (`/changes`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Protocol

from ..config import Settings
from ..namespaces import DCTERMS, PROV, RDF, SRG, XSD
from ..sparql.named import Binding
from ..store import Delta, GraphStore
from ..store.history_graph import change_iri
from ..store.resource_versions import Replica, relabelled
from . import faults, history, wal
from .embedded import Dataset, log_path, read_prefix, snapshot_version
from .history import Change
from .remote import RemoteDataset, remote_log

PAGE_SIZE = 250
FORMAT = 1  # of state.json: another number is made anew

VERSION_OF = DCTERMS + "isVersionOf"
TIMESTAMP = PROV + "generatedAtTime"
TRANSACTION = PROV + "wasGeneratedBy"
FINALIZED = SRG + "completesChange"
DELETION = SRG + "Deletion"
TYPE = RDF + "type"


def member_iri(change: int, index: int) -> str:
    return f"{change_iri(change)}/member/{index}"


class Committed(Protocol):
    """What the stream needs of the dataset (`Dataset`, `RemoteDataset`): the lock its writes
    hold from staging to commit, and the number of the last change."""

    lock: threading.Lock

    @property
    def change_number(self) -> int: ...


@dataclass
class Page:
    """One page: how many members, the times and changes of its first and last, and the bytes
    of its file."""

    number: int
    count: int = 0
    first_time: str | None = None
    last_time: str | None = None
    first_change: int | None = None
    last_change: int | None = None
    size: int = 0


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


@dataclass
class State:
    token: str
    version: int = 0
    fingerprint: str = ""
    log: list[int] | None = None  # the log file's device and inode
    base: int | None = None  # the version the replica started at (None: no replica yet)
    first_time: str | None = None
    pages: list[Page] = field(default_factory=list)
    dirty: bool = False
    format: int = FORMAT

    @classmethod
    def read(cls, path: Path) -> State | None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            pages = [Page(**page) for page in raw.pop("pages")]
            state = cls(**raw, pages=pages)
        except (OSError, ValueError, TypeError, KeyError):
            return None
        return state if state.format == FORMAT else None

    def write(self, path: Path) -> None:
        faults.reach("stream-write")
        staged = path.with_name(path.name + ".new")
        staged.write_text(json.dumps(asdict(self)), encoding="utf-8")
        staged.replace(path)


def fingerprint(change: Change) -> str:
    """What tells a change of the log from another with its number (after a rewrite)."""
    digest = hashlib.sha256(f"{change.number}\n{change.time}\n".encode())
    digest.update(change.delta.removed)
    digest.update(b"\n--\n")
    digest.update(change.delta.added)
    return digest.hexdigest()[:32]


def _identity(path: Path) -> list[int] | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return [found.st_dev, found.st_ino]


def _iri(value: str) -> Binding:
    return ("iri", value, None)


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
        self.log, self.directory, self.data, self.base = log, directory, data, base
        self.page_size = page_size
        # a change's delta with its new blank nodes named as the store names them (a remote
        # store names them its own way, and later changes remove them by those names)
        self.relabel = relabel
        self._lock = threading.Lock()
        self._state: State | None = None
        self._replica: Replica | None = None
        self._published: View | None = None  # the last view made, read without the lock

    # -- reading -----------------------------------------------------------------------------
    def refresh(self) -> View:
        """The stream with the members of every change committed so far; `StorageFull` when
        its pages cannot be written for want of space."""
        with self.data.lock:
            target = self.data.change_number
        with self._lock:
            try:
                state = self._current()
                if state.version < target:
                    state = self._advance(state, target)
            except OSError as error:
                if error.errno not in wal.FULL:
                    raise
                outcome = "The stream answers again once there is room; no restart is needed."
                raise wal.full_error(
                    error, self.directory, 0, "the event stream's pages", outcome
                ) from error
            return self._publish(state)

    def view(self) -> View:
        """The stream as made so far (without reading the log for new changes, and without
        waiting for pages being made: full pages never change)."""
        if self._published is not None:
            return self._published
        with self._lock:
            return self._publish(self._current())

    def members(self, view: View, page: Page) -> bytes | None:
        """The N-Triples of a page's members (None: that generation of pages is gone)."""
        try:
            with (self.directory / view.token / f"{page.number}.nt").open("rb") as data:
                return data.read(page.size)
        except FileNotFoundError:
            return None

    def _publish(self, state: State) -> View:
        pages = tuple(replace(page) for page in state.pages)
        self._published = View(state.token, state.version, pages, self.page_size, state.first_time)
        return self._published

    # -- the state on disk -------------------------------------------------------------------
    @property
    def _state_file(self) -> Path:
        return self.directory / "state.json"

    def _current(self) -> State:
        """The state, read and checked once per process; made anew when it does not belong to
        the log as it is."""
        if self._state is not None and self._belongs(self._state):
            return self._state
        self._close_replica()
        found = State.read(self._state_file)
        if found is None or not self._belongs(found) or not self._whole(found):
            found = self._fresh()
        self._state = found
        return found

    def _belongs(self, state: State) -> bool:
        """Whether the pages were made from this log file (a rewritten log is a new file)."""
        if state.dirty:
            return False
        return state.version == 0 or state.log == _identity(self.log)

    def _whole(self, state: State) -> bool:
        """The page files hold what the state says, and the log's change `version` is the
        one the pages were made from."""
        for page in state.pages:
            path = self.directory / state.token / f"{page.number}.nt"
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                return False
            if size < page.size:
                return False
            if size > page.size:
                os.truncate(path, page.size)
        if state.version == 0:
            return True
        found = next(history.changes(self.log, state.version - 1), None)
        return (
            found is not None
            and found.number == state.version
            and (fingerprint(found) == state.fingerprint)
        )

    def _fresh(self) -> State:
        """An empty stream under a new token (what was made before is removed)."""
        if self.directory.exists():
            shutil.rmtree(self.directory)
        self.directory.mkdir(parents=True)
        state = State(token=f"{time.time_ns():x}")
        (self.directory / state.token).mkdir()
        state.write(self._state_file)
        return state

    # -- making members ----------------------------------------------------------------------
    def _advance(self, state: State, target: int) -> State:
        """Write the members of the changes after `state.version` up to `target`."""
        state.dirty = True
        state.write(self._state_file)
        replica = self._open_replica(state)
        pending: dict[int, list[bytes]] = {}
        for change in history.changes(self.log, state.version):
            if change.number > target:
                break
            self._write_members(state, replica, change, pending)
            state.version, state.fingerprint = change.number, fingerprint(change)
        self._flush(state, pending)
        replica.flush()
        state.log = _identity(self.log)
        state.dirty = False
        state.write(self._state_file)
        return state

    def _delta(self, change: Change) -> Delta:
        """The change's delta, its new blank nodes named as the store names them."""
        return change.delta if self.relabel is None else self.relabel(change.delta, change.number)

    def _write_members(
        self, state: State, replica: Replica, change: Change, pending: dict[int, list[bytes]]
    ) -> None:
        touched = replica.advance(self._delta(change))
        for index, resource in enumerate(touched, 1):
            version = replica.version(resource)
            envelope: list[tuple[str, Binding]] = []
            if version.deleted:
                envelope.append((TYPE, _iri(DELETION)))
            envelope.append((VERSION_OF, _iri(version.resource)))
            if change.time is not None:
                envelope.append((TIMESTAMP, ("literal", change.time, XSD + "dateTime")))
            envelope.append((TRANSACTION, _iri(change_iri(change.number))))
            if index == len(touched):
                envelope.append((FINALIZED, ("literal", "true", XSD + "boolean")))
            data = version.member(member_iri(change.number, index), envelope)
            self._add(state, data, change, pending)

    def _add(
        self, state: State, data: bytes, change: Change, pending: dict[int, list[bytes]]
    ) -> None:
        if not state.pages or state.pages[-1].count >= self.page_size:
            if state.pages:
                self._flush(state, pending)
            state.pages.append(Page(len(state.pages) + 1))
        page = state.pages[-1]
        page.count += 1
        page.size += len(data)
        if page.first_change is None:
            page.first_change = change.number
        page.last_change = change.number
        if change.time is not None:
            page.first_time = page.first_time or change.time
            page.last_time = change.time
            state.first_time = state.first_time or change.time
        pending.setdefault(page.number, []).append(data)

    def _flush(self, state: State, pending: dict[int, list[bytes]]) -> None:
        for number, chunks in pending.items():
            with (self.directory / state.token / f"{number}.nt").open("ab") as out:
                out.write(b"".join(chunks))
        pending.clear()

    # -- the replica -------------------------------------------------------------------------
    def _open_replica(self, state: State) -> Replica:
        path = self.directory / "replica"
        if self._replica is not None:
            return self._replica
        if state.base is None:
            Replica.remove(path)
            self._replica = Replica(path)
            state.base = self._start(self._replica)
        else:
            self._replica = Replica(path)
        return self._replica

    def _start(self, replica: Replica) -> int:
        """Fill the replica with the dataset just before the log's first change; that
        version."""
        store, version = self.base()
        undone = [change for change in history.changes(self.log) if change.number <= version]
        first = next(history.changes(self.log), None)
        for change in reversed(undone):
            store.apply(history.inverse(self._delta(change)))
        replica.fill(store)
        return (first.number - 1) if first is not None else version

    def _close_replica(self) -> None:
        if self._replica is not None:
            self._replica.close()
            self._replica = None


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
