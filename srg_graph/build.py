"""The build: parse every source, validate, and only then replace the on-disk store."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from .config import Settings
from .dataset import log_path
from .sources import discover, submitted
from .store import GraphStore
from .store.snapshot import write_dump
from .validation import Report
from .writes import validate_store


class BuildRefused(Exception):
    """The sources have violations: nothing was built."""

    def __init__(self, report: Report):
        self.report = report
        super().__init__(f"{len(report.violations)} violation(s): the store was not built")


def load_sources(root: Path, extra: Iterable[Path] = ()) -> GraphStore:
    """An in-memory store of every source (and the extra files), or a `SourceError`."""
    sources = discover(root) + [submitted(Path(path)) for path in extra]
    store = GraphStore()
    for source in sources:
        store.load_source(source, source.display(root))
    return store


def build(settings: Settings, engine: str = "fast") -> Report:
    """Build the on-disk store from the sources; refuse (store untouched) on violations."""
    store = load_sources(settings.root)
    report = validate_store(store, engine)
    if not report.conforms:
        raise BuildRefused(report)
    _replace_store(store, settings.store)
    # The log holds changes to the store just replaced; they do not apply to the new one.
    log_path(settings.store).unlink(missing_ok=True)
    return report


def _replace_store(store: GraphStore, target: Path) -> None:
    """Write the new store beside the old one and swap them, so a failed build leaves the old.

    The snapshot directory holds the on-disk store and the dump that the server loads (see
    `store.snapshot`), written from the same in-memory store before the swap.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staged, retired = target.with_name(target.name + ".new"), target.with_name(target.name + ".old")
    store.copy_to(staged).close()
    write_dump(store, staged)
    shutil.rmtree(retired, ignore_errors=True)
    if target.exists():
        target.rename(retired)
    staged.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
