"""`srg load`: bulk-load RDF files into the store, validated like any write.

The files are read with the engine's bulk loader into a store of their own; what they add
to the dataset is staged on it and validated against the shapes, and only then logged as one
change of the history (durable from then on: a crash replays it) and folded into a new
snapshot. Run it with the server stopped.

A load is one change and a compaction none: the new snapshot's index says which change of
the log it holds last, so the log (the history) is replayed onto it from the next one.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from ..errors import SourceError
from ..namespaces import GRAPH
from ..store import GraphStore, file_format
from ..validation.engines import validate_store
from ..validation.report import Report
from .build import fold_in, write_snapshot
from .embedded import Dataset
from .history import Meta
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
    meta: Meta | None = None,
) -> Report:
    """Load `files` into the dataset at `snapshot` as one change; refuse (nothing changed) on
    violations."""
    for path in files:
        file_format(path)  # an unknown extension fails before anything is read
        if not path.is_file():
            raise SourceError(str(path), "no such file")
    data = Dataset.recovered(snapshot)  # a store of its own, read from the snapshot's dump
    loaded = GraphStore()
    for path in files:
        loaded.bulk_load(path, graph or default_graph(path), progress(path))
    delta = loaded.missing_from(data.store)
    staged = data.store
    staged.apply(delta)
    report = validate_store(staged)
    if not report.conforms:
        raise WriteRefused(report)
    data.commit(delta, meta or Meta(kind="load"), staged=True)
    fold_in(data)  # the new snapshot holds the load: the next start need not replay it
    return report


def compact(snapshot: Path) -> int:
    """Fold the changes of the log since the snapshot into a new snapshot; how many. The log
    keeps them: it is the history."""
    data = Dataset.recovered(snapshot)
    write_snapshot(data.store, snapshot, data.change_number)
    return data.writes


def terminal_progress(path: Path) -> Callable[[int], None] | None:
    return Progress(path.stat().st_size, path.name)
