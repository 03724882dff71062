"""`WorkerStore`: the same read API as `GraphStore`, answered by the store in the query worker.

The server keeps no copy of the dataset: the one in-memory store lives in the query worker
(`worker_process`), and the server reads it through the worker's pipes, as it reads a remote
store over HTTP (`RemoteStore`). A second copy would cost as much memory as the data again:
the engine writes to the memory of every quad it reads, so pages shared between processes
after a fork do not stay shared.

`read` is what the worker runs for a read: the `GraphStore` method, its result encoded in the
engine's own formats (results as SPARQL TSV, graphs as N-Triples, quads as N-Quads), which it
writes and parses many times faster than pickling terms, with blank node labels kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

import pyoxigraph as ox

from .graph_store import Delta, GraphStore, Queries

TSV, JSON = ox.QueryResultsFormat.TSV, ox.QueryResultsFormat.JSON
NQUADS, NTRIPLES = ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES


class Pool(Protocol):
    """What `WorkerStore` needs of the query pool (`workers.QueryPool`)."""

    def read(self, method: str, args: tuple) -> Any: ...

    def broadcast(self, delta: Delta) -> None: ...


def _results(result: Any) -> tuple[str, bytes]:
    if isinstance(result, ox.QuerySolutions):
        return ("solutions", result.serialize(format=TSV))
    if isinstance(result, ox.QueryBoolean):
        return ("boolean", result.serialize(format=JSON))
    return ("triples", result.serialize(format=NTRIPLES))


def _quads(quads: Iterable[ox.Quad]) -> bytes:
    return ox.serialize(quads, format=NQUADS) or b""


def _everything(store: GraphStore) -> tuple[list[str], bytes]:
    return store.graph_names(), _quads(store.quads())


READS: dict[str, Callable[..., Any]] = {
    "evaluate": lambda store, *args: _results(store.evaluate(*args)),
    "quads": lambda store, *args: _quads(store.quads(*args)),
    "around": lambda store, nodes: _quads(store.around(nodes)),
    "contains": GraphStore.contains,
    "has_graph": GraphStore.has_graph,
    "graph_names": GraphStore.graph_names,
    "size": GraphStore.__len__,
    "graph_bytes": GraphStore.graph_bytes,
    "ntriples": GraphStore.ntriples,
    "dump": GraphStore.dump,
    "everything": _everything,
}


def read(store: GraphStore, method: str, args: tuple) -> Any:
    """The answer to a `WorkerStore` read, worked out on `store` (in the worker)."""
    return READS[method](store, *args)


def _parsed_quads(data: bytes) -> list[ox.Quad]:
    return list(ox.parse(data, format=NQUADS))


class WorkerStore(Queries):
    """The dataset in the query worker, read through the worker's pipes."""

    def __init__(self, pool: Pool):
        self.pool = pool

    def evaluate(
        self,
        sparql: str,
        base_iri: str | None = None,
        terms: Mapping[str, Any] | None = None,
        default_graph: Sequence[str | None] = (),
        named_graphs: Sequence[str] = (),
    ) -> Any:
        """Run a query in the worker; same contract as `GraphStore.evaluate`."""
        args = (sparql, base_iri, dict(terms or {}), tuple(default_graph), tuple(named_graphs))
        kind, data = self.pool.read("evaluate", args)
        if kind == "solutions":
            return ox.parse_query_results(data, format=TSV)
        if kind == "boolean":
            return ox.parse_query_results(data, format=JSON)
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, NTRIPLES)]

    def quads(
        self, subject: Any = None, predicate: Any = None, object: Any = None, graph: Any = None
    ) -> list[ox.Quad]:
        """The quads matching a pattern (None matches anything)."""
        return _parsed_quads(self.pool.read("quads", (subject, predicate, object, graph)))

    def around(self, nodes: Iterable[Any]) -> list[ox.Quad]:
        """Every statement about one of `nodes` or pointing at one."""
        return _parsed_quads(self.pool.read("around", (list(nodes),)))

    def contains(self, quad: ox.Quad) -> bool:
        return self.pool.read("contains", (quad,))

    def has_graph(self, graph: str) -> bool:
        return self.pool.read("has_graph", (graph,))

    def graph_names(self) -> list[str]:
        return self.pool.read("graph_names", ())

    def __len__(self) -> int:
        return self.pool.read("size", ())

    def graph_bytes(self, graph: str | None, fmt: str, limit: int) -> bytes:
        """One graph (None: the default graph) serialised, within `limit` bytes."""
        return self.pool.read("graph_bytes", (graph, fmt, limit))

    def ntriples(self, graphs: Iterable[str | None]) -> bytes:
        """The union of the given graphs (None: the default graph) as N-Triples."""
        return self.pool.read("ntriples", (list(graphs),))

    def dump(
        self,
        fmt: str,
        graphs: Iterable[str] | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> bytes:
        """`GraphStore.dump` of the worker's store, serialised there."""
        chosen = None if graphs is None else list(graphs)
        return self.pool.read("dump", (fmt, chosen, dict(prefixes or {})))

    def copy(self) -> GraphStore:
        """An in-memory copy of the whole dataset, in this process (to stage a large write)."""
        graphs, data = self.pool.read("everything", ())
        target = GraphStore()
        target.add_graphs(graphs)
        target.add_quads(ox.parse(data, format=NQUADS))
        return target

    def apply(self, delta: Delta) -> None:
        """Send a committed delta to the worker (the caller keeps deltas in commit order)."""
        self.pool.broadcast(delta)
