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

import json
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import SnapshotDamaged, StorageError
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


def latest_version(snapshot: Path) -> int:
    """The highest change number the snapshot or any valid record of its log holds, read
    without opening (for a rebuild, whose snapshot must come after all of them)."""
    try:
        base = snapshot_version(snapshot) or 0
    except SnapshotDamaged:
        base = 0
    try:
        found = wal.scan(log_path(snapshot))
    except StorageError:
        return base
    records = [item for item in found.items if isinstance(item, wal.Record)]
    numbers = [change for change in (r.change for r in records) if change is not None]
    return max([base, *numbers, base + (len(records) if not numbers else 0)])


def drop_log(snapshot: Path) -> None:
    """Remove the log once a new snapshot holds it (or replaces what it changed)."""
    wal.drop(log_path(snapshot))


@dataclass
class RepairReport:
    """What `repair` found and did."""

    log: Path
    base: int = 0  # the last change the snapshot holds
    copy: Path | None = None
    kept: list[int] = field(default_factory=list)  # the changes the log keeps: the history
    dropped: list[tuple[int | None, int, dict[str, int]]] = field(default_factory=list)
    forgotten: list[int] = field(default_factory=list)  # held by the snapshot, not the history
    unsure: list[int] = field(default_factory=list)  # held ones a bad region may have held
    regions: list[tuple[wal.Junk, str]] = field(default_factory=list)  # bad bytes, verdict
    dropped_file: Path | None = None

    @property
    def replayed(self) -> list[int]:
        """The kept changes the snapshot does not hold: replayed onto it at each start."""
        return [number for number in self.kept if number > self.base]

    @property
    def lost(self) -> bool:
        """Whether a change left the data or the history (or may have left the history)."""
        return bool(self.dropped or self.forgotten or self.unsure)


def repair(snapshot: Path, dry_run: bool = False) -> RepairReport:
    """Make a damaged log openable: keep a copy of it, keep the records before the damage
    and, past each bad region, the records after it only while it provably held no change
    (the change numbers go on without a gap; in a format 1 log, the region is one record cut
    short, which a failed append of old versions left). A record after a lost change may
    depend on it (it was validated on a dataset that held it), so from the first region that
    may have held one, the records are dropped: listed, and written out as RDF Patch.

    The records of the changes the snapshot holds stay too: they are the history (replayed
    as descriptions only, never applied twice). A lost one of them costs its history, not the
    data; since the log's change numbers have no gap, the records before it leave the log
    too (the kept copy has them), and the log goes on from the change after it."""
    with hold(snapshot):
        return _repair(snapshot, dry_run)


def _repair(snapshot: Path, dry_run: bool) -> RepairReport:
    _recover_swap(snapshot)
    path = log_path(snapshot)
    base = snapshot_version(snapshot)
    found = wal.scan(path)
    report = RepairReport(path, base or 0)
    walk = _Walk(found, base, report)
    numbered = wal.numbered(walk.chain, base)
    report.kept = [number for number, _ in numbered if number > 0]
    report.dropped = [(r.change, r.offset, wal.describe(r.payload)) for r in walk.dropped]
    unlinked = [r.change for r in walk.unlinked if r.change is not None]
    report.forgotten = sorted({*unlinked, *walk.lost})
    whole = not report.regions and found.fmt == wal.FORMAT
    if dry_run or not found.items or whole:
        return report
    report.copy = wal.keep_copy(path, found.data, "damaged")
    if walk.dropped:
        report.dropped_file = wal.keep_copy(path, _as_patch(walk.dropped), "dropped", ".rdfp")
    wal.rewrite(path, [(n, r.payload) for n, r in numbered if n > 0])
    _open(snapshot)  # it opens now
    return report


