"""The served dataset: read from memory, written durably.

Reads are answered from an in-memory store (the on-disk engine is several times slower);
durability comes from the snapshot that `srg build` writes (the on-disk store and its dump,
which loads at the engine's speed) plus a write-ahead log of every accepted change since.
Opening replays the log onto the snapshot; `compact` folds the log into a new snapshot.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

from ..store import Delta, GraphStore, Queries
from ..store.snapshot import has_dump, read_dump
from . import wal


def log_path(snapshot: Path) -> Path:
    return snapshot.with_name(snapshot.name + ".wal")


def _recover_swap(snapshot: Path) -> None:
    """Finish a snapshot swap that a crash interrupted (see `build.replacing_store`)."""
    staged, retired = (
        snapshot.with_name(snapshot.name + ".new"),
        snapshot.with_name(snapshot.name + ".old"),
    )
    if not snapshot.exists() and retired.exists():
        retired.rename(snapshot)
    shutil.rmtree(staged, ignore_errors=True)


def _encode(delta: Delta) -> bytes:
    record = {
        "removed": delta.removed.decode(),
        "added": delta.added.decode(),
        "created": list(delta.created),
        "dropped": list(delta.dropped),
    }
    return json.dumps(record).encode()


def _decode(payload: bytes) -> Delta:
    record = json.loads(payload)
    graphs = (tuple(record.get("created", ())), tuple(record.get("dropped", ())))
    return Delta(record["removed"].encode(), record["added"].encode(), frozenset(), *graphs)


def _in_memory(snapshot: Path) -> GraphStore:
    """The snapshot in memory: from its dump, or copied from the on-disk store (a snapshot
    written before dumps existed; `srg compact` adds the dump)."""
    if has_dump(snapshot):
        return read_dump(snapshot)
    disk = GraphStore.read_only(snapshot)
    store = disk.copy()
    disk.close()
    return store


def _replay(snapshot: Path, limit: int | None, repair: bool) -> tuple[GraphStore, int]:
    store = _in_memory(snapshot)
    replayed = 0
    for payload in wal.records(log_path(snapshot), limit, repair):
        store.apply(_decode(payload))
        replayed += 1
    return store, replayed


def recovered(snapshot: Path) -> tuple[GraphStore, int]:
    """The owner's view: the snapshot with the whole log replayed (repairing a torn tail)."""
    _recover_swap(snapshot)
    return _replay(snapshot, None, repair=True)


def read_prefix(snapshot: Path, writes: int | None = None) -> GraphStore:
    """A reader's view: the snapshot with the first `writes` records (default all) replayed."""
    return _replay(snapshot, writes, repair=False)[0]


def open_log(snapshot: Path) -> int:
    """Make the snapshot and its log whole again after a crash (as `recovered` does, without
    loading anything); the number of complete records in the log."""
    _recover_swap(snapshot)
    return sum(1 for _ in wal.records(log_path(snapshot), repair=True))


class Dataset:
    """The store of record, its durable log, and a version that every write bumps.

    `store` holds the snapshot with the first `writes` records of the log applied: in this
    process (`Dataset.recovered`, for the command line), or in a server's query worker
    (`store.WorkerStore`), which is sent each committed delta.
    """

    def __init__(self, snapshot: Path, store: Queries, writes: int):
        self.snapshot, self.store, self.writes = snapshot, store, writes
        self.generation = snapshot.stat().st_mtime_ns
        log = log_path(snapshot)
        self.modified = max(snapshot.stat().st_mtime, log.stat().st_mtime if log.exists() else 0)
        self.lock = threading.Lock()

    @classmethod
    def recovered(cls, snapshot: Path) -> Dataset:
        """The dataset in this process's memory (the snapshot with the whole log replayed)."""
        return cls(snapshot, *recovered(snapshot))

    @property
    def version(self) -> str:
        """Changes on every accepted write and every rebuild (for ETags and workers)."""
        return f"{self.generation:x}-{self.writes}"

    def commit(self, delta: Delta) -> None:
        """Apply a validated delta, once it is logged durably.

        The caller holds `lock` from staging to commit, so no write is lost between them, and
        deltas reach the store in the order of the log.
        """
        if delta:
            wal.append(log_path(self.snapshot), _encode(delta))
            self.store.apply(delta)
            self.writes += 1
            self.modified = time.time()
