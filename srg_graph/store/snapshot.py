"""The snapshot's dump: the dataset as N-Quads files that the engine loads in one call.

Copying the on-disk store into memory goes quad by quad through Python (about 15 s at a
million quads); the engine's own N-Quads parser fills an in-memory store with the same data
in a few seconds. That parser renames blank nodes, and the write-ahead log refers to the
store's blank node labels, so the few quads with a blank node are kept in a file of their
own and loaded with their labels. The on-disk store beside them (the directory opens in
`oxigraph serve --location`) is written from the dump by the engine's bulk loader. Both sit
inside the snapshot directory, so the directory swap of `build.replacing_store` replaces them
together.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..sparql import internal
from .graph_store import GraphStore

GROUND, BLANK, INDEX = "dump.nq", "dump-blank.nq", "dump.json"


def _has_blank(quad: ox.Quad) -> bool:
    return any(
        isinstance(term, ox.BlankNode) for term in (quad.subject, quad.object, quad.graph_name)
    )


def _write(path: Path, quads: Iterable[ox.Quad]) -> None:
    with path.open("wb") as out:
        ox.serialize(quads, out, ox.RdfFormat.N_QUADS)
        out.flush()
        os.fsync(out.fileno())


def _by_predicate(store: ox.Store) -> Iterator[ox.Quad]:
    """Every quad, those of one predicate together. The store allocates quads in the order
    they are loaded, and a query scans a predicate's quads far more often than a subject's:
    together in memory, they are read faster (about a fifth less time for the benchmark's
    query mix) and fewer memory pages are touched (see `zygote`)."""
    predicates = {row["p"] for row in store.query(internal.query("dump-predicates"))}
    for predicate in sorted(predicates, key=str):
        yield from store.quads_for_pattern(None, predicate, None, None)


def write_dump(store: GraphStore, directory: Path) -> None:
    """Write the dump of `store` into `directory`; the index, written last, marks it whole."""
    blank: list[ox.Quad] = []

    def ground(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        for quad in quads:
            if _has_blank(quad):
                blank.append(quad)
            else:
                yield quad

    _write(directory / GROUND, ground(_by_predicate(store._store)))
    _write(directory / BLANK, blank)
    # Named graphs can exist empty, which N-Quads cannot say.
    index = {"graphs": store.graph_names(), "quads": len(store)}
    (directory / INDEX).write_text(json.dumps(index), encoding="utf-8")
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_disk_store(directory: Path) -> None:
    """Write the on-disk store of the dump in `directory`, beside it, with the engine's bulk
    loader: no quad passes through Python but those with a blank node (labels kept)."""
    disk = ox.Store(str(directory))
    disk.bulk_load(path=str(directory / GROUND), format=ox.RdfFormat.N_QUADS, lenient=True)
    disk.bulk_extend(ox.parse(path=str(directory / BLANK), format=ox.RdfFormat.N_QUADS))
    for graph in _index(directory)["graphs"]:
        disk.add_graph(ox.NamedNode(graph))
    disk.flush()


def _index(directory: Path) -> dict[str, Any]:
    return json.loads((directory / INDEX).read_text(encoding="utf-8"))


def has_dump(directory: Path) -> bool:
    return (directory / INDEX).is_file()


def read_dump(directory: Path) -> GraphStore:
    """An in-memory store of the dump in `directory` (see `has_dump`)."""
    store = GraphStore()
    # lenient: the files were written by the engine's serialiser, so checking every IRI again
    # is wasted time (a fifth of the load).
    store._store.load(path=str(directory / GROUND), format=ox.RdfFormat.N_QUADS, lenient=True)
    store._store.extend(ox.parse(path=str(directory / BLANK), format=ox.RdfFormat.N_QUADS))
    store.add_graphs(_index(directory)["graphs"])
    return store
