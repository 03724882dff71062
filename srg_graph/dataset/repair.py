"""`srg repair`: make a damaged write-ahead log openable, keeping every change it can.

It keeps a copy of the log, then the records that provably lost nothing: those before the
first bad region, and past a region those that go on without a gap. The records of the changes
the snapshot holds stay (they are the history; a start replays only the changes after the
snapshot's version). A lost change the snapshot does not hold drops the records after it from
the data (listed, written out as RDF Patch); a lost one it holds costs only its history.
Run by the store's owner, with the server stopped (`lock.hold`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from . import wal
from .embedded import log_path, open_log, recovered_swap, snapshot_version
from .lock import hold


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
    recovered_swap(snapshot)
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
    open_log(snapshot)  # it opens now
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
