"""The write-ahead log: a write is committed once its record is durable on disk.

The file: a 16-byte header (`\\x89SRG-WAL\\r\\n`, the format number, 2, and a CRC-32 of
both), then records

    magic `\\x93SRG` (4 bytes) | length (4) | change number (8) | crc32 (4) | payload (length)

big-endian; the CRC-32 covers the length, the change number and the payload. The change number
is the dataset's version just after the change: consecutive within a log, and the snapshot's
index says up to which change it holds (`store.snapshot`), so a log is replayed onto a
snapshot from the first change the snapshot does not hold. Payloads are ASCII (JSON with
`ensure_ascii`), and the magic is not, so it never occurs inside a payload: a reader that
meets a bad record finds the next good one by looking for the magic.

Appending writes the record just after the last complete one and fsyncs it (and the
directory when the file is new); only then is the write acknowledged. An append that fails
is rolled back (the file truncated to the last complete record and fsynced) before anything
else is appended. With the disk full (ENOSPC, EDQUOT, from the write or the fsync) that is a
`StorageFull` refusal and the next write tries again. A failed fsync for any other reason
(the kernel may have dropped the pages it could not write: PostgreSQL's "fsyncgate"), any
other I/O error, or a rollback that fails stops writes until a restart reads the log again
(`WritesStopped`).

Reading tells a torn tail from damage. A torn tail is what a crash in the middle of an
append leaves: a last record that is incomplete, or whose checksum fails with nothing valid
after it; it was never acknowledged, and the log's owner cuts it (keeping a copy of the
bytes beside the log). A bad record with a valid record after it is damage: cutting there
would drop acknowledged writes, so the log is not opened (`LogDamaged`, naming the file and
the offset) and stays untouched until `srg repair`. So is a log whose valid records end before
the snapshot's version: its bad last record was acknowledged (the snapshot holds it), and no
change could follow the records before it (a log's change numbers have no gap).

Format 1 (`length | crc32 | payload`, no file header, no change numbers; written before
this one) is read too, and its owner rewrites it in format 2.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import struct
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import LogDamaged, StorageError, StorageFull, WritesStopped
from . import faults

FILE_MAGIC = b"\x89SRG-WAL\r\n"
FORMAT = 2


def _file_header(fmt: int) -> bytes:
    """The magic, the format number and a CRC-32 of both: 16 bytes."""
    head = FILE_MAGIC + struct.pack(">H", fmt)
    return head + struct.pack(">I", zlib.crc32(head))


FILE_HEADER = _file_header(FORMAT)
RECORD_MAGIC = b"\x93SRG"
RECORD = struct.Struct(">4sIQI")  # magic, length, change number, crc32
V1_RECORD = struct.Struct(">II")  # length, crc32 (format 1)
V1_PAYLOAD = b'{"removed": '  # how every format 1 payload starts
FULL = (errno.ENOSPC, errno.EDQUOT)


def is_full(error: OSError) -> bool:
    """A full disk (or quota): by errno, or by the system's message where the engine's own
    I/O errors carry none."""
    return error.errno in FULL or "No space left" in str(error)


log = logging.getLogger("srg.storage")


@dataclass(frozen=True)
class Record:
    """A complete record: `offset` to `end` in the file; `change` its number (None for a
    format 1 record, which has none)."""

    offset: int
    end: int
    change: int | None
    payload: bytes


@dataclass(frozen=True)
class Junk:
    """Bytes from `offset` to `end` that hold no valid record, and why the first did not."""

    offset: int
    end: int
    reason: str


def encode(change: int, payload: bytes) -> bytes:
    """The record of `payload` as change number `change`."""
    if not payload.isascii():
        raise ValueError("a log payload must be ASCII (JSON with ensure_ascii)")
    fields = struct.pack(">IQ", len(payload), change)
    return RECORD_MAGIC + fields + struct.pack(">I", zlib.crc32(payload, zlib.crc32(fields)))


def _parse(data: bytes, offset: int, fmt: int) -> Record | str:
    """The record that starts at `offset`, or why none does."""
    head = RECORD if fmt == 2 else V1_RECORD
    if len(data) - offset < head.size:
        return f"an incomplete record header ({len(data) - offset} of {head.size} bytes)"
    if fmt == 2:
        magic, length, change, checksum = RECORD.unpack_from(data, offset)
        if magic != RECORD_MAGIC:
            return "no record starts there (its magic number is wrong)"
        seed = zlib.crc32(data[offset + 4 : offset + 16])
    else:
        (length, checksum), change, seed = V1_RECORD.unpack_from(data, offset), None, 0
    start = offset + head.size
    if start + length > len(data):
        return f"a record of {length} bytes with only {len(data) - start} in the file"
    payload = data[start : start + length]
    if zlib.crc32(payload, seed) != checksum:
        return "a record whose checksum does not match its contents"
    return Record(offset, start + length, change, payload)


def _candidates(data: bytes, offset: int, fmt: int) -> int:
    """The next offset from `offset` on where a record could start (-1: none)."""
    if fmt == 2:
        return data.find(RECORD_MAGIC, offset)
    found = data.find(V1_PAYLOAD, offset + V1_RECORD.size)
    return -1 if found < 0 else found - V1_RECORD.size


def _layout(data: bytes, start: int, fmt: int) -> list[Record | Junk]:
    """The file from `start` as records and the junk between them: after a bad record the
    next valid one is looked for at every place one could start."""
    items: list[Record | Junk] = []
    offset, previous = start, None
    while offset < len(data):
        found = _parse(data, offset, fmt)
        if isinstance(found, Record):
            if previous is not None and found.change is not None and found.change != previous + 1:
                reason = f"change {found.change} where change {previous + 1} was due"
                items.append(Junk(offset, offset, reason))
            items.append(found)
            offset, previous = found.end, found.change
            continue
        following = _candidates(data, offset + 1, fmt)
        while following >= 0 and not isinstance(_parse(data, following, fmt), Record):
            following = _candidates(data, following + 1, fmt)
        end = len(data) if following < 0 else following
        items.append(Junk(offset, end, found))
        offset, previous = end, None
    return items


@dataclass
class Scan:
    """What a log file holds, read without changing it."""

    path: Path
    data: bytes
    fmt: int  # 2, or 1 for a format 1 log
    items: list[Record | Junk] = field(default_factory=list)

    @property
    def records(self) -> list[Record]:
        """The valid records before the first bad byte."""
        prefix = []
        for item in self.items:
            if isinstance(item, Junk):
                break
            prefix.append(item)
        return prefix

    @property
    def end(self) -> int:
        """Where the valid records end: where the next record is written."""
        records = self.records
        if records:
            return records[-1].end
        return len(FILE_HEADER) if self.data.startswith(FILE_HEADER) else 0

    @property
    def damage(self) -> Junk | None:
        """The first bad region when a valid record follows it."""
        junk = next((item for item in self.items if isinstance(item, Junk)), None)
        return junk if junk is not None and self.following else None

    @property
    def following(self) -> list[Record]:
        """The valid records after the first bad region."""
        index = len(self.records)
        return [item for item in self.items[index:] if isinstance(item, Record)]

    @property
    def torn(self) -> bool:
        """Bytes after the last valid record, with no valid record among them."""
        return self.end < len(self.data) and not self.following


def scan(path: Path) -> Scan:
    """Read the log at `path` (a missing file is an empty log)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = b""
    if not data:
        return Scan(path, data, FORMAT)
    if len(data) < len(FILE_HEADER) and FILE_HEADER.startswith(data):  # being created
        return Scan(path, data, FORMAT, [Junk(0, len(data), "an incomplete file header")])
    if data.startswith(FILE_MAGIC) and len(data) >= len(FILE_HEADER):
        (fmt,) = struct.unpack_from(">H", data, len(FILE_MAGIC))
        if data[: len(FILE_HEADER)] != _file_header(fmt):
            return _damaged_header(path, data)
        if fmt != FORMAT:
            raise StorageError(
                f"the write-ahead log {path} is in format {fmt}, which this version of srg "
                "does not read: a newer version wrote it; run that version"
            )
        return Scan(path, data, FORMAT, _layout(data, len(FILE_HEADER), FORMAT))
    items = _layout(data, 0, 1)
    if items and isinstance(items[0], Junk):  # not format 1: format 2 with a damaged header?
        damaged = _damaged_header(path, data)
        if damaged.following:
            return damaged
    return Scan(path, data, 1, items)


