"""The event stream's replica (`<store>.ldes/replica/`): the data at the stream's version, from
which its members are made (`store.resource_versions.Replica`).

The replica starts at the version just before the log's first change: the dataset at some
version (`base`: the snapshot, or a remote store's current content) with the logged changes
up to it undone; the stream then moves it on change by change from the log. A change's delta
is taken with its new blank nodes named as the store names them (`relabel`: a remote store
names them its own way, and later changes remove them by those names).

The replica records its version, and the stream's state records how many quads it holds: when
it is opened (once per process) it is checked against them, and a replica gone, damaged (the
engine cannot read its files) or not as recorded (its last writes lost with the power) is made
again from the log; a wrong one makes wrong members. The engine checks a block's checksum only
when it reads it: damage met later (`damaged`: by a read, or reported by the flush when it is
closed) makes the replica again too. Each time it is made again is counted, with why
(`rebuilt`, `rebuilt_why`: `/health`). An advance cut short is taken back on it by undoing
every change the advance may have taken (`take_back`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from ..store import Delta, GraphStore
from ..store.resource_versions import Replica
from . import history
from .history import Change
from .ldes_files import State

log = logging.getLogger("srg.storage")


def damaged(error: BaseException) -> bool:
    """Whether the engine found the replica's files damaged while reading them: a block whose
    checksum does not match is found only when it is read, not when the store is opened."""
    return isinstance(error, RuntimeError) and str(error).startswith("Corruption")


def _mismatch(replica: Replica, state: State) -> str | None:
    """How the replica is not at the state's version with the quads it records (an advance
    under way: at its version or at the one it goes to, its quads not yet recorded); None
    when it is."""
    if state.quads is None:  # recorded before replicas were checked
        return None
    marked = replica.marked
    if state.dirty and marked not in (state.version, state.pending):
        return f"at version {marked}, the stream at {state.version} going to {state.pending}"
    if state.dirty:
        return None
    if marked != state.version:
        return f"at version {marked}, the stream at {state.version}"
    if replica.quads != state.quads:
        return f"{replica.quads} quads, {state.quads} recorded"
    return None


def _closed(replica: Replica) -> str | None:
    """Close `replica`; the damage the engine met doing so (None: none). Its flush reports
    damage that a compaction in the background met, after the reads had passed."""
    try:
        replica.close()
    except RuntimeError as error:
        if not damaged(error):
            raise
        return str(error)
    return None


def _checked(path: Path, state: State) -> tuple[Replica | None, str | None]:
    """The replica at `path` and how it is not as `state` records (None: it is)."""
    if not path.exists():
        return None, "gone"
    found = Replica.opened(path)
    if found is None:
        return None, "its files cannot be read"
    try:
        return found, _mismatch(found, state)
    except RuntimeError as error:
        _closed(found)  # closed all the same: open, it holds the files' lock
        if not damaged(error):
            raise
        return None, str(error)


class StreamReplica:
    """The replica at `path` of the stream of `log`, started from `base` (a store and its
    version), the deltas named by `relabel` (None: as the log names them)."""

    def __init__(
        self,
        log: Path,
        path: Path,
        base: Callable[[], tuple[GraphStore, int]],
        relabel: Callable[[Delta, int], Delta] | None = None,
    ):
        self.log, self.path, self.base, self.relabel = log, path, base, relabel
        self._replica: Replica | None = None
        self._distrusted: str | None = None  # found damaged in use: made again when opened
        self.rebuilt = 0  # times made again from the log since the process started
        self.rebuilt_why: str | None = None  # the last time's reason

    def delta(self, change: Change) -> Delta:
        """The change's delta, its new blank nodes named as the store names them."""
        return change.delta if self.relabel is None else self.relabel(change.delta, change.number)

    def opened(self, state: State) -> Replica:
        """The replica at `state.version` (an advance cut short: at a version it went to); a
        new stream's (`state.base` None) started, and its version recorded in `state.base`."""
        if self._replica is not None:
            return self._replica
        if state.base is None:
            Replica.remove(self.path)
            self._replica = Replica(self.path)
            state.base = self._start(self._replica)
            return self._replica
        found, why = None, self._distrusted
        if why is None:
            found, why = _checked(self.path, state)
        if why is not None:
            if found is not None:
                _closed(found)
            found = self._made_again(state.version, why)
        self._replica = found
        return found

    def distrust(self, error: RuntimeError) -> None:
        """The replica's files were found damaged in use: closed, and made again when next
        opened."""
        self._distrusted = str(error)
        self.close()

    def take_back(self, state: State) -> None:
        """Take the replica back to `state.version` from an advance cut short, by undoing every
        change it took up to `state.pending`, newest first. The log's deltas are effective
        (each removed quad was there, each added one was not), so undoing one sets each of its
        quads as it was before the change, whether the replica had taken the change in whole,
        in part or not at all. Its number of quads is then recorded in `state`."""
        replica = self.opened(state)
        taken = history.changes(self.log, state.version)
        undone = [change for change in taken if change.number <= (state.pending or 0)]
        for change in reversed(undone):
            replica.apply(history.inverse(self.delta(change)))
        replica.mark(state.version)
        replica.flush()
        if state.quads is not None and replica.quads != state.quads:
            why = f"{replica.quads} quads once an advance cut short was taken back, {state.quads}"
            self.close()
            replica = self._replica = self._made_again(state.version, why + " recorded")
        state.quads = replica.quads

    def close(self) -> None:
        """Close the replica; one whose files the engine found damaged in doing so (what it
        had not written is lost) is made again when next opened."""
        replica, self._replica = self._replica, None
        why = _closed(replica) if replica is not None else None
        if why is not None:
            log.warning("the event stream's replica is damaged: %s", why)
            self._distrusted = self._distrusted or why

    def _made_again(self, version: int, why: str) -> Replica:
        """A replica of the dataset at `version`, made again from the log (counted, with
        `why`, for `/health`: it heals what may be a bug, which must not go unseen)."""
        log.warning("the event stream's replica was not as recorded: made again (%s)", why)
        self.rebuilt, self.rebuilt_why, self._distrusted = self.rebuilt + 1, why, None
        Replica.remove(self.path)
        replica = Replica(self.path)
        base = self._start(replica)
        for change in history.changes(self.log, base):
            if change.number > version:
                break
            replica.apply(self.delta(change))
        replica.mark(version)
        replica.flush()
        return replica

    def _start(self, replica: Replica) -> int:
        """Fill the replica with the dataset just before the log's first change; that
        version."""
        store, version = self.base()
        undone = [change for change in history.changes(self.log) if change.number <= version]
        first = next(history.changes(self.log), None)
        for change in reversed(undone):
            store.apply(history.inverse(self.delta(change)))
        replica.fill(store)
        return (first.number - 1) if first is not None else version
