"""Request bodies as RDF: parsed safely (no DTDs, no deep nesting, no remote contexts)."""

from __future__ import annotations

import json
import re
from typing import Any

import pyoxigraph as ox

from ..errors import InvalidRequest, UnsupportedFormat
from ..formats import BODIES
from .base import _graph_node, rdf_format

XML_TAG = re.compile(rb"<(/?)[A-Za-z_][^<>]*?(/?)>")
MAX_XML_DEPTH = 256


def _check_rdf_xml(body: bytes) -> None:
    """Refuse a DTD (entity expansion) and deep nesting: the RDF/XML parser slows down
    quadratically with depth, so a small body could keep a core busy for minutes."""
    if re.search(rb"<!doctype", body, re.IGNORECASE):
        raise InvalidRequest("RDF/XML with a DOCTYPE is not accepted (no DTDs or entities)")
    depth = deepest = 0
    for tag in XML_TAG.finditer(body):
        closing, empty = tag.group(1), tag.group(2)
        depth += -1 if closing else (0 if empty else 1)
        deepest = max(deepest, depth)
        if deepest > MAX_XML_DEPTH:
            raise InvalidRequest(f"RDF/XML nests elements over {MAX_XML_DEPTH} deep; flatten it")


def _check_json_ld(body: bytes) -> None:
    """A JSON-LD document is a map or an array (JSON-LD 1.1, section 9): the engine reads a
    bare string or number as no triples, so a text sent as a JSON string would empty a graph.
    A context by URL is refused here, by name: the engine's own error said only that it has
    no callback to load documents with."""
    if body.lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()[:1] not in (b"{", b"["):
        raise InvalidRequest(
            "the application/ld+json body is not a JSON-LD document (a map or an array); "
            "send Turtle or N-Triples with their own Content-Type"
        )
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except ValueError:
        return  # the engine names where the text stops being JSON
    remote = _remote_context(document)
    if remote is not None:
        raise InvalidRequest(
            f"the application/ld+json body loads its @context from {remote!r}; the server "
            "fetches no URL: put the context itself in the document (an object, not a URL)"
        )


def _remote_context(node: Any) -> str | None:
    """The first context (or `@import`) a JSON-LD document names by URL, if any."""
    if isinstance(node, list):
        return next((url for item in node if (url := _remote_context(item))), None)
    if not isinstance(node, dict):
        return None
    for key, value in node.items():
        if key == "@value":  # data (a JSON literal may hold any keys), not a context
            continue
        if key in ("@context", "@import"):
            named = [value] if not isinstance(value, list) else value
            url = next((item for item in named if isinstance(item, str)), None)
            if url is not None:
                return url
        found = _remote_context(value)
        if found is not None:
            return found
    return None


def parse_payload(body: bytes, media_type: str, base_iri: str, graph: str | None) -> list[Any]:
    """The triples of a request body, put into `graph` (None: the default graph).

    RDF/XML with a DTD is refused (no entity expansion); JSON-LD is parsed without loading
    any remote context, so a body can never make the server fetch a URL or read a file.
    """
    if media_type not in BODIES:
        raise UnsupportedFormat(
            f"Content-Type '{media_type}' is not accepted; use one of {', '.join(sorted(BODIES))}",
        )
    if media_type == "application/rdf+xml":
        _check_rdf_xml(body)
    if media_type == "application/ld+json":
        _check_json_ld(body)
    target = _graph_node(graph)
    try:
        parsed = ox.parse(
            body, rdf_format(BODIES[media_type]), base_iri=base_iri, rename_blank_nodes=True
        )
        return [ox.Quad(q.subject, q.predicate, q.object, target) for q in parsed]
    except SyntaxError as error:
        raise InvalidRequest(f"the {media_type} body does not parse: {error}") from error
