"""Pieces of a SPARQL Update run by the engine on an empty in-memory store.

Working out what an update changes without running it on the dataset (which may be a remote
store): the engine parses the request, resolves its IRIs, gives the quads of its DATA blocks
and instantiates its templates with the solutions of its WHERE clauses, so each piece has the
engine's own semantics. The pieces are cut at token boundaries of a request the engine has
already parsed as a whole (`check_update`), and solutions enter as a VALUES block written by
pyoxigraph's own term serialiser.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..errors import InvalidRequest

BATCH = 1_000  # solutions per local update: a VALUES block of a few hundred kilobytes at most


@dataclass
class Solutions:
    """Solutions of a WHERE clause, blank nodes replaced by fresh IRIs (`blanks` maps them
    back): a VALUES block cannot name a blank node of another store."""

    variables: list[str]
    rows: list[list[Any]]
    blanks: dict[Any, Any] = field(default_factory=dict)


def _run(update: str, base_iri: str | None) -> ox.Store:
    local = ox.Store()
    try:
        local.update(update, base_iri=base_iri)
    except SyntaxError as error:
        raise InvalidRequest(f"SPARQL syntax error: {error}") from error
    return local


def check_update(text: str, base_iri: str | None) -> None:
    """InvalidRequest with the engine's message when `text` is not a valid update.

    The engine parses the whole request before it runs any of it; on an empty store running
    it costs little, and what fails there at run time (DROP of a graph the empty store lacks)
    is no syntax error. The caller refuses LOAD and SERVICE first: they would go online.
    """
    with contextlib.suppress(RuntimeError):
        _run(text, base_iri)


def inserted_quads(update: str, base_iri: str | None) -> list[ox.Quad]:
    """The quads that `update` (INSERT DATA, say) puts in an empty store."""
    return list(_run(update, base_iri))


def resolved_iri(prologue: str, iri: str, base_iri: str | None) -> str:
    """The absolute IRI an IRI or prefixed-name token stands for, resolved by the engine."""
    query = f"{prologue}\nSELECT ?iri WHERE {{ BIND({iri} AS ?iri) }}"
    try:
        (row,) = ox.Store().query(query, base_iri=base_iri)
    except SyntaxError as error:
        raise InvalidRequest(f"SPARQL syntax error: {error}") from error
    return row["iri"].value


def skolemised(solutions: Any) -> Solutions:
    """The solutions of a SELECT as rows of terms (None: unbound), blank nodes named."""
    variables = list(solutions.variables)
    found = Solutions([str(v) for v in variables], [])
    names: dict[Any, Any] = {}
    for solution in solutions:
        row = [solution[v] for v in variables]
        for index, term in enumerate(row):
            if isinstance(term, ox.BlankNode):
                if term not in names:
                    names[term] = ox.NamedNode(f"urn:uuid:{uuid.uuid4()}")
                    found.blanks[names[term]] = term
                row[index] = names[term]
        found.rows.append(row)
    return found


def _values(solutions: Solutions, rows: list[list[Any]]) -> str:
    body = " ".join("(" + " ".join("UNDEF" if t is None else str(t) for t in r) + ")" for r in rows)
    return f"VALUES ({' '.join(solutions.variables)}) {{ {body} }}"


def instances(head: str, template: str, solutions: Solutions, base_iri: str | None) -> list[Any]:
    """The quads of `template` under each solution, as the engine instantiates them: fresh
    blank nodes per solution, triples with an unbound variable left out. `head` is the
    prologue and the operation's WITH clause, which decide the template's IRIs and graph."""
    quads: set[ox.Quad] = set()
    for start in range(0, len(solutions.rows), BATCH):
        rows = solutions.rows[start : start + BATCH]
        update = f"{head}\nINSERT {template} WHERE {{ {_values(solutions, rows)} }}"
        quads.update(_run(update, base_iri))
    return [q for q in (_named_back(q, solutions.blanks) for q in quads) if q is not None]


def _named_back(quad: ox.Quad, blanks: dict[Any, Any]) -> ox.Quad | None:
    """The quad with the solutions' blank nodes back; None when one lands where a blank node
    cannot be (a predicate), which leaves the triple out as the engine would."""
    subject, predicate, object_, graph = (
        blanks.get(t, t) for t in (quad.subject, quad.predicate, quad.object, quad.graph_name)
    )
    if isinstance(predicate, ox.BlankNode):
        return None
    if isinstance(graph, ox.BlankNode):
        raise InvalidRequest("the update names a graph with a blank node; use an IRI")
    return ox.Quad(subject, predicate, object_, graph)


def moved(quads: Iterable[ox.Quad], graph: str | None) -> list[ox.Quad]:
    """The quads put in another graph (None: the default graph)."""
    name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
    return [ox.Quad(q.subject, q.predicate, q.object, name) for q in quads]
