"""Validated, atomic writes: stage, validate against the shapes, then commit or refuse.

Every write (SPARQL Update, Graph Store Protocol, imports) goes through `apply_write`: the
change is made on an in-memory copy, the copy is validated, and only a conforming copy is
committed (durably logged, then applied) and handed to the query workers.
"""

from __future__ import annotations

from collections.abc import Callable

from .dataset import Dataset
from .fast_validation import validate_fast
from .namespaces import GRAPH
from .store import Delta, GraphStore
from .validation import Report, validate
from .workers import QueryPool

PROTECTED = (f"{GRAPH}shapes/", f"{GRAPH}ontology")


class WriteRefused(Exception):
    """The write would leave violations; nothing was changed."""

    def __init__(self, report: Report):
        self.report = report
        super().__init__(f"the write was refused: {len(report.violations)} violation(s)")


class ProtectedGraph(Exception):
    """The write touches the ontology or the shapes, which only `srg build` may change."""


def validate_with_pyshacl(store: GraphStore) -> Report:
    """The reference: the data (every graph but the shapes) through pySHACL."""
    graphs = store.graph_names()
    shapes = [g for g in graphs if g.startswith(f"{GRAPH}shapes/")]
    data = [g for g in graphs if g not in shapes]
    return validate(store.ntriples([*data, None]), store.ntriples(shapes))


# "fast" runs the SPARQL twins of the shapes (queries/checks/) on the store itself; its
# results equal pySHACL's (tests/test_fast_validation.py) at a fraction of the time.
ENGINES: dict[str, Callable[[GraphStore], Report]] = {
    "fast": validate_fast,
    "pyshacl": validate_with_pyshacl,
}


def validate_store(store: GraphStore, engine: str = "fast") -> Report:
    """The dataset's data against the shapes the store holds."""
    return ENGINES[engine](store)


def apply_write(
    data: Dataset, pool: QueryPool | None, change: Callable[[GraphStore], None]
) -> Delta:
    """Apply `change` to a staged copy; commit it if it conforms, else raise `WriteRefused`."""
    with data.lock:
        staged = data.store.copy()
        change(staged)
        delta = data.store.diff(staged)
        if any(g.startswith(PROTECTED) for g in delta.graphs):
            raise ProtectedGraph("the ontology and shapes graphs change only through `srg build`")
        report = validate_store(staged)
        if not report.conforms:
            raise WriteRefused(report)
        data.commit(staged, delta)
        if pool is not None and delta:
            pool.broadcast(delta)
        return delta
