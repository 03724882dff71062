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
from .store import ChangeRecorder, Delta, GraphStore, neighbourhood
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


def refusal(store: GraphStore, delta: Delta) -> Report | None:
    """The report that refuses `delta`, or None when the store with it applied conforms.

    The shapes are run on the neighbourhood of the change before and after it, and only a
    violation the change brings counts; the store is never copied for a write it accepts. A
    change too large for a neighbourhood, and every refusal (so that its report is exact),
    is validated on a staged copy of the whole store.
    """
    local = neighbourhood(store, delta)
    if local is not None:
        after = local.copy()
        after.apply(delta)
        found = _violations(validate_fast(after, labels=False))
        if not found or found <= _violations(validate_fast(local, labels=False)):
            return None
    staged = store.copy()
    staged.apply(delta)
    report = validate_store(staged)
    return None if report.conforms else report


def _violations(report: Report) -> set[tuple[str, str, str | None, str | None]]:
    return {(r.shape, r.focus, r.path, r.value) for r in report.violations}


def apply_write(
    data: Dataset, pool: QueryPool | None, change: Callable[[ChangeRecorder], None]
) -> Delta:
    """Record `change` as a delta, validate it, and commit it, or raise `WriteRefused`."""
    with data.lock:
        recorder = ChangeRecorder(data.store)
        change(recorder)
        delta = recorder.delta()
        if any(g.startswith(PROTECTED) for g in delta.graphs):
            raise ProtectedGraph("the ontology and shapes graphs change only through `srg build`")
        if not delta:
            return delta
        refused = refusal(data.store, delta)
        if refused is not None:
            raise WriteRefused(refused)
        data.commit(delta)
        if pool is not None:
            pool.broadcast(delta)
        return delta
