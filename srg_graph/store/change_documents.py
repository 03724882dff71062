"""The documents of the history's changes that need the engine: a list of changes as RDF in
the history graph's terms, one change as TriG with PROV, and a change's statements as plain
terms for a page.

TriG of change `n`: the default graph says what the change is (as `graph/history` does, see
`history_graph.metadata`) and holds one `prov:Entity` per named graph of statements: the
statements the change added to graph `G` are the named graph `<change/n/added/graph/{name}>`
for `G` = `graph/{name}` (`?graph={G}` for another graph; `prov:wasGeneratedBy` the change,
`dcterms:isPartOf G`), those it removed from it `<change/n/removed/graph/{name}>`
(`prov:wasInvalidatedBy` the change); statements of the default graph are in
`<change/n/added>` and `<change/n/removed>`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol
from urllib.parse import quote

import pyoxigraph as ox

from ..namespaces import DCTERMS, GRAPH, PREFIXES, RDF
from .base import rdf_format
from .graph_store import Delta
from .history_graph import PROV, change_iri, metadata

# the prefixes of the documents: the history's terms (the IRIs of changes are written whole)
USED = {name: PREFIXES[name] for name in ("rdf", "rdfs", "xsd", "prov", "dcterms", "srg")}
Term = tuple[str, str, str | None]  # kind (iri, bnode, literal), value, language or datatype


class Facts(Protocol):
    """What a change is, as the history's index keeps it (`dataset.changelog.Entry`)."""

    number: int
    time: str | None
    agent: str
    note: str | None
    kind: str
    reverts: int | None
    removed: int
    added: int
    graphs: tuple[str, ...]


def _metadata(facts: Facts) -> Iterator[tuple[Any, Any, Any]]:
    return metadata(
        facts.number,
        (facts.removed, facts.added),
        facts.graphs,
        facts.time,
        facts.agent,
        facts.note,
        facts.kind,
        facts.reverts,
    )


def listing(changes: Iterable[Facts], fmt: str) -> bytes:
    """What each change is (no statements), in an RDF format of `formats` (`turtle`)."""
    triples = [ox.Triple(*t) for facts in changes for t in _metadata(facts)]
    return ox.serialize(triples, format=rdf_format(fmt), prefixes=USED) or b""


def statement_graph(number: int, action: str, graph: str | None) -> str:
    """The named graph of the statements change `number` added or removed (`action`) in
    `graph` (None: the default graph): `change/n/added`, `change/n/added/graph/{name}` for
    the graph `graph/{name}`, `change/n/added?graph={IRI}` for another graph."""
    base = f"{change_iri(number)}/{action}"
    if graph is None:
        return base
    if graph.startswith(GRAPH) and graph != GRAPH:
        return f"{base}/graph/{graph.removeprefix(GRAPH)}"
    return f"{base}?graph={quote(graph, safe='')}"


def _parsed(nquads: bytes) -> list[ox.Quad]:
    return list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS)) if nquads else []


def trig(facts: Facts, delta: Delta) -> bytes:
    """Change `facts.number` as TriG: what it is, and the statements it removed and added."""
    change = ox.NamedNode(change_iri(facts.number))
    quads = [ox.Quad(*t) for t in _metadata(facts)]
    for action, nquads, link in (
        ("removed", delta.removed, PROV + "wasInvalidatedBy"),
        ("added", delta.added, PROV + "wasGeneratedBy"),
    ):
        named: dict[str | None, ox.NamedNode] = {}
        for quad in _parsed(nquads):
            graph = None if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name
            key = None if graph is None else graph.value
            if key not in named:
                entity = named[key] = ox.NamedNode(statement_graph(facts.number, action, key))
                entity_type = ox.NamedNode(PROV + "Entity")
                quads.append(ox.Quad(entity, ox.NamedNode(RDF + "type"), entity_type))
                quads.append(ox.Quad(entity, ox.NamedNode(link), change))
                if graph is not None:
                    quads.append(ox.Quad(entity, ox.NamedNode(DCTERMS + "isPartOf"), graph))
            quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, named[key]))
    return ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=USED) or b""


def _term(term: Any) -> Term:
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value, None)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value, None)
    if isinstance(term, ox.Literal):
        tag = f"@{term.language}" if term.language else term.datatype.value
        return ("literal", term.value, tag)
    return ("triple", str(term), None)


def statements(nquads: bytes, limit: int) -> list[tuple[Term, Term, Term, str | None]]:
    """The first `limit` statements of an N-Quads text as plain terms (subject, predicate,
    object) and their graph (None: the default graph), for a page."""
    found = []
    for quad in ox.parse(nquads, format=ox.RdfFormat.N_QUADS) if nquads else ():
        if len(found) >= limit:
            break
        graph = None if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        found.append((_term(quad.subject), _term(quad.predicate), _term(quad.object), graph))
    return found
