"""Staging a write without copying the dataset: a recorder of changes, and the
neighbourhood of a change, small enough to validate in milliseconds.

A `ChangeRecorder` takes the same calls as a `GraphStore` (graph replace/merge/drop, removing
subjects, adding triples, applying a delta) and turns them into the `Delta` they would make,
reading the store but never changing it. `neighbourhood` copies out what the shapes can read
around the nodes a delta touches, so validating that copy before and after the delta tells
what the write breaks.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from ..namespaces import GRAPH
from ..queries import Binding
from .graph_store import Delta, GraphStore, _graph_name, _node, _nquads

SCHEMA_GRAPHS = (f"{GRAPH}ontology", f"{GRAPH}shapes/")
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
CHAIN = "SELECT ?node ?up WHERE { ?node <http://www.w3.org/ns/org#reportsTo>+ ?up }"


class ChangeRecorder:
    """The `GraphStore` write calls, recorded as a delta against `store` (left unchanged)."""

    def __init__(self, store: GraphStore):
        self.store = store
        self.added: set[ox.Quad] = set()
        self.removed: set[ox.Quad] = set()
        self.created: set[str] = set()
        self.dropped: set[str] = set()

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
        for quad in quads:
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
        self._create(graph)
        name = ox.NamedNode(graph)
        for triple in triples:
            self._add(ox.Quad(*(_node(t) for t in triple), name))

    def apply(self, delta: Delta) -> None:
        for quad in ox.parse(delta.removed, ox.RdfFormat.N_QUADS):
            self._remove(quad)
        for graph in delta.dropped:
            self.drop_graph(graph)
        for graph in delta.created:
            self._create(graph)
        for quad in ox.parse(delta.added, ox.RdfFormat.N_QUADS):
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
        )


def neighbourhood(store: GraphStore, delta: Delta, limit: int = 20_000) -> GraphStore | None:
    """The ontology, the shapes and every statement within reach of the delta's nodes: the
    nodes it touches, their neighbours either way (and the reporting chains above them), with
    all statements about or pointing at each. None when that is over `limit` statements (a
    large write): then the whole dataset is validated instead.
    """
    changed = list(ox.parse(delta.removed, ox.RdfFormat.N_QUADS))
    changed += ox.parse(delta.added, ox.RdfFormat.N_QUADS)
    touched = {q.subject for q in changed}
    # the objects of a change, but not classes: a class's instances are not its neighbours
    touched |= {
        q.object for q in changed if not isinstance(q.object, ox.Literal) and q.predicate != TYPE
    }
    local = GraphStore()
    for graph in store.graph_names():
        if graph.startswith(SCHEMA_GRAPHS):
            local._store.extend(store.quads(None, None, None, ox.NamedNode(graph)))
    schema = {q.subject for q in local.quads()}
    nodes = set(touched)
    for quad in store.around(touched - schema):
        nodes |= {quad.subject, quad.object}
    for node in touched - schema:
        nodes |= {row["up"] for row in store.solutions(CHAIN, {"node": node})}
    statements: set[ox.Quad] = set(changed)
    for node in nodes - schema:
        if isinstance(node, ox.Literal):
            continue
        statements.update(store.around([node]))
        if len(statements) > limit:
            return None
    local._store.extend(q for q in statements if store.contains(q))
    return local
