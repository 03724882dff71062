"""What the store modules share: the engine's formats, caps, graph names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from .. import formats
from ..errors import NotRepresentable, TooLarge


def rdf_format(name: str) -> ox.RdfFormat:
    """The engine's RDF format of a short name of `formats` (`turtle`)."""
    return ox.RdfFormat.from_media_type(formats.media_type(name))


def is_iri(text: str) -> bool:
    """Whether the engine takes `text` as an absolute IRI (RFC 3987: `http://[::1` is none,
    though it has a scheme and no character IRIs exclude)."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def n_triples(term: Any) -> str:
    """A term's N-Triples form: `str` of an RDF 1.2 triple term leaves out its `<<( … )>>`."""
    return f"<<( {term} )>>" if isinstance(term, ox.Triple) else str(term)


def rdf_bytes(
    triples: Iterable[ox.Triple], name: str, prefixes: dict[str, str] | None = None
) -> bytes:
    """The triples in the RDF format `name`, or NotRepresentable when it cannot write them."""
    try:
        return ox.serialize(triples, format=rdf_format(name), prefixes=prefixes) or b""
    except OSError as error:  # JSON-LD: "does not support RDF 1.2 yet"
        raise NotRepresentable(
            f"the answer cannot be written as {formats.media_type(name)} ({error}); ask for "
            "Turtle, N-Triples or RDF/XML"
        ) from error


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
