"""The index of the history: what each change of the log is, without reading the log again.

`ChangeLog` reads a store's write-ahead log (the history, `history`) once, at first use, and
keeps for every change its metadata (`Entry`: number, time, agent, note, kind, what it
reverts, how many statements it removed and added, the named graphs it changed) and where its
record is in the log; the change itself (its delta) is read from there when asked for. The
subjects each change touched (the IRIs its removed and added statements are about), and from
them the changes that touched a resource, are worked out at first use and kept. The dataset
calls `refresh` after each commit: only the records appended since are read.

Used by the history's pages (`/changes`, a resource's own history, the Memento TimeMap), time
travel (`at`: the version of an instant) and the LDES. Thread-safe; it never writes.
"""

from __future__ import annotations

import bisect
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..store import Delta
from . import history, wal


@dataclass(frozen=True)
class Entry:
    """One change as the index keeps it (its delta stays in the log: `ChangeLog.change`)."""

    number: int
    time: str | None  # xsd:dateTime in UTC; None for a record written before times were kept
    agent: str
    note: str | None
    kind: str
    reverts: int | None
    removed: int  # statements
    added: int
    graphs: tuple[str, ...]  # the named graphs it changed (created and dropped ones too)
    created: tuple[str, ...]
    dropped: tuple[str, ...]
    offset: int  # where its record starts in the log

    @property
    def when(self) -> datetime | None:
        return None if self.time is None else datetime.fromisoformat(self.time)


def _entry(change: history.Change, offset: int) -> Entry:
    delta, meta = change.delta, change.meta
    graphs = sorted({*delta.graphs, *delta.created, *delta.dropped} - {""})
    return Entry(
        change.number,
        change.time,
        meta.agent,
        meta.note,
        meta.kind,
        meta.reverts,
        delta.removed.count(b"\n"),
        delta.added.count(b"\n"),
        tuple(graphs),
        tuple(delta.created),
        tuple(delta.dropped),
        offset,
    )


def subjects_of(nquads: bytes) -> set[str]:
    """The IRIs that the statements of an N-Quads text are about (blank nodes and quoted
    triples left out). The engine writes one statement a line, its subject first."""
    found = set()
    for line in nquads.split(b"\n"):
        if line.startswith(b"<") and not line.startswith(b"<<"):
            end = line.find(b">")
            if end > 0:
                found.add(line[1:end].decode())
    return found