def _damaged_header(path: Path, data: bytes) -> Scan:
    junk = Junk(0, len(FILE_HEADER), "a damaged file header")
    return Scan(path, data, FORMAT, [junk, *_layout(data, len(FILE_HEADER), FORMAT)])


def spans(data: Any, start: int) -> Iterator[tuple[int, int, int, int]]:
    """The valid records of a format 2 log's bytes from `start` on, without copying their
    payloads (`data` may be an mmap of the file): (change number, offset of the record, start
    and end of its payload). It stops where no valid record starts: at the end, or at a
    tail still being appended (or torn, or damaged: `scan` tells which)."""
    offset, size = start, len(data)
    while size - offset >= RECORD.size:
        magic, length, change, checksum = RECORD.unpack_from(data, offset)
        begin, end = offset + RECORD.size, offset + RECORD.size + length
        if magic != RECORD_MAGIC or end > size:
            return
        with memoryview(data) as view:
            if zlib.crc32(view[begin:end], zlib.crc32(view[offset + 4 : offset + 16])) != checksum:
                return
        yield change, offset, begin, end
        offset = end


def numbered(records: list[Record], base: int | None) -> list[tuple[int, Record]]:
    """The records with their change numbers: format 1 records have none and follow the
    snapshot they were written on (`base`: its version, None for a snapshot written before
    versions, on which they count from 1)."""
    if not records or records[0].change is not None:
        return [(record.change or 0, record) for record in records]
    if base is not None:  # a format 1 log beside a versioned snapshot is one it holds already
        return [(0, record) for record in records]
    return [(number, record) for number, record in enumerate(records, 1)]


