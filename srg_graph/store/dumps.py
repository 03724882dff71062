"""The dataset serialised whole, for dumps and the ontology documents."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox

from .base import GRAPH_FORMATS
from .graph_store import GraphStore

DUMP_TRIPLES = (Path(__file__).parent.parent / "sparql" / "dump-triples.rq").read_text("utf-8")


def dump(
    store: GraphStore,
    fmt: str,
    graphs: Iterable[str] | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> bytes:
    """The store serialised in `fmt` (a `GRAPH_FORMATS` key).

    Without `graphs`, dataset formats (N-Quads, TriG, JSON-LD) hold every quad with its graph;
    otherwise the distinct triples of the union of `graphs` (None: of every graph), each once.
    """
    rdf_format = GRAPH_FORMATS[fmt]
    if graphs is None and rdf_format.supports_datasets:
        return ox.serialize(store.quads(), format=rdf_format, prefixes=prefixes) or b""
    solutions = store.evaluate(DUMP_TRIPLES, default_graph=list(graphs or ()))
    triples = (ox.Triple(row["s"], row["p"], row["o"]) for row in solutions)
    return ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b""
