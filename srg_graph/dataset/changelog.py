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
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..store import Delta
from ..store.history_graph import HISTORY, ITEMISED, in_history, metadata
from . import history, records, wal
from .records import subjects_of

LARGE = 1 << 20  # bytes of a record worth reading off its bytes rather than decoding

__all__ = ["ChangeLog", "Entry", "subjects_of"]


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


def _entry(number: int, offset: int, data: Any, begin: int, end: int) -> Entry:
    """The index's entry of the record at `data[begin:end]`."""
    found = records.facts(number, data, begin, end)
    created, dropped = tuple(found.get("created", ())), tuple(found.get("dropped", ()))
    agent = found.get("agent")
    return Entry(
        number,
        found.get("time"),
        agent if agent is not None else "unknown",
        found.get("note"),
        found.get("kind", "write"),
        found.get("reverts"),
        found["removedCount"],
        found["addedCount"],
        tuple(sorted({*found.get("graphs", ()), *created, *dropped} - {""})),
        created,
        dropped,
        offset,
    )


def description(number: int, payload: bytes) -> Delta:
    """The description of change `number` in the history graph, made from its record: that of
    a large change (a build, a bulk load: not itemised) read off the record's bytes."""
    entry = _entry(number, 0, payload, 0, len(payload)) if len(payload) > LARGE else None
    if entry is None or entry.removed + entry.added <= ITEMISED:
        return history.described(history.decode(number, payload))
    counts, graphs = (entry.removed, entry.added), entry.graphs
    triples = metadata(
        number, counts, graphs, entry.time, entry.agent, entry.note, entry.kind, entry.reverts
    )
    return Delta(b"", in_history(triples), frozenset({HISTORY}))


def _utc(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


class ChangeLog:
    """The changes of one log (`path`; None: a store that keeps no history), oldest first;
    `relabel` gives a change's delta with the blank nodes as the store names them (a remote
    store names the new ones itself)."""

    def __init__(self, path: Path | None, relabel: Callable[[Delta, int], Delta] | None = None):
        self.path, self.relabel = path, relabel
        self.lock = threading.RLock()
        self.building = threading.Lock()  # one reading of every change's subjects at a time
        self._entries: list[Entry] | None = None  # read at first use
        self._numbers: dict[int, int] = {}  # change number -> index in _entries
        self._times: list[datetime] = []  # per entry: its time, made non-decreasing
        self._end = 0  # where the records read so far end
        self._file: tuple[int, int] | None = None  # (device, inode) of the file read
        self._subjects: dict[int, frozenset[str]] = {}
        self._touching: dict[str, list[int]] | None = None  # subject -> changes, at first use
        self._stale = False  # records were appended since the index was last brought up to date

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
        behind this index: a purge or a retracted change), with the records appended since
        the last use taken in. Call with the lock held."""
        if self._entries is not None:
            if self._stale:
                self._catch_up()
            assert self._entries is not None
            return self._entries
        self._stale = False
        self._entries, self._numbers, self._times = [], {}, []
        self._subjects, self._touching, self._end = {}, None, 0
        if self.path is None:
            return self._entries
        self._file, _ = self._identity()
        with records.mapped(self.path) as data:
            if data[: len(wal.FILE_HEADER)] != wal.FILE_HEADER:  # empty, or damaged: say so
                found = wal.scan(self.path)
                if found.damage is not None:
                    raise wal.damage_error(found)
                self._end = found.end
                return self._entries
            self._end = self._add(data, len(wal.FILE_HEADER), 0)
        return self._entries

    def _add(self, data: Any, start: int, base: int) -> int:
        """Take in the records of `data` (the log's bytes from offset `base`) from `start`
        on; where they end."""
        assert self._entries is not None
        end = start
        for number, offset, begin, end in wal.spans(data, start):
            if number <= 0 or number in self._numbers:
                continue
            entry = _entry(number, base + offset, data, begin, end)
            self._numbers[number] = len(self._entries)
            self._entries.append(entry)
            when = entry.when
            last = self._times[-1] if self._times else None
            if when is None:
                when = last or datetime.min.replace(tzinfo=UTC)
            self._times.append(max(_utc(when), last) if last is not None else _utc(when))
            if self._touching is not None:
                self._index(number, records.subjects(number, data, begin, end))
        return end

    def refresh(self) -> None:
        """Take in the records appended to the log since it was last read (the dataset calls
        this after each commit); read it anew if it was rewritten or cut back. It never
        waits: while a reader holds the index (working out the subjects of every change, at
        first use), the next use takes the new records in."""
        if self.path is None:
            return
        self._stale = True
        if self.lock.acquire(blocking=False):
            try:
                if self._entries is not None:
                    self._catch_up()
            finally:
                self.lock.release()

    def _catch_up(self) -> None:
        """Read the records appended since (call with the lock held, the index read)."""
        assert self.path is not None
        self._stale = False
        identity, size = self._identity()
        if identity != self._file or size < self._end:
            self._entries = None
            self._load()
            return
        if size == self._end:
            return
        with self.path.open("rb") as log:
            log.seek(self._end)
            data = log.read(size - self._end)
        # (a record still being appended is read at the next refresh)
        self._end += self._add(data, 0, self._end)

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
        change = history.decode(number, payload)
        if self.relabel is None:
            return change
        return replace(change, delta=self.relabel(change.delta, number))

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
                found = self.entry(number)
                if found is None:
                    return frozenset()
                payload = self._record(found)
                self._index(number, records.subjects(number, payload, 0, len(payload)))
            return self._subjects[number]

    def touching(self, iri: str) -> list[int]:
        """The changes whose removed or added statements are about `iri`, oldest first."""
        with self.lock:
            self._load()
            ready = self._touching is not None
        if not ready:
            self._index_all()
        with self.lock:
            self._load()
            return list((self._touching or {}).get(iri, ()))

    def _index_all(self) -> None:
        """The subjects of every change, in one reading of the log, made without holding the
        index (the other uses go on meanwhile) and then taken in with what came since."""
        with self.building:
            with self.lock:
                self._load()
                if self._touching is not None or self.path is None:
                    self._touching = self._touching or {}
                    return
                known, until = set(self._numbers), self._end
            found: dict[int, frozenset[str]] = {}
            with records.mapped(self.path) as data:
                if data[: len(wal.FILE_HEADER)] == wal.FILE_HEADER:
                    for number, _, begin, end in wal.spans(data, len(wal.FILE_HEADER)):
                        if end > until:
                            break
                        if number in known:
                            found[number] = records.subjects(number, data, begin, end)
            with self.lock:
                self._load()
                self._touching = {}
                for entry in self._entries or ():
                    number = entry.number
                    subjects = found.get(number)
                    if subjects is None:  # appended meanwhile: read on its own
                        payload = self._record(entry)
                        subjects = records.subjects(number, payload, 0, len(payload))
                    self._index(number, subjects)

    def _index(self, number: int, subjects: frozenset[str]) -> None:
        self._subjects[number] = subjects
        if self._touching is not None:
            for subject in subjects:
                numbers = self._touching.setdefault(subject, [])
                if not numbers or numbers[-1] != number:
                    numbers.append(number)
