"""What the store modules share: RDF result formats, the query error, caps, graph names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}


class QueryFailed(Exception):
    """The engine refused the query (syntax) or its result is over a cap; `status` says which."""

    def __init__(self, status: int, message: str):
        self.status, self.message = status, message
        super().__init__(message)


def _bounded(chunks: Iterable[str | bytes], limit: int) -> bytes:
    out, size = [], 0
    for chunk in chunks:
        data = chunk.encode() if isinstance(chunk, str) else chunk
        size += len(data)
        if size > limit:
            raise QueryFailed(422, f"the result is larger than {limit} bytes; add LIMIT to page it")
        out.append(data)
    return b"".join(out)


def _graph_node(graph: str | None) -> Any:
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
