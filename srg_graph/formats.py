"""The media types the server speaks, and the short names the store uses for them."""

from __future__ import annotations

SOLUTIONS = {  # SELECT and ASK
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
GRAPHS = {  # CONSTRUCT and DESCRIBE, graph store, documents
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld",
    "text/plain": "ntriples",
}
CHARSET_TYPES = ("text/", "application/sparql-results+json", "application/json")


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type (UTF-8 declared for text types)."""
    if media_type.startswith(CHARSET_TYPES):
        return f"{media_type}; charset=utf-8"
    return media_type