def _snapshot_of(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".wal"))


def span(numbers: list[int]) -> str:
    """`change 3`, `changes 1-4`, `changes 1-2, 5` (numbers in ascending order), or `none`."""
    if not numbers:
        return "none"
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    parts = [str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs]
    return ("change " if len(numbers) == 1 else "changes ") + ", ".join(parts)


def damage_error(found: Scan) -> LogDamaged:
    """The refusal to open a damaged log, with the file, the offset and what follows."""
    junk, following = found.damage, found.following
    assert junk is not None
    changes = [record.change for record in following if record.change is not None]
    return LogDamaged(
        f"the write-ahead log {found.path} is damaged at byte {junk.offset}: {junk.reason}, "
        f"and {len(following)} valid record(s) follow it (bytes {following[0].offset}-"
        f"{following[-1].end}{', ' + span(changes) if changes else ''}). Replaying it would "
        "drop acknowledged writes, so the store was not opened and the file is as it was. "
        f"With the server stopped, run `srg repair --store {_snapshot_of(found.path)}`: it "
        "keeps a copy of the log and says what it can recover.",
        str(found.path),
        junk.offset,
    )


def pending(found: Scan, base: int | None) -> list[tuple[int, Record]]:
    """The valid records the snapshot (of version `base`) does not hold yet, numbered;
    `LogDamaged` when the log does not continue the snapshot."""
    records = numbered(found.records, base)
    after = [(number, record) for number, record in records if number > (base or 0)]
    if after and after[0][0] != (base or 0) + 1:
        first, record = after[0]
        raise LogDamaged(
            f"the write-ahead log {found.path} continues with change {first} (byte "
            f"{record.offset}), but the snapshot holds the changes up to {base or 0}: changes "
            f"{(base or 0) + 1}-{first - 1} are missing (was the snapshot replaced by an older "
            "copy?). The store was not opened; put back the snapshot that belongs to this "
            f"log, or run `srg repair --store {_snapshot_of(found.path)}`.",
            str(found.path),
            record.offset,
        )
    return after


