"""The build: parse every source, validate, and only then replace the on-disk store."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path

from ..config import Settings
from ..store import GraphStore
from ..store.snapshot import write_disk_store, write_dump
from ..validation.engines import validate_store
from ..validation.report import Report
from .embedded import log_path
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


def is_built(store: Path) -> bool:
    """Whether `store` holds a built store: a directory that is missing or empty does not
    (`srg serve --store DIR` on a new, empty directory builds there)."""
    return store.is_dir() and any(store.iterdir())


def build(settings: Settings, engine: str = "fast") -> Report:
    """Build the on-disk store from the sources; refuse (store untouched) on violations."""
    store = source_store(settings.root)
    report = validate_store(store, engine)
    if not report.conforms:
        raise BuildRefused(report)
    _replace_store(store, settings.store)
    # The log holds changes to the store just replaced; they do not apply to the new one.
    log_path(settings.store).unlink(missing_ok=True)
    return report


def _replace_store(store: GraphStore, target: Path) -> None:
    """Write the new store beside the old one and swap them, so a failed build leaves the old."""
    with replacing_store(store, target):
        pass


@contextmanager
def replacing_store(store: GraphStore, target: Path) -> Iterator[None]:
    """Write `store` as the new snapshot beside `target` while the block runs (a bulk load
    validates meanwhile), then swap them; if the block raises, `target` stays as it was.

    The snapshot directory holds the dump that the server loads and the on-disk store (see
    `store.snapshot`); the engine's bulk loader fills the latter from the dump on a thread of
    its own, which leaves the interpreter free for the block.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staged, retired = target.with_name(target.name + ".new"), target.with_name(target.name + ".old")
    shutil.rmtree(staged, ignore_errors=True)
    staged.mkdir()
    write_dump(store, staged)
    with ThreadPoolExecutor(1) as pool:
        disk = pool.submit(write_disk_store, staged)
        try:
            yield
            disk.result()
        except BaseException:
            wait([disk])
            shutil.rmtree(staged, ignore_errors=True)
            raise
    shutil.rmtree(retired, ignore_errors=True)
    if target.exists():
        target.rename(retired)
    staged.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
