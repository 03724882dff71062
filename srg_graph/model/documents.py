"""Linked-data descriptions: the thing behind a `/doc/` path, its RDF description, its formats.

The description of a resource is its own triples, the labels of what it links to, and the
triples that link to it with their subjects' labels, from every graph (the union). It is made
by `sparql/rq/describe-graph.rq` on the in-memory store and serialised with rdflib; JSON-LD is
compacted with the published context (`resources/context.jsonld`) and refers to it by URL.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import Graph

from .. import formats
from ..namespaces import DOC, GRAPH, ID, ONTOLOGY, PREFIXES, SRG
from ..sparql import internal
from ..store import GraphStore, QueryRequest, answer, checked_xml, is_iri
from ..store.resource_versions import render

HERE = Path(__file__).resolve().parent
CONTEXT_FILE = HERE / "resources" / "context.jsonld"

INVALID_IRI_CHARACTERS = re.compile(r'[\x00-\x20<>"{}|\\^`]')
HTML = "text/html"
JSONLD = "application/ld+json"
RDF_XML = "application/rdf+xml"
# The order breaks ties: `*/*` (or no Accept) gets Turtle; a browser asks for HTML by name.
OFFERED = (
    "text/turtle",
    HTML,
    JSONLD,
    RDF_XML,
    "application/n-triples",
    "application/json",
)
# the document formats that have a suffix of their own (`/doc/x.ttl`)
SUFFIXED = ("turtle", "jsonld", "rdfxml", "ntriples", "html")


@cache
def context() -> dict[str, Any]:
    """The published JSON-LD context document (`{"@context": {...}}`)."""
    return json.loads(CONTEXT_FILE.read_text("utf-8"))


def resource_iri(path: str) -> str:
    """The thing a `/id/` or `/doc/` path names, whatever host the server runs on."""
    return ID + path


def is_valid_path(path: str) -> bool:
    """Whether `ID + path` is an IRI (no spaces, controls or characters IRIs exclude; nothing
    RFC 3987 refuses, such as `[` in a path)."""
    return not INVALID_IRI_CHARACTERS.search(path) and is_iri(ID + path)


def split_suffix(path: str) -> tuple[str, str | None]:
    """`body/x.ttl` -> (`body/x`, `text/turtle`); slugs never contain a dot."""
    stem, dot, suffix = path.rpartition(".")
    found = formats.by_suffix(f".{suffix}", SUFFIXED) if dot else None
    return (stem, found.media_type) if found else (path, None)


def media_type(chosen: str) -> str:
    """The served media type of a negotiated one (`application/json` is JSON-LD)."""
    return formats.GRAPH_AS_JSON.get(chosen, chosen)


def rows(store: GraphStore, name: str, iri: str) -> list[dict[str, str]]:
    """The rows of an internal query about one resource (bound as `?resource`)."""
    return store.rows(internal.query(name), {"resource": ("iri", iri, None)})


def exists(store: GraphStore, iri: str) -> bool:
    """Whether the graph knows the resource (it has a description at `/doc/`)."""
    return store.ask(internal.query("resource-exists"), {"resource": ("iri", iri, None)})


def _described(store: GraphStore, iri: str) -> bytes:
    """The RDF description of a resource as N-Triples; empty when the graph does not know it."""
    request = QueryRequest(
        text=internal.query("describe-graph"),
        fmt="ntriples",
        bindings=(("resource", ("iri", iri, None)),),
    )
    return answer(store, request).body


def _graph(ntriples: bytes) -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    return graph.parse(data=ntriples, format="nt")


def serialize(graph: Graph, media: str, context_url: str) -> bytes:
    """The description in an RDF media type; JSON-LD compacted, its context given by URL."""
    if media != JSONLD:
        # rdflib knows the media types; RDF/XML is written with nested descriptions
        written = "pretty-xml" if media == RDF_XML else media
        return graph.serialize(format=written, encoding="utf-8")
    text = graph.serialize(format="json-ld", context=context()["@context"], auto_compact=True)
    document = json.loads(text)
    document["@context"] = context_url
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def rdf(store: GraphStore, iri: str, media: str, context_url: str) -> bytes | None:
    """The description of a resource in an RDF media type; None when the graph lacks it."""
    ntriples = _described(store, iri)
    if not ntriples.strip():
        return None
    if b"<<(" in ntriples:  # an RDF 1.2 triple term, which rdflib cannot read: the engine's
        return render([ntriples], formats.GRAPHS[media], PREFIXES)  # writers (no JSON-LD: 406)
    if media == RDF_XML:
        return _rdf_xml(ntriples, context_url)
    return serialize(_graph(ntriples), media, context_url)


def _rdf_xml(ntriples: bytes, context_url: str) -> bytes:
    """RDF/XML by rdflib, checked as the engine's is (a literal's control characters are
    copied into it as they are).

    rdflib refuses a predicate or class IRI that ends in no XML name (`.../p/9`): the engine's
    writer then says why RDF/XML cannot hold it (406), or writes what rdflib would not.
    """
    try:
        written = serialize(_graph(ntriples), RDF_XML, context_url)
    except ValueError:  # "no valid way to shorten ...", "Can't split ..."
        return render([ntriples], "rdfxml", PREFIXES)
    return checked_xml(written, "rdfxml")


def doc_href(iri: str) -> str:
    """The local page of a thing of ours (`/doc/...`); any other IRI as it is."""
    return "/doc/" + iri.removeprefix(ID) if iri.startswith(ID) else iri


def local_href(iri: str) -> str | None:
    """Where this server shows an IRI of the project (None: an outside IRI)."""
    for base, path in ((ID, "/doc/"), (DOC, "/doc/"), (GRAPH, "/graph/")):
        if iri.startswith(base) and len(iri) > len(base):
            return path + iri[len(base) :]
    if iri == ONTOLOGY or iri.startswith(SRG):
        return "/ns" + iri[len(ONTOLOGY) :]
    return None