def _utc(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


class ChangeLog:
    """The changes of one log (`path`; None: a store that keeps no history), oldest first."""

    def __init__(self, path: Path | None):
        self.path = path
        self.lock = threading.RLock()
        self._entries: list[Entry] | None = None  # read at first use
        self._numbers: dict[int, int] = {}  # change number -> index in _entries
        self._times: list[datetime] = []  # per entry: its time, made non-decreasing
        self._end = 0  # where the records read so far end
        self._file: tuple[int, int] | None = None  # (device, inode) of the file read
        self._subjects: dict[int, frozenset[str]] = {}
        self._touching: dict[str, list[int]] | None = None  # subject -> changes, at first use

    # -- reading the log ---------------------------------------------------------------------
    def _identity(self) -> tuple[tuple[int, int] | None, int]:
        assert self.path is not None
        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            return None, 0
        return (status.st_dev, status.st_ino), status.st_size

    def _load(self) -> list[Entry]:
        """The index, read from the whole log at first use (and again if the log was rewritten
        behind this index: a purge or a retracted change)."""
        if self._entries is not None:
            return self._entries
        self._entries, self._numbers, self._times = [], {}, []
        self._subjects, self._touching, self._end = {}, None, 0
        if self.path is None:
            return self._entries
        self._file, _ = self._identity()
        found = wal.scan(self.path)
        if found.damage is not None:
            raise wal.damage_error(found)
        records = wal.numbered(found.records, None)
        self._add((number, record.offset, record.payload) for number, record in records)
        self._end = found.end
        return self._entries

    def _add(self, records: Iterable[tuple[int, int, bytes]]) -> None:
        assert self._entries is not None
        for number, offset, payload in records:
            if number <= 0 or number in self._numbers:
                continue
            change = history.decode(number, payload)
            self._numbers[number] = len(self._entries)
            self._entries.append(_entry(change, offset))
            when = change.when
            last = self._times[-1] if self._times else None
            if when is None:
                when = last or datetime.min.replace(tzinfo=UTC)
            self._times.append(max(_utc(when), last) if last is not None else _utc(when))
            if self._touching is not None:
                self._index_subjects(number, change.delta)

    def refresh(self) -> None:
        """Take in the records appended to the log since it was last read (the dataset calls
        this after each commit); read it anew if it was rewritten or cut back."""
        if self.path is None:
            return
        with self.lock:
            if self._entries is None:
                return  # not read yet: the first use reads everything
            identity, size = self._identity()
            if identity != self._file or size < self._end:
                self._entries = None
                return
            if size == self._end:
                return
            with self.path.open("rb") as log:
                log.seek(self._end)
                data = log.read(size - self._end)
            records, used = [], 0
            while len(data) - used >= wal.RECORD.size:
                magic, length, number, _ = wal.RECORD.unpack_from(data, used)
                start = used + wal.RECORD.size
                payload = data[start : start + length]
                if magic != wal.RECORD_MAGIC or len(payload) < length:
                    break  # an append under way (or torn): read again at the next refresh
                if wal.encode(number, payload) != data[used:start]:
                    break
                records.append((number, self._end + used, payload))
                used = start + length
            self._add(records)
            self._end += used

    def _record(self, entry: Entry) -> bytes:
        """The payload of a change's record, checked against its checksum."""
        assert self.path is not None
        with self.path.open("rb") as log:
            log.seek(entry.offset)
            head = log.read(wal.RECORD.size)
            if len(head) < wal.RECORD.size:
                raise LookupError(f"change {entry.number} is no longer where the index says")
            length = wal.RECORD.unpack(head)[1]
            payload = log.read(length)
        if wal.encode(entry.number, payload) != head:
            raise LookupError(f"change {entry.number} is no longer where the index says")
        return payload

    # -- what the index answers ----------------------------------------------------------------
    @property
    def last(self) -> int:
        """The number of the newest change (0: none)."""
        with self.lock:
            entries = self._load()
            return entries[-1].number if entries else 0

    @property
    def first(self) -> int | None:
        """The number of the oldest change the log holds (None: none). A store whose log
        starts after change 1 (built before the history was kept, or a remote store's history
        of this server's own writes) has no record of the versions before it."""
        with self.lock:
            entries = self._load()
            return entries[0].number if entries else None

    def __len__(self) -> int:
        with self.lock:
            return len(self._load())

    def entries(self, since: int = 0, until: int | None = None) -> list[Entry]:
        """The changes after `since` up to `until` (default: the newest), oldest first."""
        with self.lock:
            entries = self._load()
            numbers = [e.number for e in entries]
            start = bisect.bisect_right(numbers, since)
            stop = len(entries) if until is None else bisect.bisect_right(numbers, until)
            return entries[start:stop]

    def entry(self, number: int) -> Entry | None:
        with self.lock:
            entries = self._load()
            index = self._numbers.get(number)
            return None if index is None else entries[index]

    def change(self, number: int) -> history.Change | None:
        """Change `number` with its delta, read from the log; None if the log has no such
        change."""
        with self.lock:
            found = self.entry(number)
            if found is None:
                return None
            try:
                payload = self._record(found)
            except LookupError:  # the log was rewritten (a purge): read it anew
                self._entries = None
                found = self.entry(number)
                if found is None:
                    return None
                payload = self._record(found)
            return history.decode(number, payload)

    def at(self, instant: datetime) -> int:
        """The version of the dataset at `instant` (naive: UTC): the last change made at or
        before it; 0 before the first change."""
        with self.lock:
            entries = self._load()
            position = bisect.bisect_right(self._times, _utc(instant))
            return entries[position - 1].number if position else 0

    def subjects(self, number: int) -> frozenset[str]:
        """The IRIs that the statements change `number` removed or added are about."""
        with self.lock:
            if number not in self._subjects:
                change = self.change(number)
                if change is None:
                    return frozenset()
                self._index_subjects(number, change.delta)
            return self._subjects[number]

    def touching(self, iri: str) -> list[int]:
        """The changes whose removed or added statements are about `iri`, oldest first."""
        with self.lock:
            if self._touching is None:
                self._index_all()
            return list((self._touching or {}).get(iri, ()))

    def _index_all(self) -> None:
        """The subjects of every change, in one reading of the log."""
        self._load()
        self._touching = {}
        if self.path is None:
            return
        found = wal.scan(self.path)
        for number, record in wal.numbered(found.records, None):
            if number in self._numbers:
                self._index_subjects(number, history.decode(number, record.payload).delta)

    def _index_subjects(self, number: int, delta: Delta) -> None:
        subjects = frozenset(subjects_of(delta.removed) | subjects_of(delta.added))
        self._subjects[number] = subjects
        if self._touching is not None:
            for subject in subjects:
                numbers = self._touching.setdefault(subject, [])
                if not numbers or numbers[-1] != number:
                    numbers.append(number)
