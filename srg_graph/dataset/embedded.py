"""The served dataset: read from memory, written durably.

Reads are answered from an in-memory store (the on-disk engine is several times slower);
durability comes from the snapshot that `srg build` writes (the on-disk store and its dump,
which loads at the engine's speed) plus a write-ahead log of every accepted change since
(`wal`). Opening replays onto the snapshot the changes of the log it does not hold yet (its
index says up to which change it holds); `srg compact` folds the log into a new snapshot.

Only the store's owner (the server, or a command run with the server stopped) repairs: it
finishes an interrupted snapshot swap, cuts a torn tail off the log, drops a log the
snapshot already holds, and refuses a damaged log (`LogDamaged`) or snapshot
(`SnapshotDamaged`). Readers (the query worker, `srg query`) never write.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..store import Delta, GraphStore, Queries
from ..store.history_graph import HISTORY
from ..store.snapshot import dump_version, has_dump, read_dump
from . import faults, history, wal
from .changelog import ChangeLog, description
from .lock import hold


def log_path(snapshot: Path) -> Path:
    return snapshot.with_name(snapshot.name + ".wal")


def _recover_swap(snapshot: Path) -> None:
    """Finish a snapshot swap that a crash interrupted (see `build.replacing_store`): put the
    old snapshot back if the new one is not in its place yet, and remove what is left over."""
    staged, retired = (
        snapshot.with_name(snapshot.name + ".new"),
        snapshot.with_name(snapshot.name + ".old"),
    )
    moved = False
    if not snapshot.exists() and retired.exists():
        retired.rename(snapshot)
        moved = True
    shutil.rmtree(staged, ignore_errors=True)
    if snapshot.exists():
        shutil.rmtree(retired, ignore_errors=True)
    if moved:
        wal.fsync_directory(snapshot.parent)


def snapshot_version(snapshot: Path) -> int | None:
    """The last change of the log that the snapshot holds (None: written before snapshots
    said, it holds none)."""
    return dump_version(snapshot)


def _in_memory(snapshot: Path) -> GraphStore:
    """The snapshot in memory: from its dump (checked against its checksums), or copied from
    the on-disk store (a snapshot written before dumps existed; `srg compact` adds the dump)."""
    if has_dump(snapshot):
        return read_dump(snapshot)
    disk = GraphStore.read_only(snapshot)
    store = disk.copy()
    disk.close()
    return store


def _replay(
    snapshot: Path, base: int | None, records: Callable[[], list[tuple[int, wal.Record]]]
) -> GraphStore:
    """The snapshot (holding the changes up to `base`) in memory, with the log's `records`
    (read when called) applied after it and the history graph made from all of them. The
    records are read and decoded, and their descriptions made, on a thread while the engine
    loads the snapshot (it lets go of the interpreter lock): at a million quads with 10,000
    changes, that work is a second or two of the start."""
    with ThreadPoolExecutor(1, "srg-log-replay") as reading:
        pending = reading.submit(_deltas, base or 0, records)
        try:
            store = _in_memory(snapshot)
        except BaseException:
            pending.result()  # an error of the log first, as when it was read first
            raise
        # a snapshot written before the history graph was left out of snapshots holds one
        store.apply(Delta(b"", b"", frozenset({HISTORY}), dropped=(HISTORY,)))
        for delta in pending.result():
            store.apply(delta)
    return store


def _deltas(base: int, records: Callable[[], list[tuple[int, wal.Record]]]) -> list[Delta]:
    """What the store applies for each record: the description of a change the snapshot
    holds; the delta and the description of one after it."""
    return [
        description(n, record.payload)
        if n <= base
        else history.applied(history.decode(n, record.payload))
        for n, record in records()
        if n > 0  # (a record of format 1 the snapshot holds has no number)
    ]


def _open(snapshot: Path, held: bool = False) -> tuple[wal.Log, list[tuple[int, wal.Record]]]:
    """Open the store as its owner (see the module's docstring): one owner at a time."""
    with hold(snapshot):
        _recover_swap(snapshot)
        return wal.Log.open(log_path(snapshot), snapshot_version(snapshot), held)


def recovered(snapshot: Path) -> tuple[GraphStore, int]:
    """The owner's view: the snapshot with the log replayed (repairing a torn tail); the
    store and the number of changes replayed."""
    return _recovered(snapshot)[:2]


def _recovered(snapshot: Path) -> tuple[GraphStore, int, wal.Log]:
    """`recovered`, with the owner's handle on the log, read once (its records the snapshot
    holds too: the history graph is made from them)."""
    log, every = _open(snapshot, held=True)
    base = snapshot_version(snapshot) or 0
    count = sum(1 for number, _ in every if number > base)
    return _replay(snapshot, base, lambda: every), count, log


def read_prefix(snapshot: Path, writes: int | None = None) -> GraphStore:
    """A reader's view: the snapshot with the first `writes` changes of the log that it does
    not hold (default all) replayed."""
    return read_counted(snapshot, lambda: writes)


def read_counted(snapshot: Path, writes: Callable[[], int | None]) -> GraphStore:
    """`read_prefix`, the number of changes told by `writes` once the snapshot loads (the
    query worker starts loading before its owner has read the log; see `recovered_swap`)."""
    base = snapshot_version(snapshot)
    return _replay(snapshot, base, lambda: wal.read(log_path(snapshot), base, writes(), held=True))


def recovered_swap(snapshot: Path) -> None:
    """Finish a snapshot swap a crash cut short, as the owner's `open_log` does first: once
    done, a reader may load the snapshot while the owner reads the log."""
    with hold(snapshot):
        _recover_swap(snapshot)


def open_log(snapshot: Path) -> int:
    """Make the snapshot and its log whole again after a crash (as `recovered` does, without
    loading anything); the number of changes to replay onto the snapshot."""
    return opened_log(snapshot)[1]


def opened_log(snapshot: Path) -> tuple[wal.Log, int]:
    """`open_log`, with the owner's handle on the log it read (for `Dataset`, so that the
    server reads the whole log once)."""
    log, records = _open(snapshot)
    return log, len(records)


class Dataset:
    """The store of record, its durable log, and a version that every write bumps.

    `store` holds the snapshot with the first `writes` records of the log applied: in this
    process (`Dataset.recovered`, for the command line), or in a server's query worker
    (`store.WorkerStore`), which is sent each committed delta. The dataset owns the log:
    call it after `open_log` or `recovered`.
    """

    def __init__(self, snapshot: Path, store: Queries, writes: int, opened: wal.Log | None = None):
        self.owner = hold(snapshot)  # one writer a store, for as long as the dataset lives
        self.snapshot, self.store, self.writes = snapshot, store, writes
        self.generation = snapshot.stat().st_mtime_ns
        log = log_path(snapshot)
        self.modified = max(snapshot.stat().st_mtime, log.stat().st_mtime if log.exists() else 0)
        self.lock = threading.Lock()
        # `opened`: the log as `opened_log` read it, unless it changed since (read anew)
        size = log.stat().st_size if log.exists() else 0
        if opened is None or opened.path != log or opened.end != size:
            opened = wal.Log.open(log, snapshot_version(snapshot))[0]
        self.log = opened
        self.changelog = ChangeLog(log)  # the index of the history, read at first use

    @classmethod
    def recovered(cls, snapshot: Path) -> Dataset:
        """The dataset in this process's memory (the snapshot with the whole log replayed)."""
        return cls(snapshot, *_recovered(snapshot))

    def close(self) -> None:
        """Give up the store (another process may own it now)."""
        self.owner.release()

    def reopen_log(self) -> None:
        """Take the log up again after it was rewritten (a purge)."""
        self.log = wal.Log.open(log_path(self.snapshot), snapshot_version(self.snapshot))[0]
        self.changelog.refresh()

    @property
    def version(self) -> str:
        """Changes on every accepted write and every rebuild (for ETags and workers)."""
        return f"{self.generation:x}-{self.writes}"

    @property
    def change_number(self) -> int:
        """The number of the last change the dataset holds."""
        return self.log.version

    @property
    def stopped(self) -> str | None:
        """Why writes are stopped (a failed fsync or rollback), until a restart; else None."""
        return self.log.stopped

    def check_writable(self) -> None:
        """`WritesStopped` when writes are stopped (before any work is spent on a write)."""
        self.log.refuse_if_stopped()

    def commit(
        self,
        delta: Delta,
        meta: history.Meta | None = None,
        staged: bool = False,
        record_empty: bool = False,
    ) -> int | None:
        """Apply a validated delta, once it is logged durably as the next change of the
        history (with `meta`: who and why); its change number (None: an empty delta changes
        nothing and is no change, unless `record_empty`: a purge, which changes the history
        only). `staged`: the store holds the delta already (a bulk load staged and validated
        it in this process), only its history is applied.

        The caller holds `lock` from staging to commit, so no write is lost between them, and
        deltas reach the store (and the query worker) in the order of the log, only once
        durable: an append that fails (`StorageFull`, `WritesStopped`) applies nothing.
        """
        if not delta and not record_empty:
            return None
        meta = meta or history.Meta()
        stamp = history.now()
        faults.reach("commit-before-append")
        number = self.log.append(history.encode(delta, meta, stamp))
        faults.reach("commit-appended")
        change = history.Change(number, delta, stamp, meta)
        self.store.apply(history.described(change) if staged else history.applied(change))
        self.writes += 1
        self.modified = history.modified_after(self.modified)
        self.changelog.refresh()
        faults.reach("commit-applied")
        return number