def _short_of(found: Scan, base: int | None) -> LogDamaged | None:
    """The refusal of a log whose valid records end before the snapshot's version: no change
    can follow them (the next one is numbered after that version, and a log has no gap). A
    bad record at its end is no torn append: the snapshot holds it, so it was acknowledged."""
    numbers = [record.change for record in found.records if record.change is not None]
    if found.fmt != FORMAT or not numbers or numbers[-1] >= (base or 0):
        return None
    junk = next((item for item in found.items if isinstance(item, Junk)), None)
    bad = f", then a bad record at byte {junk.offset} ({junk.reason})" if junk else ""
    missing = span(list(range(numbers[-1] + 1, (base or 0) + 1)))
    return LogDamaged(
        f"the write-ahead log {found.path} ends at change {numbers[-1]}{bad}, but the snapshot "
        f"holds the changes up to {base}: the log lacks the record(s) of {missing}, "
        "which were acknowledged (the snapshot holds them; a crash cuts only a change it does "
        "not hold), and no change can follow it. The store was not opened and the file is as "
        f"it was. With the server stopped, run `srg repair --store {_snapshot_of(found.path)}`: "
        "the data is whole, and it says which changes leave the history.",
        str(found.path),
        junk.offset if junk else found.end,
    )


def read(
    path: Path, base: int | None, limit: int | None = None, held: bool = False
) -> list[tuple[int, Record]]:
    """A reader's view: the first `limit` records (default all) that the snapshot does not
    hold, after those it holds if `held`. A torn tail is left alone (the owner cuts it);
    damage before them is an error."""
    found = scan(path)
    after = pending(found, base)
    if found.damage is not None and (limit is None or len(after) < limit):
        raise damage_error(found)
    if limit is not None and len(after) < limit:
        raise StorageError(
            f"the write-ahead log {path} holds {len(after)} record(s) where {limit} were "
            "committed; it was changed behind the server's back"
        )
    chosen = after if limit is None else after[:limit]
    return _after_held(found, base, chosen) if held else chosen


def _after_held(
    found: Scan, base: int | None, chosen: list[tuple[int, Record]]
) -> list[tuple[int, Record]]:
    """`chosen` after the records the snapshot (of version `base`) holds: the history up to
    them, for the history graph."""
    held = [(n, record) for n, record in numbered(found.records, base) if n <= (base or 0)]
    return held + chosen


def _stamp() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


def _free(directory: Path) -> int:
    try:
        info = os.statvfs(directory)
    except OSError:
        return 0
    return info.f_bavail * info.f_frsize


