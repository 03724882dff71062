"""The build: the sources' changes merged onto the store as one change, validated first;
and the snapshot that the store is written as."""

from __future__ import annotations

import errno
import logging
import shutil
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path

from ..config import Settings
from ..errors import SnapshotDamaged, StorageError, StorageFull
from ..store import GraphStore
from ..store.snapshot import has_dump, write_disk_store, write_dump
from ..validation.engines import validate_store
from ..validation.report import Report
from . import faults, history, wal
from .embedded import Dataset, log_path
from .history import Meta
from .lock import hold
from .merge import Base, Resolution, current_sources, merged, read_base, write_base
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


def has_snapshot(target: Path) -> bool:
    """Whether `target` holds a snapshot: a directory that is missing or empty is a store to
    build (`srg serve --store DIR` on a new, empty directory builds there), and so is the
    empty snapshot a first build writes before its change, when that build failed after it
    (a full disk, a crash): served, it would answer an empty dataset."""
    if not (target.is_dir() and (has_dump(target) or any(target.iterdir()))):
        return False
    return not _first_build_mark(target).exists()


def _first_build_mark(target: Path) -> Path:
    """A file beside a store that a first build makes before its empty snapshot and removes
    once the build is whole: while it is there, the store is still to build."""
    return target.with_name(target.name + ".building")


def shapes_store(root: Path) -> GraphStore:
    """An in-memory store of the shapes files under `root`, each in its graph."""
    store = GraphStore()
    for source in discover(root):
        if source.kind is Kind.SHAPES:
            store.load_source(source)
    return store


def build(
    settings: Settings,
    engine: str = "fast",
    how: Resolution = Resolution.MERGE,
    meta: Meta | None = None,
) -> Report:
    """Bring the sources' changes since the last build onto the store as one change of the
    history (the whole sources, on a first build), validated first; refuse on violations
    (`BuildRefused`) or on a conflict with the writes since (`BuildConflict`), changing
    nothing. The store is then folded into a new snapshot."""
    target = settings.store
    with hold(target):
        return _build(settings, engine, how, meta)


def _build(settings: Settings, engine: str, how: Resolution, meta: Meta | None) -> Report:
    target = settings.store
    data = _opened(target) if has_snapshot(target) else None
    base = Base() if data is None else read_base(target)
    sources, files = current_sources(settings.root, base)
    current = data.store if data is not None else GraphStore()
    since = [] if data is None else list(history.changes(log_path(target), base.change))
    delta = merged(base, sources, current, since, how)
    staged = current.copy()
    staged.apply(delta)
    report = validate_store(staged, engine)
    if not report.conforms:
        raise BuildRefused(report)
    mark = _first_build_mark(target)
    if data is None:
        _set_aside(log_path(target))
        target.parent.mkdir(parents=True, exist_ok=True)
        wal.write_synced(mark, b"")
        wal.fsync_directory(target.parent)
        write_snapshot(GraphStore(), target, 0)
        data = Dataset.recovered(target)
    number = data.commit(delta, meta or Meta(kind="build"))
    fold_in(data)
    write_base(target, sources, number or base.change, files)
    mark.unlink(missing_ok=True)
    return report


def fold_in(data: Dataset) -> None:
    """Write the dataset as a new snapshot holding every change of its log, so that the next
    start replays none. A change is durable once logged: without room for the snapshot it is
    kept (replayed at each start until `srg compact` succeeds), and the command says so."""
    try:
        write_snapshot(data.store, data.snapshot, data.change_number)
    except StorageFull as error:
        logging.getLogger("srg.storage").warning(
            "srg: change %d is made and kept in the log (it is replayed at each start); the "
            "new snapshot could not be written, the disk holding %s is full (it needs at least "
            "%s). Run `srg compact` once there is room.",
            data.change_number,
            data.snapshot.parent,
            wal.size_text(error.needed),
        )


def _opened(target: Path) -> Dataset | None:
    """The dataset of the store. With its snapshot damaged (kept beside it): made anew from
    the history when the log holds every change from the first, else None (built anew from
    the sources, the log kept beside too)."""
    try:
        return Dataset.recovered(target)
    except SnapshotDamaged as damaged:
        oldest = next(history.changes(log_path(target)), None)
        kept = target.with_name(f"{target.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
        target.rename(kept)
        whole = oldest is not None and oldest.number == 1
        logging.getLogger("srg.storage").warning(
            "srg: %s; the damaged snapshot is kept as %s and a new one made %s",
            damaged.message,
            kept,
            "from the history (the log)" if whole else "from the sources",
        )
        if not whole:
            return None
        write_snapshot(GraphStore(), target, 0)
        return Dataset.recovered(target)


def _set_aside(log: Path) -> None:
    """A log without its snapshot (the store was removed, not its log): kept beside, not
    replayed onto a new store."""
    if log.exists():
        kept = log.with_name(f"{log.name}.orphaned-{time.strftime('%Y%m%dT%H%M%S')}")
        log.rename(kept)
        logging.getLogger("srg.storage").warning(
            "srg: the write-ahead log %s had no snapshot beside it; kept as %s", log, kept
        )


def write_snapshot(store: GraphStore, target: Path, version: int = 0) -> None:
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
    if wal.is_full(error):
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
