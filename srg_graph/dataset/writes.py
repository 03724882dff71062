"""Validated, atomic writes: stage, validate against the shapes, then commit or refuse.

Every write (SPARQL Update, Graph Store Protocol, imports) goes through `apply_write`: the
change is recorded as a delta against the store (never copying it), the violations it would
bring are looked for where it can change results, and only a delta that brings none is
committed (durably logged, then applied) and handed to the query workers.
"""

from __future__ import annotations

from collections.abc import Callable

from ..namespaces import GRAPH
from ..store import ChangeRecorder, Delta, GraphStore
from ..validation.fast import load_checks, report_of, shapes_of, validate_fast, violations_of
from ..validation.incremental import brought, changed
from ..validation.report import Report, validate
from .embedded import Dataset
from .remote import RemoteDataset

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
    """The report of the violations `delta` brings (that the store does not have), or None.

    Each check runs only where the change can alter its results (`local_validation`): on
    the focus nodes the change concerns, with the statements around them copied out of the
    store, before and after the change. A change too large for that, or one that touches the
    shapes, is validated on a staged copy of the whole store.
    """
    local = changed(store, delta)
    if local is not None:
        return brought(store, local)
    staged = store.copy()
    staged.apply(delta)
    checks, shapes = load_checks(), shapes_of(staged)
    after = violations_of(staged, checks, shapes)
    if not after:
        return None
    new = after - violations_of(store, checks, shapes_of(store))
    return report_of(staged, new, shapes) if new else None


def apply_write(data: Dataset | RemoteDataset, change: Callable[[ChangeRecorder], None]) -> Delta:
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
        return delta
