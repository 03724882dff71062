"""The event stream's files (`<store>.ldes/`): its index (`state.json`) and its pages.

The index records each page's size and a digest of its bytes, so a page is only ever served,
or written on, as it was recorded: an advance cut short (a full disk) leaves bytes past the
recorded size, which the next advance writes over, and a page damaged on disk is told from a
good one (`Damaged`) instead of being served.

While an advance is under way the index says so (`dirty`) and keeps the state before it, with
the last change it takes (`pending`): what the advance may have written is then known, and is
taken back before the stream goes on in the same generation of pages.

The writes are durable, so a power loss leaves what the index records: the index is written
beside itself, fsynced and renamed over the old one (then its directory fsynced), and a page's
new bytes are fsynced before the index records its new size and digest. The index also records
how many quads the replica held at its version (`quads`), which the replica is checked against
when it is opened.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import SrgError, Unavailable
from . import faults, wal

log = logging.getLogger("srg.storage")
FORMAT = 1  # of state.json: another number is made anew


class Damaged(Exception):
    """A page's bytes on disk are not those the index records: the pages cannot be trusted."""

    def __init__(self, token: str, number: int):
        super().__init__(f"page {number} of the event stream's pages {token} is damaged")
        self.token = token


@dataclass
class Page:
    """One page: how many members, the times and changes of its first and last, and the size
    and digest of its file's bytes (no digest: recorded before pages had one)."""

    number: int
    count: int = 0
    first_time: str | None = None
    last_time: str | None = None
    first_change: int | None = None
    last_change: int | None = None
    size: int = 0
    digest: str = ""


@dataclass
class State:
    token: str
    version: int = 0
    fingerprint: str = ""
    log: list[int] | None = None  # the log file's device and inode
    base: int | None = None  # the version the replica started at (None: no replica yet)
    first_time: str | None = None
    pages: list[Page] = field(default_factory=list)
    dirty: bool = False  # an advance is under way (or was cut short)
    pending: int | None = None  # the last change that advance takes
    quads: int | None = None  # the replica's at `version` (None: not recorded yet)
    format: int = FORMAT

    @classmethod
    def read(cls, path: Path) -> State | None:
        """The state at `path`; None when there is none or it is not one (empty, garbled, of
        another format); `OSError` when it cannot be read (the pages it records are kept)."""
        try:
            faults.reach("stream-read-state")
            raw = json.loads(path.read_text(encoding="utf-8"))
            pages = [Page(**page) for page in raw.pop("pages")]
            state = cls(**raw, pages=pages)
        except (FileNotFoundError, ValueError, TypeError, KeyError):
            return None
        return state if state.format == FORMAT else None

    def write(self, path: Path) -> None:
        faults.reach("stream-write")
        wal.replace_whole(path, json.dumps(asdict(self)).encode())
        wal.fsync_directory(path.parent)


def refused(error: OSError, directory: Path) -> SrgError:
    """The answer to a read or write of the stream's files (in `directory`) that failed, the
    stream forgetting what it held in memory: a full disk is `StorageFull`, another I/O error
    `Unavailable`; either way what the state records is kept, and the next request takes
    back what was cut short and goes on."""
    if wal.is_full(error):
        log.warning("the event stream's pages were cut short, to be taken back: %s", error)
        outcome = "The stream answers again once there is room; no restart is needed."
        return wal.full_error(error, directory, 0, "the event stream's pages", outcome)
    log.warning("the event stream could not read or write its files: %s", error)
    return Unavailable(
        f"the event stream could not read or write its files ({error}): what it recorded is "
        f"kept, and the next request tries again; if this persists, check the disk under "
        f"{directory} and the store's write-ahead log"
    )


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def _checked(token: str, page: Page, data: bytes) -> bytes:
    if len(data) != page.size or (page.digest and digest(data) != page.digest):
        raise Damaged(token, page.number)
    return data


def read(folder: Path, page: Page) -> bytes:
    """A page's bytes (`FileNotFoundError`: its generation is gone; `Damaged`: they are not
    the ones recorded)."""
    faults.reach("stream-read-page")
    with (folder / f"{page.number}.nt").open("rb") as file:
        return _checked(folder.name, page, file.read(page.size))


def append(folder: Path, page: Page, data: bytes) -> None:
    """Write `data` after the recorded bytes of a page (over what an advance cut short left
    there) and record its new size and digest; `Damaged` when the recorded bytes are not
    there as they were (written on, the damage would be recorded as good)."""
    descriptor = os.open(folder / f"{page.number}.nt", os.O_RDWR | os.O_CREAT, 0o644)
    with os.fdopen(descriptor, "r+b") as file:
        kept = _checked(folder.name, page, file.read(page.size))
        file.truncate(page.size)
        file.seek(page.size)
        action = faults.armed("stream-page")
        if action is not None:  # a short write, as a full disk leaves it
            file.write(data[: len(data) // 2])
            file.flush()
            faults.fire(action)
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    if not page.size:  # a new page: its name in the folder is durable too
        wal.fsync_directory(folder)
    page.size += len(data)
    page.digest = digest(kept + data)


def remove_after(folder: Path, count: int) -> None:
    """Remove the page files past the first `count` (begun by an advance cut short)."""
    begun = [p for p in folder.glob("*.nt") if p.stem.isdigit() and int(p.stem) > count]
    for path in begun:
        path.unlink()
    if begun:
        wal.fsync_directory(folder)
