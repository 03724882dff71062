"""`srg load`: bulk-load RDF files into the store, validated like any write.

The files are loaded with the engine's bulk loader into a staged copy of the dataset; the
copy is validated against the shapes while it is written beside the snapshot, and only then
does it replace the snapshot (which also folds in the write-ahead log). Run it with the
server stopped.

A load is one change and a compaction none: the new snapshot's index says which change of
the log it holds last, so a crash between the swap and the removal of the log never replays
a change twice (see `embedded`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from ..errors import SourceError
from ..namespaces import GRAPH
from ..store import file_format
from ..validation.engines import validate_store
from ..validation.report import Report
from .build import _replace_store, replacing_store
from .embedded import Dataset, drop_log
from .writes import WriteRefused


def default_graph(path: Path) -> str:
    """`graph/<stem>` of a file: `organisations.ttl.gz` loads into `graph/organisations`."""
    return f"{GRAPH}{path.name.split('.')[0]}"


class Progress:
    """A one-line progress bar on a terminal (nothing when stderr is not one)."""

    def __init__(self, total: int, label: str, stream: TextIO = sys.stderr):
        self.total, self.label, self.stream = max(total, 1), label, stream
        self.started = time.monotonic()
        self.shown = -1
        self.active = stream.isatty()

    def __call__(self, done: int) -> None:
        percent = min(100, done * 100 // self.total)
        if not self.active or percent == self.shown:
            return
        self.shown = percent
        rate = done / max(time.monotonic() - self.started, 1e-6) / 1e6
        bar = "#" * (percent // 4)
        self.stream.write(f"\r{self.label} [{bar:<25}] {percent:3d}% {rate:6.1f} MB/s")
        if percent == 100:
            self.stream.write("\n")


def load_files(
    snapshot: Path,
    files: list[Path],
    graph: str | None = None,
    progress: Callable[[Path], Callable[[int], None] | None] = lambda path: None,
) -> Report:
    """Load `files` into the dataset at `snapshot`; refuse (nothing changed) on violations."""
    for path in files:
        file_format(path)  # an unknown extension fails before anything is read
        if not path.is_file():
            raise SourceError(str(path), "no such file")
    data = Dataset.recovered(snapshot)  # a store of its own, read from the snapshot's dump
    staged = data.store
    for path in files:
        staged.bulk_load(path, graph or default_graph(path), progress(path))
    with replacing_store(staged, snapshot, data.change_number + 1):
        report = validate_store(staged)
        if not report.conforms:
            raise WriteRefused(report)
    drop_log(snapshot)
    return report


def compact(snapshot: Path) -> int:
    """Fold the write-ahead log into a new snapshot; the number of writes folded in."""
    data = Dataset.recovered(snapshot)
    _replace_store(data.store, snapshot, data.change_number)
    drop_log(snapshot)
    return data.writes


def terminal_progress(path: Path) -> Callable[[int], None] | None:
    return Progress(path.stat().st_size, path.name)
