"""Staging a write without copying the dataset: a recorder of changes, and the few
statements that decide a change, small enough to validate in milliseconds.

A `ChangeRecorder` takes the same calls as a `GraphStore` (graph replace/merge/drop, removing
subjects, adding triples, applying a delta) and turns them into the `Delta` they would make,
reading the store but never changing it. `local_change` finds, for each check, the focus nodes
whose results a delta can change and copies out every statement those results can read
(following each check's `Reach`), so validating that copy before and after the delta tells
exactly which violations the write brings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ..sparql.named import Binding
from .graph_store import (
    Delta,
    GraphStore,
    Queries,
    _graph_name,
    _node,
    _nquads,
    blank_nodes,
    canonical,
    stored_labels,
)
from .tracing import Reach, Statements, TooFar, Tracer, gather


class ChangeRecorder:
    """The `GraphStore` write calls, recorded as a delta against `store` (left unchanged).
    Statements are taken in the engine's canonical form (`canonical`): the store finds
    `"1.50"^^xsd:decimal` as its `"1.5"`, so one compared as written would be lost."""

    def __init__(self, store: GraphStore):
        self.store = store
        self.added: set[ox.Quad] = set()
        self.removed: set[ox.Quad] = set()
        self.created: set[str] = set()
        self.dropped: set[str] = set()
        self.stored_blanks: set[ox.BlankNode] = set()  # those read from the store

    def _add(self, quad: ox.Quad) -> None:
        if quad in self.removed:
            self.removed.discard(quad)
        elif not self.store.contains(quad):
            self.added.add(quad)

    def _remove(self, quad: ox.Quad) -> None:
        if quad in self.added:
            self.added.discard(quad)
        elif self.store.contains(quad):
            self.removed.add(quad)

    def _current(self, graph: Any) -> list[ox.Quad]:
        stored = self.store.quads(None, None, None, graph)
        if self.store.needs_stored_blanks:  # (a pass over the graph, for a remote store only)
            self.stored_blanks |= blank_nodes(stored)
        kept = [q for q in stored if q not in self.removed]
        return kept + [q for q in self.added if q.graph_name == graph]

    def has_graph(self, graph: str) -> bool:
        if graph in self.dropped:
            return False
        return graph in self.created or self.store.has_graph(graph)

    def _create(self, graph: str | None) -> None:
        if graph is None or self.has_graph(graph):
            return
        if graph in self.dropped:
            self.dropped.discard(graph)
        else:
            self.created.add(graph)

    def drop_graph(self, graph: str | None) -> None:
        node = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
        for quad in self._current(node):
            self._remove(quad)
        if graph is None or not self.has_graph(graph):
            return
        if graph in self.created:
            self.created.discard(graph)
        else:
            self.dropped.add(graph)

    def merge_graph(self, graph: str | None, quads: list[Any]) -> None:
        self._create(graph)
        for quad in canonical(quads):
            self._add(quad)

    def replace_graph(self, graph: str | None, quads: list[Any]) -> None:
        self.drop_graph(graph)
        self.merge_graph(graph, quads)

    def remove_subjects(self, graph: str, subjects: list[str]) -> None:
        wanted = {ox.NamedNode(s) for s in subjects}
        for quad in self._current(ox.NamedNode(graph)):
            if quad.subject in wanted:
                self._remove(quad)

    def add_triples(self, graph: str, triples: list[tuple[Binding, Binding, Binding]]) -> None:
        if not triples:  # nothing to add: no graph to create either
            return
        self._create(graph)
        name = ox.NamedNode(graph)
        for quad in canonical(ox.Quad(*(_node(t) for t in triple), name) for triple in triples):
            self._add(quad)

    def apply(self, delta: Delta) -> None:
        self.read_blanks(map(ox.BlankNode, delta.stored_blanks))
        for quad in canonical(ox.parse(delta.removed, ox.RdfFormat.N_QUADS)):
            self._remove(quad)
        for graph in delta.dropped:
            self.drop_graph(graph)
        for graph in delta.created:
            self._create(graph)
        for quad in canonical(ox.parse(delta.added, ox.RdfFormat.N_QUADS)):
            self._add(quad)

    def delta(self) -> Delta:
        touched = {_graph_name(q.graph_name) for q in self.removed | self.added}
        touched |= self.created | self.dropped
        return Delta(
            _nquads(self.removed),
            _nquads(self.added),
            frozenset(touched),
            tuple(sorted(self.created)),
            tuple(sorted(self.dropped)),
            stored_labels(blank_nodes(self.added), self.stored_blanks),
        )

    # -- SPARQL Update operations (`update_recorder`) ----------------------------------
    def add_quads(self, quads: list[ox.Quad]) -> None:
        """Add quads, creating their named graphs (as an INSERT does)."""
        for quad in canonical(quads):
            if isinstance(quad.graph_name, ox.NamedNode):
                self._create(quad.graph_name.value)
            self._add(quad)

    def remove_quads(self, quads: list[ox.Quad]) -> None:
        """Remove quads; those not in the dataset are skipped (as a DELETE does)."""
        for quad in canonical(quads):
            self._remove(quad)

    def read_blanks(self, nodes: Iterable[Any]) -> None:
        """Note blank nodes the caller read from the store (a WHERE clause's solutions)."""
        self.stored_blanks.update(nodes)

    def graph_quads(self, graph: str | None) -> list[ox.Quad]:
        """The quads of one graph (None: the default graph), changes included."""
        return self._current(ox.DefaultGraph() if graph is None else ox.NamedNode(graph))

    def graph_names(self) -> list[str]:
        """The named graphs, changes included."""
        return sorted((set(self.store.graph_names()) | self.created) - self.dropped)


@dataclass
class LocalChange:
    """What deciding a change needs: for each check, the focus nodes whose results the change
    can alter, and every statement (before the change) that their results can read."""

    foci: dict[Any, set[Any]]
    read: Statements
    removed: list[ox.Quad]
    added: list[ox.Quad]

    @property
    def statements(self) -> set[ox.Quad]:
        return self.read.found

    def before(self) -> GraphStore:
        local = GraphStore()
        local.add_quads(self.statements)
        return local

    def after(self) -> GraphStore:
        local = GraphStore()
        local.add_quads((self.statements - set(self.removed)) | set(self.added))
        return local

    def after_about(self, nodes: Iterable[Any], predicates: Iterable[str]) -> GraphStore:
        """The statements about `nodes` with one of `predicates` once the change is made (the
        labels of the focus nodes of a report)."""
        local, removed = GraphStore(), set(self.removed)
        for node in nodes:
            for predicate in predicates:
                quads = self.read.around(node, ox.NamedNode(predicate), True)
                local.add_quads(q for q in quads if q not in removed)
        return local


def local_change(
    store: Queries,
    delta: Delta,
    reaches: Mapping[Any, Reach],
    limit: int = 20_000,
    others: Iterable[frozenset[str] | None] = (),
) -> LocalChange | None:
    """For each check of `reaches` (from `validation.reach.reach`), the focus nodes `delta` can
    concern and the statements around them, read from `store` one small lookup at a time.

    None when that is over `limit` statements or nodes, or when the delta changes a predicate
    that a check without a reach reads (`others`, None for any): then validate the whole
    dataset.
    """
    removed = list(ox.parse(delta.removed, ox.RdfFormat.N_QUADS))
    added = list(ox.parse(delta.added, ox.RdfFormat.N_QUADS))
    changed = {q.predicate.value for q in removed + added}
    if any(read is None or read & changed for read in others):
        return None
    statements = Statements(store, added, limit)
    foci: dict[Any, set[Any]] = {}
    try:
        for key, reach in reaches.items():
            found = Tracer(reach, statements, limit).trace(removed + added)
            found = gather(reach, statements, found) if found else found
            if found:
                foci[key] = found
    except TooFar:
        return None
    return LocalChange(foci, statements, removed, added)
