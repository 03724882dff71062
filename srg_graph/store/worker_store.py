"""`WorkerStore`: the same read API as `GraphStore`, answered by the store in the query worker.

The server keeps no copy of the dataset: the one in-memory store lives in the query worker
(`runtime.worker`), and the server reads it through the worker's pipes, as it reads a remote
store over HTTP (`RemoteStore`). A second copy would cost as much memory as the data again:
the engine writes to the memory of every quad it reads, so pages shared between processes
after a fork do not stay shared.

Each read is a message (`Evaluate`, `QuadsMatching`, ...) whose `run` is what the worker does
with its store: the `GraphStore` method, its result encoded in the engine's own formats
(results as SPARQL TSV, graphs as N-Triples, quads as N-Quads), which it writes and parses
many times faster than pickling terms, with blank node labels kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pyoxigraph as ox

from .graph_store import Delta, GraphStore, Queries

TSV, JSON = ox.QueryResultsFormat.TSV, ox.QueryResultsFormat.JSON
NQUADS, NTRIPLES = ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES


class Pool(Protocol):
    """What `WorkerStore` needs of the query pool (`runtime.pool.QueryPool`)."""

    def read(self, read: StoreRead, version: int | None = None) -> Any: ...

    def broadcast(self, delta: Delta) -> None: ...


def _results(result: Any) -> tuple[str, bytes]:
    if isinstance(result, ox.QuerySolutions):
        return ("solutions", result.serialize(format=TSV))
    if isinstance(result, ox.QueryBoolean):
        return ("boolean", result.serialize(format=JSON))
    return ("triples", result.serialize(format=NTRIPLES))


def _quads(quads: Iterable[ox.Quad]) -> bytes:
    return ox.serialize(quads, format=NQUADS) or b""


# The reads, one message each: `run` is what the worker does with its store, and answers in
# the engine's formats.
@dataclass(frozen=True, slots=True)
class Evaluate:
    sparql: str
    base_iri: str | None
    terms: dict[str, Any]
    default_graph: tuple[str | None, ...] | None
    named_graphs: tuple[str, ...] | None

    def run(self, store: GraphStore) -> tuple[str, bytes]:
        found = store.evaluate(
            self.sparql, self.base_iri, self.terms, self.default_graph, self.named_graphs
        )
        return _results(found)


@dataclass(frozen=True, slots=True)
class QuadsMatching:
    subject: Any
    predicate: Any
    object: Any
    graph: Any

    def run(self, store: GraphStore) -> bytes:
        return _quads(store.quads(self.subject, self.predicate, self.object, self.graph))


@dataclass(frozen=True, slots=True)
class Around:
    nodes: list[Any]

    def run(self, store: GraphStore) -> bytes:
        return _quads(store.around(self.nodes))


@dataclass(frozen=True, slots=True)
class Contains:
    quad: Any

    def run(self, store: GraphStore) -> bool:
        return store.contains(self.quad)


@dataclass(frozen=True, slots=True)
class HasGraph:
    graph: str

    def run(self, store: GraphStore) -> bool:
        return store.has_graph(self.graph)


@dataclass(frozen=True, slots=True)
class GraphNames:
    def run(self, store: GraphStore) -> list[str]:
        return store.graph_names()


@dataclass(frozen=True, slots=True)
class Size:
    def run(self, store: GraphStore) -> int:
        return len(store)


@dataclass(frozen=True, slots=True)
class GraphBytes:
    graph: str | None
    fmt: str
    limit: int

    def run(self, store: GraphStore) -> bytes:
        return store.graph_bytes(self.graph, self.fmt, self.limit)


@dataclass(frozen=True, slots=True)
class NTriples:
    graphs: list[str | None]

    def run(self, store: GraphStore) -> bytes:
        return store.ntriples(self.graphs)


@dataclass(frozen=True, slots=True)
class Dump:
    fmt: str
    graphs: list[str] | None
    prefixes: dict[str, str]

    def run(self, store: GraphStore) -> bytes:
        return store.dump(self.fmt, self.graphs, self.prefixes)


@dataclass(frozen=True, slots=True)
class Everything:
    def run(self, store: GraphStore) -> tuple[list[str], bytes]:
        return store.graph_names(), _quads(store.quads())


StoreRead = (
    Evaluate
    | QuadsMatching
    | Around
    | Contains
    | HasGraph
    | GraphNames
    | Size
    | GraphBytes
    | NTriples
    | Dump
    | Everything
)


def _tuple(graphs: Sequence[Any] | None) -> tuple[Any, ...] | None:
    return None if graphs is None else tuple(graphs)


def _parsed_quads(data: bytes) -> list[ox.Quad]:
    return list(ox.parse(data, format=NQUADS))


class WorkerStore(Queries):
    """The dataset in the query worker, read through the worker's pipes (`version`: a past
    version of it, read-only; see `dataset.versions`)."""

    def __init__(self, pool: Pool, version: int | None = None):
        self.pool, self.version = pool, version

    def at(self, version: int) -> WorkerStore:
        """Version `version` of the dataset (the dataset just after change `version`)."""
        return WorkerStore(self.pool, version)

    def _read(self, read: StoreRead) -> Any:
        return self.pool.read(read, self.version)

    def evaluate(
        self,
        sparql: str,
        base_iri: str | None = None,
        terms: Mapping[str, Any] | None = None,
        default_graph: Sequence[str | None] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> Any:
        """Run a query in the worker; same contract as `GraphStore.evaluate`."""
        read = Evaluate(
            sparql, base_iri, dict(terms or {}), _tuple(default_graph), _tuple(named_graphs)
        )
        kind, data = self._read(read)
        if kind == "solutions":
            return ox.parse_query_results(data, format=TSV)
        if kind == "boolean":
            return ox.parse_query_results(data, format=JSON)
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, NTRIPLES)]

    def quads(
        self, subject: Any = None, predicate: Any = None, object: Any = None, graph: Any = None
    ) -> list[ox.Quad]:
        """The quads matching a pattern (None matches anything)."""
        return _parsed_quads(self._read(QuadsMatching(subject, predicate, object, graph)))

    def around(self, nodes: Iterable[Any]) -> list[ox.Quad]:
        """Every statement about one of `nodes` or pointing at one."""
        return _parsed_quads(self._read(Around(list(nodes))))

    def contains(self, quad: ox.Quad) -> bool:
        return self._read(Contains(quad))

    def has_graph(self, graph: str) -> bool:
        return self._read(HasGraph(graph))

    def graph_names(self) -> list[str]:
        return self._read(GraphNames())

    def __len__(self) -> int:
        return self._read(Size())

    def graph_bytes(self, graph: str | None, fmt: str, limit: int) -> bytes:
        """One graph (None: the default graph) serialised, within `limit` bytes."""
        return self._read(GraphBytes(graph, fmt, limit))

    def ntriples(self, graphs: Iterable[str | None]) -> bytes:
        """The union of the given graphs (None: the default graph) as N-Triples."""
        return self._read(NTriples(list(graphs)))

    def dump(
        self,
        fmt: str,
        graphs: Iterable[str] | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> bytes:
        """`GraphStore.dump` of the worker's store, serialised there."""
        chosen = None if graphs is None else list(graphs)
        return self._read(Dump(fmt, chosen, dict(prefixes or {})))

    def copy(self) -> GraphStore:
        """An in-memory copy of the whole dataset, in this process (to stage a large write)."""
        graphs, data = self._read(Everything())
        target = GraphStore()
        target.add_graphs(graphs)
        target.add_quads(ox.parse(data, format=NQUADS))
        return target

    def apply(self, delta: Delta) -> None:
        """Send a committed delta to the worker (the caller keeps deltas in commit order)."""
        assert self.version is None, "a past version of the dataset is read-only"
        self.pool.broadcast(delta)
