"""What the store modules share: the engine's formats, caps, graph names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from .. import formats
from ..errors import TooLarge


def rdf_format(name: str) -> ox.RdfFormat:
    """The engine's RDF format of a short name of `formats` (`turtle`)."""
    return ox.RdfFormat.from_media_type(formats.media_type(name))


def results_format(name: str) -> ox.QueryResultsFormat:
    """The engine's SPARQL results format of a short name of `formats` (`json`)."""
    return ox.QueryResultsFormat.from_media_type(formats.media_type(name))


def _bounded(chunks: Iterable[str | bytes], limit: int) -> bytes:
    out, size = [], 0
    for chunk in chunks:
        data = chunk.encode() if isinstance(chunk, str) else chunk
        size += len(data)
        if size > limit:
            raise TooLarge(f"the result is larger than {limit} bytes; add LIMIT to page it")
        out.append(data)
    return b"".join(out)


def _graph_node(graph: str | None) -> Any:
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
