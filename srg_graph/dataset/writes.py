"""Validated, atomic writes: stage, validate against the shapes, then commit or refuse.

Every write (SPARQL Update, Graph Store Protocol, imports) goes through `apply_write`: the
change is recorded as a delta against the store (never copying it), the violations it would
bring are looked for where it can change results, and only a delta that brings none is
committed (durably logged, then applied) and handed to the query workers. A commit that
cannot be made durable applies nothing: `errors.StorageFull` (the disk is full; the next
write tries again) or `errors.WritesStopped` (until a restart).
"""

from __future__ import annotations

from collections.abc import Callable

from ..namespaces import ONTOLOGY_GRAPH, SHAPES_GRAPHS
from ..store import ChangeRecorder, Delta
from ..store.history_graph import HISTORY
from ..validation.incremental import refusal
from ..validation.report import Report
from .embedded import Dataset
from .history import Meta
from .remote import RemoteDataset

# the graphs, and every name that starts with theirs (`graph/shapes` itself too)
PROTECTED = (SHAPES_GRAPHS.removesuffix("/"), ONTOLOGY_GRAPH, HISTORY)


class WriteRefused(Exception):
    """The write would leave violations; nothing was changed."""

    def __init__(self, report: Report):
        self.report = report
        super().__init__(f"the write was refused: {len(report.violations)} violation(s)")


class ProtectedGraph(Exception):
    """The write touches the ontology or the shapes, which only `srg build` may change, or
    the history, which only the history writes."""


def apply_write(
    data: Dataset | RemoteDataset,
    change: Callable[[ChangeRecorder], None],
    meta: Meta | None = None,
) -> Delta:
    """Record `change` as a delta, validate it, and commit it as a change of the history
    (`meta`: who and why), or raise `WriteRefused`."""
    with data.lock:
        data.check_writable()  # writes stopped (a failed fsync): say so before any work
        recorder = ChangeRecorder(data.store)
        change(recorder)
        delta = recorder.delta()
        if any(g.startswith(PROTECTED) for g in delta.graphs):
            raise ProtectedGraph(
                "the ontology and shapes graphs change only through `srg build`, the history "
                "graph only by changes"
            )
        if not delta:
            return delta
        refused = refusal(data.store, delta)
        if refused is not None:
            raise WriteRefused(refused)
        data.commit(delta, meta)
        return delta