def size_text(count: int) -> str:
    """`1642 bytes (1.6 KiB)`."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale:
            return f"{count} bytes ({count / scale:.1f} {unit})"
    return f"{count} bytes"


def full_error(
    error: OSError, directory: Path, needed: int, what: str, outcome: str
) -> StorageFull:
    """The refusal of a write for want of space, with what it needs (0: not known) and what
    is free."""
    need = f"needs at least {size_text(needed)} and" if needed else "could not be written;"
    return StorageFull(
        f"the disk holding {directory} is full ({os.strerror(error.errno or errno.ENOSPC)}): "
        f"{what} {need} {size_text(_free(directory))} are free. {outcome}",
        needed,
    )


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_synced(path: Path, data: bytes) -> None:
    """Write `data` to `path` and fsync the file."""
    with path.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def replace_whole(path: Path, data: bytes) -> None:
    """Put `data` in place of `path` whole: written and synced beside it, then renamed (the
    caller syncs the directory once its files are in place)."""
    staged = path.with_name(path.name + ".new")
    try:
        write_synced(staged, data)
    except OSError:
        staged.unlink(missing_ok=True)
        raise
    staged.rename(path)


def keep_copy(path: Path, data: bytes, kind: str, suffix: str = "") -> Path:
    """Write `data` durably beside `path` as `<name>.<kind>-<UTC time><suffix>`."""
    copy = path.with_name(f"{path.name}.{kind}-{_stamp()}{suffix}")
    number = 1
    while copy.exists():
        number += 1
        copy = path.with_name(f"{path.name}.{kind}-{_stamp()}-{number}{suffix}")
    write_synced(copy, data)
    fsync_directory(path.parent)
    return copy


def rewrite(path: Path, records: list[tuple[int, bytes]]) -> None:
    """Replace the log with these (change number, payload) records, atomically."""
    staged = path.with_name(path.name + ".rewriting")
    data = FILE_HEADER + b"".join(encode(number, payload) + payload for number, payload in records)
    try:
        with staged.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        staged.rename(path)
        fsync_directory(path.parent)
    except OSError as error:
        staged.unlink(missing_ok=True)
        if error.errno in FULL:
            outcome = "The log is as it was; free space and start again."
            raise full_error(error, path.parent, len(data), "rewriting the log", outcome) from error
        raise


class Log:
    """The owner's handle on the log: it appends, rolls failed appends back, and stops
    writes when the disk cannot be trusted. One owner a store (the server, or a command run
    with the server stopped)."""

    def __init__(self, path: Path, end: int, version: int):
        self.path, self.end, self.version = path, end, version
        self.previous_end: int | None = None  # where the last record appended starts
        self.stopped: str | None = None  # why writes are stopped, once they are

    @classmethod
    def open(
        cls, path: Path, base: int | None, held: bool = False
    ) -> tuple[Log, list[tuple[int, Record]]]:
        """Open the log as its owner, on a snapshot of version `base`: refuse a damaged log,
        cut a torn tail, rewrite a format 1 log; the log and the records the snapshot does not
        hold yet (after those it holds if `held`). The records the snapshot holds stay: the
        log is the history."""
        found = scan(path)
        if found.damage is not None:
            raise damage_error(found)
        after = pending(found, base)
        short = _short_of(found, base)
        if short is not None:
            raise short
        if found.torn:
            _cut_tail(found)
        if found.fmt == 1:
            # In format 2, atomically replaced (format 1 records the snapshot holds are no
            # history: they were written before changes were numbered).
            rewrite(path, [(number, record.payload) for number, record in after])
            found = scan(path)
            after = pending(found, base)
        version = after[-1][0] if after else (base or 0)
        log = cls(path, found.end if found.fmt == FORMAT else 0, version)
        return log, _after_held(found, base, after) if held else after

    def refuse_if_stopped(self) -> None:
        if self.stopped is not None:
            raise WritesStopped(
                f"writes are stopped {self.stopped} This write was not made. Reads go on."
            )

    def append(self, payload: bytes) -> int:
        """Append `payload` as the next change and make it durable; its change number.
        `StorageFull` (nothing written, try again later), `WritesStopped` (until a restart)."""
        self.refuse_if_stopped()
        change = self.version + 1
        record = encode(change, payload) + payload
        data = FILE_HEADER + record if self.end == 0 else record
        first = self.end == 0  # a new file: its directory entry is made durable too
        try:
            faults.reach("log-open")
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as error:
            if error.errno in FULL:
                outcome = "Nothing of it was applied; free space and send it again."
                full = full_error(error, self.path.parent, len(data), "this write", outcome)
                raise full from error
            message = (
                f"the write-ahead log {self.path} cannot be opened ({error.strerror}). Nothing "
                "of this write was applied; let this server's user write the log and its "
                "directory, then send it again (no restart is needed)"
            )
            raise StorageError(message) from error
        try:
            size = os.fstat(fd).st_size
            if size != self.end:
                self._stop(
                    f"the write-ahead log {self.path} is {size} bytes where this server "
                    f"wrote {self.end}: another process changed or removed it. Stop the other "
                    "process, then restart the server: it reads the log again and takes writes. "
                    "If the log or the store was removed, first save the data this server "
                    "still holds (GET /dumps/dataset.nq.gz), which a restart would not find."
                )
                self.refuse_if_stopped()
            try:
                self._write(fd, data)
            except OSError as error:
                self._roll_back(fd, error, "writing the record", len(data))
            try:
                faults.reach("log-fsync")
                os.fsync(fd)
                if first:
                    fsync_directory(self.path.parent)
            except OSError as error:
                self._roll_back(fd, error, "the fsync of the record", len(data))
        finally:
            os.close(fd)
        self.previous_end, self.end = self.end, self.end + len(data)
        self.version = change
        return change

    def retract(self, change: int) -> None:
        """Take back the change just appended, which could not be applied (a remote store
        refused it): the log is cut back to before it and fsynced; if that fails, writes stop
        (the change may be in the log without being in the data)."""
        if change != self.version or self.previous_end is None:
            raise StorageError(f"change {change} is not the last one appended; it stays")
        try:
            with self.path.open("r+b") as log:
                log.truncate(self.previous_end)
                log.flush()
                os.fsync(log.fileno())
        except OSError as error:
            self._stop(f"change {change} could not be taken back out of {self.path}: {error}.")
            raise WritesStopped(f"writes are stopped {self.stopped}") from error
        self.end, self.previous_end, self.version = self.previous_end, None, change - 1

    def _write(self, fd: int, data: bytes) -> None:
        action = faults.armed("log-write")
        if action is not None:  # a real short write: half of the record, then the fault
            os.pwrite(fd, data[: len(data) // 2], self.end)
            faults.fire(action)
        written = 0
        while written < len(data):
            written += os.pwrite(fd, data[written:], self.end + written)

    def _roll_back(self, fd: int, error: OSError, stage: str, needed: int) -> None:
        """Cut a failed append off (truncate and fsync); then refuse the write: for want of
        space if that is all it was, else by stopping writes. Always raises."""
        try:
            faults.reach("log-truncate")
            os.ftruncate(fd, self.end)
            os.fsync(fd)
        except OSError as failed:
            self._stop(
                f"{stage} in the write-ahead log {self.path} failed ({error}), and so did "
                f"cutting the log back to its last complete record ({failed}): it may end in "
                "a torn record, which a restart cuts, or hold the failed write whole. Check "
                "the disk (free space, the kernel log), then restart the server: it reads the "
                "log again and takes writes."
            )
            raise WritesStopped(
                f"writes are stopped {self.stopped} This write is in doubt until the restart: "
                "it is in the log whole or not at all. Reads go on."
            ) from error
        if error.errno in FULL:
            outcome = (
                "Nothing of it was applied or kept; free space on that disk and send it again "
                "(no restart is needed)."
            )
            raise full_error(error, self.path.parent, needed, "this write", outcome) from error
        if stage.startswith("the fsync"):
            why = (
                "after a failed fsync the kernel may have dropped what it could not write, so "
                "no write is taken until a restart has read the log again"
            )
        else:
            why = "the disk cannot be trusted until it is checked"
        self._stop(
            f"{stage} in the write-ahead log {self.path} failed ({error}): {why}. Check the "
            "disk (the kernel log), then restart the server: it reads the log again and takes "
            "writes."
        )
        raise WritesStopped(
            f"writes are stopped {self.stopped} This write was cut off the log: it was not "
            "made. Reads go on."
        ) from error

    def _stop(self, reason: str) -> None:
        if self.stopped is None:
            self.stopped = f"since {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}: {reason}"
            log.error("srg: writes stopped: %s", reason)


def _cut_tail(found: Scan) -> None:
    """Cut a torn tail off the log, keeping a copy of its bytes beside it."""
    end, tail = found.end, found.data[found.end :]
    try:
        copy: Path | str = keep_copy(found.path, tail, "torn")
    except OSError as error:
        copy = f"no copy could be kept: {error}"
    with found.path.open("r+b") as file:
        file.truncate(end)
        file.flush()
        os.fsync(file.fileno())
    junk = next(item for item in found.items if isinstance(item, Junk))
    log.warning(
        "srg: cut a torn record off the end of the write-ahead log %s: %d byte(s) from byte %d "
        "(%s), which a crash in the middle of an append leaves; that write was never "
        "acknowledged. The bytes are kept in %s.",
        found.path,
        len(tail),
        end,
        junk.reason,
        copy,
    )


def describe(payload: bytes) -> dict[str, int]:
    """How many quads a change removed and added (for reports)."""
    try:
        record = json.loads(payload)
    except ValueError:
        return {}
    return {key: len(record.get(key, "").splitlines()) for key in ("removed", "added")}
