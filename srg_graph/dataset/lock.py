"""One writer a store: the process that owns a store holds an exclusive lock on it.

A server and a command that writes (`srg mappings import`, `load`, `compact`, `build`,
`revert`, `purge`, `repair`) each own the store they work on while they run: they take an
exclusive lock (`flock`) on `<store>.lock` when they open it as its owner. A second owner is
refused at once with who holds the store, so that no command ever reports success for a change
that the running server would not serve (nor overwrites it). The lock goes with its process:
a server killed with `kill -9` leaves no stale lock. Within one process, holds of the same store
are counted, and the lock is given up with the last.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from ..errors import StorageError, StoreInUse
from . import faults

_HELD: dict[Path, list[int]] = {}  # store -> [descriptor, holds] in this process
_GUARD = threading.Lock()


def lock_path(snapshot: Path) -> Path:
    return snapshot.with_name(snapshot.name + ".lock")


class StoreLock:
    """A hold of a store's lock; `release` (or the end of a `with` block) gives it back."""

    def __init__(self, snapshot: Path):
        self.key: Path | None = None  # set once held
        key = snapshot.resolve()
        with _GUARD:
            held = _HELD.get(key)
            if held is not None:
                held[1] += 1
            else:
                _HELD[key] = [_take(key, snapshot), 1]
        self.key = key

    def release(self) -> None:
        with _GUARD:
            if self.key is None:
                return
            held = _HELD[self.key]
            held[1] -= 1
            if not held[1]:
                os.close(held[0])  # closing the descriptor gives the lock up
                del _HELD[self.key]
            self.key = None

    def __enter__(self) -> StoreLock:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()

    def __del__(self) -> None:
        self.release()


def _take(key: Path, snapshot: Path) -> int:
    key.parent.mkdir(parents=True, exist_ok=True)
    fd = _opened(lock_path(key))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
        os.close(fd)
        raise StoreInUse(
            f"the store {snapshot} is in use by {holder}: only one process writes a store. "
            "Stop the server first, or send the change through it (its SPARQL Update and "
            "Graph Store endpoints, POST /api/mappings)",
            str(snapshot),
        ) from None
    try:
        os.ftruncate(fd, 0)
        faults.reach("lock-note")
        os.pwrite(fd, f"process {os.getpid()}".encode(), 0)
    except OSError:  # who holds it is for messages only: a full disk must not stop a start
        pass
    return fd


def _opened(path: Path) -> int:
    """The lock file, opened to be locked: for reading only where it cannot be written (a
    read-only mount), since `flock` needs no write access; `StorageError` when it cannot be
    opened at all."""
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as error:
        try:
            return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            raise StorageError(
                f"the store's lock file {path} cannot be opened ({error.strerror}): the "
                "store's directory must be writable by this user"
            ) from error


def hold(snapshot: Path) -> StoreLock:
    """Own the store (a hold of its lock), or `StoreInUse` when another process does."""
    return StoreLock(snapshot)