class _Walk:
    """`repair`'s reading of a log, item by item: the run of records it keeps (the log's change
    numbers have no gap, so it is one run, which reaches the snapshot's version), the records
    it drops from the data (after a region that may have held a change the snapshot does not
    hold) and those it drops from the history only (changes the snapshot holds)."""

    def __init__(self, found: wal.Scan, base: int | None, report: RepairReport):
        self.found, self.base, self.report = found, base, report
        self.held = base or 0  # the changes up to it are in the snapshot
        self.chain: list[wal.Record] = []  # kept
        self.dropped: list[wal.Record] = []  # left out of the data
        self.unlinked: list[wal.Record] = []  # left out of the history only
        self.lost: list[int] = []  # changes the snapshot holds whose records are gone
        self.losing = False  # past a region that may have held a change the snapshot lacks
        items = found.items
        for index, item in enumerate(items):
            if isinstance(item, wal.Record):
                self._take(item)
            else:
                following = (i for i in items[index + 1 :] if isinstance(i, wal.Record))
                self._skip(item, next(following, None))
        self._finish()

    @property
    def previous(self) -> int | None:
        """The change number of the last record kept."""
        return self.chain[-1].change if self.chain else None

    def _held(self, record: wal.Record) -> bool:
        if record.change is None:  # format 1: beside a versioned snapshot, one it holds
            return self.base is not None
        return record.change <= self.held

    def _take(self, record: wal.Record) -> None:
        due = self.held + 1
        if not self.losing and not self.chain and record.change is not None and record.change > due:
            missing = wal.span(list(range(due, record.change)))
            gap = wal.Junk(record.offset, record.offset, f"{missing} missing before it")
            self.report.regions.append((gap, "the log does not continue the snapshot"))
            self.losing = True
        if not self.losing:
            self.chain.append(record)
        else:
            (self.unlinked if self._held(record) else self.dropped).append(record)

    def _skip(self, junk: wal.Junk, following: wal.Record | None) -> None:
        if following is None:
            self.report.regions.append((junk, self._tail_verdict()))
            return
        if self.losing:
            self.report.regions.append((junk, "after a lost change: the records around it dropped"))
            return
        harmless, verdict, lost = _region_verdict(
            self.found, junk, following, self.previous, self.base
        )
        if lost and lost[-1] <= self.held:  # only changes the snapshot holds: the data is whole
            verdict += f", which the snapshot holds: {HISTORY_ONLY}"
            self.unlinked += self.chain
            self.chain = []  # the log goes on from the record after the region
        elif not harmless:
            self.losing = True
        elif self.previous is None and following.change is not None and following.change > 1:
            verdict = self._unsure(following.change) or verdict
        self.lost += [number for number in lost if number <= self.held]
        self.report.regions.append((junk, verdict))

    def _unsure(self, first: int) -> str | None:
        """The verdict on a region before the first readable record, change `first`: the
        records of the changes before it, which the snapshot holds, may have been in it."""
        unsure = list(range(1, min(first, self.held + 1)))
        if not unsure:
            return None
        self.report.unsure = unsure
        return (
            f"no change lost from the data: change {first} follows on (the record(s) of "
            f"{wal.span(unsure)}, which the snapshot holds, may have been in it)"
        )

    def _tail_verdict(self) -> str:
        previous = self.previous
        if previous is not None and not self.losing and previous < self.held:
            lost = list(range(previous + 1, self.held + 1))
            self.lost += lost
            return f"{wal.span(lost)} lost in it, which the snapshot holds: {HISTORY_ONLY}"
        return "a torn tail: an append cut short, never acknowledged"

    def _finish(self) -> None:
        """The kept records must reach the snapshot's version: the next change written (or
        replayed) is the one after it, and the log has no gap."""
        previous = self.previous
        if previous is None or previous >= self.held:
            return
        if self.held not in self.lost:  # no bad region said why they stop short
            end = self.chain[-1].end
            why = f"the readable records end at change {previous}"
            self.report.regions.append((wal.Junk(end, end, why), _UNREACHED.format(self.held)))
            self.lost += range(previous + 1, self.held + 1)
        self.unlinked += self.chain
        self.chain = []


HISTORY_ONLY = "their history is lost, not their data"
_UNREACHED = (
    "the snapshot holds the changes up to {}, and the log has no gap: these records leave the "
    "history (not the data)"
)


def _region_verdict(
    found: wal.Scan, junk: wal.Junk, following: wal.Record, previous: int | None, base: int | None
) -> tuple[bool, str, list[int]]:
    """Whether a bad region between kept records can have held an acknowledged change, why,
    and the changes it provably held."""
    if following.change is not None:
        due = (base or 0) + 1 if previous is None else previous + 1
        if following.change == due or (previous is None and following.change < due):
            return True, f"no change lost: change {following.change} follows on", []
        lost = list(range(due, following.change))
        if not lost:
            return False, f"change {following.change} follows it, out of order", []
        return False, f"{wal.span(lost)} lost in it", lost
    head = wal.V1_RECORD
    region = found.data[junk.offset : junk.end]
    if len(region) >= head.size:
        length = head.unpack_from(region)[0]
        try:
            json.loads(region[head.size :])
            whole = True
        except ValueError:
            whole = False
        if len(region) < head.size + length and not whole:
            verdict = "one record cut short (a failed append of an old version): no change lost"
            return True, verdict, []
    return False, "it may have held a change", []


def _as_patch(records: list[wal.Record]) -> bytes:
    """The dropped changes as RDF Patch (one transaction each), to redo by hand."""
    lines = []
    for record in records:
        lines.append(f"# change {record.change} (byte {record.offset} of the damaged log)")
        try:
            change = json.loads(record.payload)
        except ValueError:
            lines.append("# (unreadable)")
            continue
        lines.append("TX .")
        lines += [f"D {quad}" for quad in change.get("removed", "").splitlines()]
        lines += [f"A {quad}" for quad in change.get("added", "").splitlines()]
        lines += [f"# created graph <{graph}>" for graph in change.get("created", ())]
        lines += [f"# dropped graph <{graph}>" for graph in change.get("dropped", ())]
        lines.append("TC .")
    return ("\n".join(lines) + "\n").encode()


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
