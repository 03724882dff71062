"""The build: parse every source, validate, and only then replace the on-disk store."""

from __future__ import annotations

import errno
import shutil
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path

from ..config import Settings
from ..errors import StorageError
from ..store import GraphStore
from ..store.snapshot import write_disk_store, write_dump
from ..validation.engines import validate_store
from ..validation.report import Report
from . import faults, wal
from .embedded import drop_log, latest_version
from .sources import Kind, discover, submitted


class BuildRefused(Exception):
    """The sources have violations: nothing was built."""

    def __init__(self, report: Report):
        self.report = report
        super().__init__(f"{len(report.violations)} violation(s): the store was not built")


def source_store(root: Path, extra: Iterable[Path] = ()) -> GraphStore:
    """An in-memory store of every source (and the extra files), or a `SourceError`."""
    sources = discover(root) + [submitted(Path(path)) for path in extra]
    store = GraphStore()
    for source in sources:
        store.load_source(source, source.display(root))
    return store


def shapes_store(root: Path) -> GraphStore:
    """An in-memory store of the shapes files under `root`, each in its graph."""
    store = GraphStore()
    for source in discover(root):
        if source.kind is Kind.SHAPES:
            store.load_source(source)
    return store


def build(settings: Settings, engine: str = "fast") -> Report:
    """Build the on-disk store from the sources; refuse (store untouched) on violations."""
    store = source_store(settings.root)
    report = validate_store(store, engine)
    if not report.conforms:
        raise BuildRefused(report)
    # The new snapshot comes after every change of the old one and its log: a crash before
    # the log is dropped leaves records that the new snapshot says it holds (never replayed).
    _replace_store(store, settings.store, latest_version(settings.store) + 1)
    # The log holds changes to the store just replaced; they do not apply to the new one.
    drop_log(settings.store)
    return report


def _replace_store(store: GraphStore, target: Path, version: int = 0) -> None:
    """Write the new store beside the old one and swap them, so a failed build leaves the old."""
    with replacing_store(store, target, version):
        pass


@contextmanager
def replacing_store(store: GraphStore, target: Path, version: int = 0) -> Iterator[None]:
    """Write `store` as the new snapshot beside `target` while the block runs (a bulk load
    validates meanwhile), then swap them; if the block raises, `target` stays as it was.
    `version`: the last change of the write-ahead log the new snapshot holds.

    The snapshot directory holds the dump that the server loads and the on-disk store (see
    `store.snapshot`); the engine's bulk loader fills the latter from the dump on a thread of
    its own, which leaves the interpreter free for the block. The swap is two renames, each
    made durable (the parent directory fsynced): a crash at any point leaves the old snapshot
    (put back by the next opening, `embedded._recover_swap`) or the new one, whole.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staged, retired = target.with_name(target.name + ".new"), target.with_name(target.name + ".old")
    shutil.rmtree(staged, ignore_errors=True)
    try:
        staged.mkdir()
        write_dump(store, staged, version)
        faults.reach("snapshot-dumped")
        with ThreadPoolExecutor(1) as pool:
            disk = pool.submit(write_disk_store, staged)
            try:
                yield
            finally:
                wait([disk])
            disk.result()
    except BaseException as error:
        written = _size(staged) if staged.exists() else 0
        shutil.rmtree(staged, ignore_errors=True)
        if isinstance(error, OSError):
            raise _snapshot_error(error, target, written) from error
        raise
    faults.reach("swap-staged")
    shutil.rmtree(retired, ignore_errors=True)
    if target.exists():
        target.rename(retired)
        wal.fsync_directory(target.parent)
    faults.reach("swap-retired")
    staged.rename(target)
    wal.fsync_directory(target.parent)
    faults.reach("swap-replaced")
    shutil.rmtree(retired, ignore_errors=True)


def _size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def _snapshot_error(error: OSError, target: Path, written: int) -> StorageError:
    """A snapshot that could not be written: for want of space, with what it needs."""
    outcome = "Nothing was changed: the old snapshot and its log are as they were."
    if error.errno in wal.FULL or "No space left" in str(error):
        needed = max(_size(target) if target.exists() else 0, written)
        what = (
            "the new snapshot (written beside the old one before they are swapped; more while "
            "its on-disk store is built)"
        )
        return wal.full_error(
            OSError(errno.ENOSPC, str(error)), target.parent, needed, what, outcome
        )
    message = f"the new snapshot could not be written beside {target}: {error}. {outcome}"
    return StorageError(message)
