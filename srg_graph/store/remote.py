"""`RemoteStore`: the same read API as `GraphStore`, answered by any SPARQL 1.1 store.

Queries go to the store's query endpoint (SPARQL 1.1 Protocol, POST form), changes to its
update endpoint as one `DELETE DATA` / `INSERT DATA` request (applied atomically by the
store), and the store's real default graph is read through its Graph Store endpoint
(`?default`), because the store is expected to query the union of its graphs as the default
graph, as the embedded store does.

Terms are bound by a `VALUES` block written by pyoxigraph's own term serialiser, never by
pasting text. Blank nodes cannot be named in a query to another store, so statements about a
blank node cannot be looked up by their blank node; the store's own labels for them are stable
though, so a statement read from the store can be recognised (`contains`), and a whole graph's
blank-node statements can be deleted by pattern (`apply`, a Graph Store PUT).

OpenLink Virtuoso, which differs from the standard in many ways, is told by the `Server`
header of its first answer (`RemoteStore.virtuoso`); its dialect is in `store/virtuoso.py`.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Container, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from ..errors import InvalidRequest, NotPossible, ReadOnly, RemoteFailure, Unavailable
from ..sparql import internal
from ..sparql.guard import names_dataset, query_dataset
from ..sparql.prebinding import prebound
from . import virtuoso as dialect
from .base import _bounded, n_triples, rdf_bytes
from .graph_store import Delta, GraphStore, Queries, blank_nodes

RESULTS = "application/sparql-results+json"
ACCEPT = f"{RESULTS}, application/n-triples;q=0.9"
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
BATCH = 200  # terms per VALUES block: a few kilobytes of query
GRAPHS_FRESH = 1.0  # seconds that Virtuoso's list of graphs is used for, unless written to
STORED_BLANK = (
    "this write adds statements about a blank node that is already in the store; a remote "
    "store other than Virtuoso cannot name such a node in SPARQL Update, so a new node would "
    "take them: give the node an IRI first (or serve the data from the embedded store)"
)


def _sparql(name: str) -> str:
    return internal.query(f"remote-{name}")


class OwnDefaultGraph(InvalidRequest):
    """A query on the remote store's own default graph, which the protocol cannot name."""


def _dataset_parameters(
    default_graph: Sequence[str | None] | None, named_graphs: Sequence[str] | None
) -> list[tuple[str, str]]:
    """The protocol's dataset parameters; an empty part is a graph the store does not hold
    (the protocol has no other way to say "no graph")."""
    if default_graph is None and named_graphs is None:
        return []
    default = [g for g in default_graph or () if g is not None] or [_absent_graph()]
    return [("default-graph-uri", g) for g in default] + [
        ("named-graph-uri", g) for g in named_graphs or [_absent_graph()]
    ]


def _absent_graph() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


class RemoteTriples(list):
    """The triples a CONSTRUCT or DESCRIBE of the remote store returned."""


