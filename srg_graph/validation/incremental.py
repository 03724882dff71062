"""Validating a write where it can change results: exactly the violations it brings.

For each check (`queries/checks/`), `reach.reach` works out from its text what its results
about a focus node can read. Staging follows that from the statements a write changes back to
the focus nodes whose results can differ, and copies out the statements around them
(`store.staging.local_change`). Running the checks on that copy before and after the change,
and keeping only their results about those focus nodes, gives exactly the violations the write
brings to the whole dataset, in a few milliseconds at any size.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from ..namespaces import SHAPES_GRAPHS
from ..store import Delta, GraphStore
from ..store.staging import LocalChange, local_change
from ..store.tracing import Reach
from .fast import CHECKS, LABELS, Check, load_checks, report_of, shapes_of, violations_of
from .report import Report

_WORKING_OUT = threading.Lock()


@dataclass(frozen=True)
class Reaches:
    """The reach of every local check, and what the others read (None: any predicate)."""

    local: dict[Any, Reach]
    others: tuple[frozenset[str] | None, ...]


@lru_cache(maxsize=256)
def _planned(text: str) -> Reach | None:
    # rdflib's SPARQL parser takes a sixth of a second to import: only a write needs it.
    from .algebra import NotLocal
    from .reach import reach

    try:
        return reach(text)
    except NotLocal:
        return None


def reaches(checks: Iterable[Check]) -> Reaches:
    """The `Reaches` of checks, each worked out once per process."""
    from .algebra import predicates_read

    local, others = {}, []
    for check in checks:
        planned = _planned(check.text)
        if planned is None:
            others.append(predicates_read(check.text))
        else:
            local[check] = planned
    return Reaches(local, tuple(others))


def check_reaches(folder: Path = CHECKS) -> Reaches:
    """The reaches of the checks in `folder`, worked out again only when a file changes."""
    entries = os.scandir(folder)
    stamp = tuple(sorted((e.name, e.stat().st_mtime_ns) for e in entries if e.name.endswith(".rq")))
    with _WORKING_OUT:  # rdflib's SPARQL parser fails when two threads use it at once
        return _reaches_of(folder, stamp)


@lru_cache(maxsize=4)
def _reaches_of(folder: Path, stamp: tuple[tuple[str, int], ...]) -> Reaches:
    return reaches(load_checks(folder))


# The shapes graphs change only through `srg build`, which makes a new store (writes to them
# are refused and `changed` leaves them to a whole validation), so a write reads them once.
_SHAPES: WeakKeyDictionary[Any, tuple[tuple[str, ...], dict[str, Any]]] = WeakKeyDictionary()


def _shapes(store: GraphStore) -> dict[str, Any]:
    graphs = tuple(g for g in store.graph_names() if g.startswith(SHAPES_GRAPHS))
    cached = _SHAPES.get(store)
    if cached is None or cached[0] != graphs:
        cached = _SHAPES[store] = (graphs, shapes_of(store))
    return cached[1]


def changed(store: GraphStore, delta: Delta, limit: int = 20_000) -> LocalChange | None:
    """What deciding `delta` locally needs, or None when the whole dataset must be validated
    (a change to the shapes, or one too large for `limit` statements)."""
    if any(g.startswith(SHAPES_GRAPHS) for g in delta.graphs):
        return None
    checks = check_reaches()
    return local_change(store, delta, checks.local, limit, checks.others)


def brought(store: GraphStore, local: LocalChange) -> Report | None:
    """The report of the violations the change brings, or None when it brings none."""
    if not local.foci:
        return None
    shapes = _shapes(store)
    after = _violations_at(local.after, local.foci, shapes)
    if not after:
        return None
    new = after - _violations_at(local.before, local.foci, shapes)
    if not new:
        return None
    named = local.after_about({row.focus for row in new}, LABELS)
    return report_of(store, new, shapes, named=named)


def _violations_at(make: Any, foci: Mapping[Check, set[Any]], shapes: dict[str, Any]) -> set[Any]:
    """The violations each check of `foci` finds about its focus nodes in the store `make`
    builds (not built when no check of a violation has focus nodes)."""
    severe = [
        c for c in foci if getattr(shapes.get(c.shape), "severity", "Violation") == "Violation"
    ]
    if not severe:
        return set()
    rows = violations_of(make(), severe, shapes)
    return {row for row in rows if row.focus in foci[row.check]}


def refusal(store: GraphStore, delta: Delta) -> Report | None:
    """The report of the violations `delta` brings (that the store does not have), or None.

    Each check runs only where the change can alter its results (`changed`, `brought`): on
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
