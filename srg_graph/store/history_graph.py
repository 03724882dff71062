"""The history as data: the quads that describe a change in `graph/history`.

A change is `https://w3id.org/srg/id/change/{n}`, a `prov:Activity` and `srg:Change` with its
number, time, agent, note, kind, the named graphs it changed, how many statements it added and
removed and, for a change of at most `ITEMISED` statements, each of them as a reified
statement (`srg:added <change/{n}/added/{k}>`, an `rdf:Statement` with `rdf:subject`,
`rdf:predicate`, `rdf:object` and `srg:inGraph`). RDF 1.1 reification rather than RDF 1.2
triple terms: every SPARQL 1.1 client, N-Quads dump and remote store reads it. Larger changes
(a build, a bulk load) keep their statements in the log, served at `/changes/{n}`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from ..namespaces import GRAPH, ID, PREFIXES, RDF, RDFS, SRG, XSD
from .base import n_triples
from .graph_store import Delta, _graph_name

HISTORY = GRAPH + "history"
ITEMISED = 1_000  # statements of a change listed one by one in the graph, at most
PROV = PREFIXES["prov"]
_GRAPH = ox.NamedNode(HISTORY)
_IN_GRAPH = f" {_GRAPH} .\n"


def change_iri(number: int) -> str:
    return f"{ID}change/{number}"


def agent_iri(name: str) -> str:
    return f"{ID}agent/{quote(name, safe='')}"


# the vocabulary's IRIs, made once (every change's description names them)
_iri = functools.cache(ox.NamedNode)


def _literal(value: str | int, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=_iri(datatype))


def _statements(nquads: bytes) -> list[ox.Quad]:
    return list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS)) if nquads else []


def metadata(
    number: int,
    counts: tuple[int, int],
    graphs: Iterable[str],
    time: str | None,
    agent: str,
    note: str | None = None,
    kind: str = "write",
    reverts: int | None = None,
) -> Iterator[tuple[ox.NamedNode, ox.NamedNode, Any]]:
    """The triples that say what change `number` is (`counts`: statements removed, added;
    `graphs`: the named graphs it changed), without its statements."""
    change = ox.NamedNode(change_iri(number))
    yield change, _iri(RDF + "type"), _iri(PROV + "Activity")
    yield change, _iri(RDF + "type"), _iri(SRG + "Change")
    yield change, _iri(RDFS + "label"), ox.Literal(f"Wijziging {number}", language="nl")
    yield change, _iri(RDFS + "label"), ox.Literal(f"Change {number}", language="en")
    yield change, _iri(SRG + "version"), _literal(number, XSD + "integer")
    yield change, _iri(SRG + "changeKind"), ox.Literal(kind)
    if time is not None:
        yield change, _iri(PROV + "endedAtTime"), _literal(time, XSD + "dateTime")
    agent_node = ox.NamedNode(agent_iri(agent))
    yield change, _iri(PROV + "wasAssociatedWith"), agent_node
    yield agent_node, _iri(RDF + "type"), _iri(PROV + "Agent")
    yield agent_node, _iri(RDFS + "label"), ox.Literal(agent)
    if note:
        yield change, _iri(RDFS + "comment"), ox.Literal(note)
    if reverts is not None:
        yield change, _iri(SRG + "reverts"), ox.NamedNode(change_iri(reverts))
    for graph in sorted(g for g in set(graphs) if g):
        yield change, _iri(SRG + "changedGraph"), ox.NamedNode(graph)
    yield change, _iri(SRG + "addedCount"), _literal(counts[1], XSD + "integer")
    yield change, _iri(SRG + "removedCount"), _literal(counts[0], XSD + "integer")


def _described(
    number: int,
    delta: Delta,
    time: str | None,
    agent: str,
    note: str | None,
    kind: str,
    reverts: int | None,
) -> Iterator[tuple[ox.NamedNode, ox.NamedNode, object]]:
    counts = delta.removed.count(b"\n"), delta.added.count(b"\n")
    itemised = sum(counts) <= ITEMISED  # a large change is not parsed at all
    removed, added = (
        (_statements(delta.removed), _statements(delta.added)) if itemised else ([], [])
    )
    graphs = {*delta.graphs, *delta.created, *delta.dropped}
    graphs |= {_graph_name(q.graph_name) for q in removed + added}
    yield from metadata(number, counts, graphs, time, agent, note, kind, reverts)
    if itemised:
        change = change_iri(number)
        node = ox.NamedNode(change)
        for predicate, quads in (("added", added), ("removed", removed)):
            for index, quad in enumerate(sorted(quads, key=str), 1):
                statement = ox.NamedNode(f"{change}/{predicate}/{index}")
                yield node, _iri(SRG + predicate), statement
                yield from _reified(statement, quad)


def _reified(statement: ox.NamedNode, quad: ox.Quad) -> Iterator[tuple[Any, ox.NamedNode, Any]]:
    yield statement, _iri(RDF + "type"), _iri(RDF + "Statement")
    yield statement, _iri(RDF + "subject"), quad.subject
    yield statement, _iri(RDF + "predicate"), quad.predicate
    yield statement, _iri(RDF + "object"), quad.object
    if not isinstance(quad.graph_name, ox.DefaultGraph):
        yield statement, _iri(SRG + "inGraph"), quad.graph_name


def history_quads(
    number: int,
    delta: Delta,
    time: str | None,
    agent: str,
    note: str | None = None,
    kind: str = "write",
    reverts: int | None = None,
) -> bytes:
    """The N-Quads that describe change `number` in the history graph (written out from the
    terms' N-Triples forms: a change is replayed at every start, and making a `Quad` of
    each to serialize took most of the replay's own time)."""
    return in_history(_described(number, delta, time, agent, note, kind, reverts))


def in_history(triples: Iterable[tuple[Any, Any, Any]]) -> bytes:
    """The triples as N-Quads in the history graph."""
    return "".join([f"{s} {p} {n_triples(o)}{_IN_GRAPH}" for s, p, o in triples]).encode()


def with_history(delta: Delta, described: bytes) -> Delta:
    """`delta` with the quads that describe it added (what the dataset's store applies)."""
    return replace(delta, added=delta.added + described, graphs=delta.graphs | {HISTORY})