def values_block(names: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """`VALUES (?a ?b) { (t1 t2) ... }`, each term serialised by pyoxigraph (None: UNDEF)."""
    for name in names:
        if not NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a variable name")
    if any(isinstance(term, ox.BlankNode) for row in rows for term in row):
        raise ValueError("a blank node cannot be named in a query to another store")
    head = " ".join(f"?{name}" for name in names)
    body = " ".join("(" + " ".join(_term(t) for t in row) + ")" for row in rows)
    return f"VALUES ({head}) {{ {body} }}"


def _term(term: Any) -> str:
    return "UNDEF" if term is None else n_triples(term)


def _bound(text: str, terms: Mapping[str, Any]) -> str:
    return prebound(text, values_block(list(terms), [list(terms.values())]))


def _data_block(
    quads: Iterable[ox.Quad],
    default: str | None = None,
    named: Container[ox.BlankNode] = frozenset(),
) -> str:
    """The inside of `INSERT DATA { }`: the triples, then one `GRAPH <g> { s p o . … }` per
    named graph; the default graph's triples in graph `default` if given; the blank nodes
    `named` as Virtuoso's IRIs for them (nodes Virtuoso holds)."""
    graphs: dict[str, list[str]] = {}
    for q in quads:
        s, o = q.subject, q.object
        if s in named:
            s = dialect.named_blank(s)
        if o in named:
            o = dialect.named_blank(o)
        graph = q.graph_name
        if default is not None and isinstance(graph, ox.DefaultGraph):
            graph = ox.NamedNode(default)
        name = "" if isinstance(graph, ox.DefaultGraph) else str(graph)
        graphs.setdefault(name, []).append(f"{s} {q.predicate} {n_triples(o)} .")
    lines = graphs.pop("", [])
    lines += [f"GRAPH {name} {{\n" + "\n".join(t) + "\n}" for name, t in graphs.items()]
    return "\n".join(lines)


def _has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


class RemoteStore(Queries):
    """A SPARQL 1.1 store over HTTP: query, update and Graph Store endpoints."""

    needs_stored_blanks = True

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        gsp_url: str | None = None,
        timeout: float = 10.0,
    ):
        self.query_url, self.update_url, self.gsp_url = query_url, update_url, gsp_url
        self.timeout = timeout
        self.http = httpx.Client(timeout=httpx.Timeout(timeout, connect=5.0))
        self._engine: str | None = None  # the `Server` header of the store's first answer
        self._graphs: tuple[float, list[str]] | None = None  # Virtuoso's, and when read

    @property
    def virtuoso(self) -> bool:
        """Whether the store is OpenLink Virtuoso (asked once, with `ASK {}`)."""
        if self._engine is None:
            headers = {"Accept": RESULTS, "Content-Type": "application/x-www-form-urlencoded"}
            body = urlencode({"query": "ASK {}"}).encode()
            self._send("POST", self.query_url, "query", content=body, headers=headers)
        return dialect.is_virtuoso(self._engine or "")

    # -- the protocol ------------------------------------------------------------------------
    def _send(self, method: str, url: str, what: str, **options: Any) -> httpx.Response:
        try:
            response = self.http.request(method, url, **options)
        except httpx.TimeoutException:
            raise Unavailable(
                f"the remote store did not answer the {what} within {self.timeout:g} s; "
                "make the query cheaper or ask for less",
            ) from None
        except httpx.HTTPError as error:
            raise RemoteFailure(f"the remote store could not be reached: {error}") from None
        if self._engine is None:
            self._engine = response.headers.get("server", "")
        if response.status_code >= 400:
            detail = response.text.strip()[:2000]
            if response.status_code == 400:
                raise InvalidRequest(f"SPARQL syntax error (the remote store says): {detail}")
            raise RemoteFailure(f"the remote store refused the {what}: {detail}")
        return response

    def evaluate(
        self,
        sparql: str,
        base_iri: str | None = None,
        terms: Mapping[str, Any] | None = None,
        default_graph: Sequence[str | None] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> Any:
        """Run a query on the remote store; same contract as `GraphStore.evaluate`.

        The dataset goes as the protocol's `default-graph-uri` and `named-graph-uri`, which
        override the query's FROM and FROM NAMED; the store's own default graph cannot be
        named that way (the store answers with the union of its graphs), so a dataset that
        needs it raises `OwnDefaultGraph` (Virtuoso: its stand-in graph is named)."""
        if self.virtuoso:
            return self._evaluate_on_virtuoso(sparql, base_iri, terms, default_graph, named_graphs)
        if default_graph is not None and None in default_graph:
            raise OwnDefaultGraph("the remote store's own default graph cannot be queried")
        text = sparql
        if base_iri:
            text = f"BASE {ox.NamedNode(base_iri)}\n{text}"
        if default_graph is None and named_graphs is None and names_dataset(text):
            # sent as the protocol's parameters: a store that serves the union of its graphs
            # as the default graph may apply that over a query's FROM
            default_graph, named_graphs = query_dataset(text)
        if terms:
            text = _bound(text, terms)
        return self._query(text, _dataset_parameters(default_graph, named_graphs))

    def _evaluate_on_virtuoso(
        self,
        sparql: str,
        base_iri: str | None,
        terms: Mapping[str, Any] | None,
        default_graph: Sequence[str | None] | None,
        named_graphs: Sequence[str] | None,
    ) -> Any:
        """`evaluate` in Virtuoso's dialect (`store/virtuoso.py`)."""
        text = dialect.with_base(sparql, base_iri) if base_iri else sparql
        if default_graph is None and named_graphs is None and names_dataset(text):
            default_graph, named_graphs = query_dataset(text)
        if terms:
            text = _bound(text, terms)
        if default_graph is not None or named_graphs is not None:
            # Virtuoso applies FROM over the protocol's dataset: the query's own are left out
            text = dialect.without_from(text)
            dataset = _dataset_parameters(dialect.stand_in(default_graph), named_graphs)
        elif dialect.answers_under_dataset(text):
            # the data's graphs as the default graph (Virtuoso's own left out); with no
            # named-graph-uri, GRAPH ?g still ranges over every graph there
            graphs = [*self._virtuoso_graphs(), dialect.DEFAULT_GRAPH]
            dataset = [("default-graph-uri", g) for g in graphs]
        else:
            dataset = []
        booleans = dialect.boolean_variables(text) | dialect.boolean_terms(terms or {})
        return self._query(dialect.rewritten(text), dataset, dialect.accept(text), booleans)

    def _query(
        self,
        text: str,
        dataset: list[tuple[str, str]],
        accept: str = ACCEPT,
        booleans: frozenset[str] = frozenset(),
    ) -> Any:
        """The remote store's answer to a query as it is to be sent."""
        headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        body = urlencode([("query", text), *dataset]).encode()
        response = self._send("POST", self.query_url, "query", content=body, headers=headers)
        if response.headers.get("x-sql-state") == dialect.TIMED_OUT:  # a part of an answer
            raise Unavailable(
                f"the remote store did not answer the query within {self.timeout:g} s; "
                "make the query cheaper or ask for less",
            )
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media == RESULTS:
            content = response.content
            if self.virtuoso:
                content = dialect.results(content, booleans)
            return ox.parse_query_results(content, format=ox.QueryResultsFormat.JSON)
        return RemoteTriples(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))

    def _virtuoso_graphs(self) -> list[str]:
        """The graphs of a Virtuoso store that hold the data: not its own, nor the stand-in
        for the default graph; read again after a write through this store, and at most
        `GRAPHS_FRESH` seconds old for the writes of others."""
        cached = self._graphs
        if cached is not None and time.monotonic() - cached[0] < GRAPHS_FRESH:
            return cached[1]
        rows = self._query(_sparql("held-graphs"), [])
        graphs = sorted(g for g in (row["g"].value for row in rows) if g not in dialect.HIDDEN)
        self._graphs = (time.monotonic(), graphs)
        return graphs

    def solutions(self, sparql: str, terms: Mapping[str, Any]) -> Any:
        if any(isinstance(term, ox.BlankNode) for term in terms.values()):
            return []
        return self.evaluate(sparql, terms=terms)

    def update(self, sparql: str) -> None:
        if self.update_url is None:
            raise ReadOnly("this server is read-only: it has no --update-endpoint")
        headers = {"Content-Type": "application/sparql-update"}
        try:
            self._send("POST", self.update_url, "update", content=sparql.encode(), headers=headers)
        finally:
            self._graphs = None

    # -- graphs and quads ----------------------------------------------------------------------
    def graph_names(self) -> list[str]:
        return sorted(row["g"].value for row in self.evaluate(_sparql("graphs")))

    def has_graph(self, graph: str) -> bool:
        return bool(self.evaluate(_sparql("has-graph"), terms={"g": ox.NamedNode(graph)}))

    def __len__(self) -> int:
        (row,) = list(self.evaluate(_sparql("count")))
        return int(row["quads"].value) + len(self._default_graph())

    def _default_graph(self) -> list[ox.Quad]:
        """The store's real default graph, through the Graph Store Protocol (Virtuoso: its
        stand-in graph, asked as it is: `GRAPH ?g` would leave it out)."""
        if self.virtuoso:
            text = _bound(_sparql("quads"), {"g": ox.NamedNode(dialect.DEFAULT_GRAPH)})
            return [ox.Quad(r["s"], r["p"], r["o"]) for r in self._query(text, [])]
        if self.gsp_url is None:
            return []
        headers = {"Accept": "application/n-triples"}
        response = self._send("GET", self.gsp_url, "read", params="default", headers=headers)
        triples = ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
        return [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]

    def _select_quads(self, names: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[ox.Quad]:
        text = _sparql("quads")
        if names:
            text = prebound(text, values_block(names, rows))
        solutions = self.evaluate(text)
        # one row of bound terms: those as given (Virtuoso reads a boolean bound by VALUES
        # back as the integer 0 or 1, and the quad seemed absent to `contains`)
        given = dict(zip(names, rows[0], strict=True)) if len(rows) == 1 else {}
        return [ox.Quad(*(given[n] if n in given else r[n] for n in "spog")) for r in solutions]

    def quads(
        self, subject: Any = None, predicate: Any = None, object: Any = None, graph: Any = None
    ) -> list[ox.Quad]:
        """The quads matching a pattern (None matches anything, blank nodes nothing)."""
        pattern = {"s": subject, "p": predicate, "o": object}
        if any(isinstance(term, ox.BlankNode) for term in pattern.values()):
            return []
        found = [] if isinstance(graph, ox.DefaultGraph) else self._named_quads(pattern, graph)
        if graph is None or isinstance(graph, ox.DefaultGraph):
            found += [q for q in self._default_graph() if _matches(q, pattern)]
        return found

    def _named_quads(self, pattern: dict[str, Any], graph: Any) -> list[ox.Quad]:
        bound = {name: term for name, term in pattern.items() if term is not None}
        if graph is not None:
            bound["g"] = graph
        return self._select_quads(list(bound), [list(bound.values())])

    def contains(self, quad: ox.Quad) -> bool:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            return quad in self._default_graph()
        if _has_blank(quad):  # one the store returned: its labels stay the same
            pattern = {"s": quad.subject, "p": quad.predicate, "o": quad.object}
            named = {n: t for n, t in pattern.items() if not isinstance(t, ox.BlankNode)}
            return quad in self._named_quads({**dict.fromkeys(pattern), **named}, quad.graph_name)
        terms = {"s": quad.subject, "p": quad.predicate, "o": quad.object, "g": quad.graph_name}
        return bool(self.evaluate(_sparql("contains"), terms=terms))

    def around(self, nodes: Iterable[Any]) -> list[ox.Quad]:
        """Every statement about one of `nodes` or pointing at one, in a few batched queries."""
        named = sorted({n for n in nodes if isinstance(n, ox.NamedNode)}, key=str)
        found: list[ox.Quad] = []
        for start in range(0, len(named), BATCH):
            rows = [[node] for node in named[start : start + BATCH]]
            found += self._select_quads(["s"], rows) + self._select_quads(["o"], rows)
        wanted = set(named)
        found += [q for q in self._default_graph() if {q.subject, q.object} & wanted]
        return found

    def graph_bytes(self, graph: str | None, fmt: str, limit: int) -> bytes:
        """One graph (None: the default graph) serialised, within `limit` bytes."""
        quads = self.quads(graph=ox.DefaultGraph() if graph is None else ox.NamedNode(graph))
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        return _bounded([rdf_bytes(triples, fmt)], limit)

    def ntriples(self, graphs: Iterable[str | None]) -> bytes:
        """The union of the given graphs (None: the default graph) as N-Triples."""
        quads = [
            q
            for g in graphs
            for q in self.quads(graph=ox.DefaultGraph() if g is None else ox.NamedNode(g))
        ]
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""

    def copy(self) -> GraphStore:
        """An in-memory copy of the whole remote dataset (to validate a large write)."""
        target = GraphStore()
        target.add_graphs(self.graph_names())
        target.add_quads(self.quads())
        return target

    # -- writing -------------------------------------------------------------------------------
    def apply(self, delta: Delta) -> None:
        """Apply a delta in one SPARQL Update request, which the store applies atomically.

        Statements with blank nodes: Virtuoso names its blank nodes in DELETE DATA; another
        store has every blank-node statement of a graph deleted by pattern when the delta
        removes all of them (a graph replaced or cleared), and refuses (`NotPossible`) to
        delete some of them only. New blank nodes are inserted by `INSERT { } WHERE { }`
        (Virtuoso refuses them in INSERT DATA), which makes them new nodes, kept apart from
        those already in the store; statements added about a node the store holds
        (`Delta.stored_blanks`) name it on Virtuoso and are refused by another store.
        """
        virtuoso = self.virtuoso
        default = dialect.DEFAULT_GRAPH if virtuoso else None
        removed = list(ox.parse(delta.removed, ox.RdfFormat.N_QUADS))
        deleted = [q for q in removed if virtuoso or not _has_blank(q)]
        operations = []
        if deleted:
            block = _data_block(deleted, default, blank_nodes(deleted))
            operations.append(f"DELETE DATA {{ {block} }}")
        if not virtuoso:
            blank = [q for q in removed if _has_blank(q)]
            operations += self._blank_deletions(blank, set(delta.dropped))
        operations += [f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in delta.dropped]
        operations += [f"CREATE SILENT GRAPH {ox.NamedNode(g)}" for g in delta.created]
        added = list(ox.parse(delta.added, ox.RdfFormat.N_QUADS))
        plain = [q for q in added if not _has_blank(q)]
        if plain:
            operations.append(f"INSERT DATA {{ {_data_block(plain, default)} }}")
        blank_added = [q for q in added if _has_blank(q)]
        if blank_added:
            stored = {ox.BlankNode(label) for label in delta.stored_blanks}
            operations.append(self._blank_insert(blank_added, stored, default))
        if operations:
            self.update(" ;\n".join(operations))

    def _blank_insert(
        self, quads: list[ox.Quad], stored: set[ox.BlankNode], default: str | None
    ) -> str:
        """The operation that inserts statements about blank nodes: a label names the same
        new node throughout a template; a node the store holds (`stored`) is named as
        Virtuoso names it, and refused by another store (SPARQL cannot name it there)."""
        if not self.virtuoso:
            if blank_nodes(quads) & stored:
                raise NotPossible(STORED_BLANK)
            return f"INSERT {{ {_data_block(quads)} }} WHERE {{ }}"
        return dialect.insert_blank(_data_block(quads, default, stored))

    def _blank_deletions(self, quads: list[ox.Quad], dropped: set[str]) -> list[str]:
        """Operations that delete these blank-node statements (read from the store, so with
        its labels): every blank-node statement of a graph, by pattern; graphs dropped
        anyway are left to DROP."""
        graphs: dict[Any, set[ox.Quad]] = {}
        for quad in quads:
            graph = quad.graph_name
            if not (isinstance(graph, ox.NamedNode) and graph.value in dropped):
                graphs.setdefault(graph, set()).add(quad)
        operations = []
        for graph, gone in graphs.items():
            present = {q for q in self.quads(graph=graph) if _has_blank(q)}
            if not present <= gone:
                raise NotPossible(
                    "some of the statements about blank nodes of a graph cannot be deleted in "
                    "a remote store (only all of them, as when the graph is replaced)"
                )
            if isinstance(graph, ox.DefaultGraph):
                operations.append(_sparql("delete-blank-default"))
            else:
                operations.append(_bound(_sparql("delete-blank"), {"g": graph}))
        return operations

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Graph Store PUT: the remote graph holds exactly these triples afterwards."""
        if self.gsp_url is None:
            raise InvalidRequest("copying graphs needs the store's --gsp-endpoint")
        headers = {"Content-Type": "application/n-triples"}
        params = {"graph": graph}
        try:
            self._send(
                "PUT", self.gsp_url, "upload", params=params, content=ntriples, headers=headers
            )
        finally:
            self._graphs = None

    def close(self) -> None:
        self.http.close()


def _matches(quad: ox.Quad, pattern: dict[str, Any]) -> bool:
    found = {"s": quad.subject, "p": quad.predicate, "o": quad.object}
    return all(term is None or found[name] == term for name, term in pattern.items())
