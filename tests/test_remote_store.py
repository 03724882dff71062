"""The remote store: the same answers as the embedded store, from a real `oxigraph serve`
and a real OpenLink Virtuoso (each test runs on both engines).

The rest of the suite runs in remote mode with SRG_TEST_REMOTE=1 and =virtuoso (see the
Makefile); this file holds the store-level contract that mode rests on: every read method
equals the embedded store's on the seed, a delta applied remotely equals one applied locally,
Graph Store writes replace and merge graphs exactly (blank nodes included), `srg push` copies
every graph, and the errors a remote store can cause are clear.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import TOKEN, fresh_store
from rdflib import Graph
from rdflib.compare import isomorphic
from server import OxigraphServer, RemoteStoreServer, Server, run_srg
from virtuoso import VirtuosoServer

from srg_graph.config import Settings
from srg_graph.errors import SrgError
from srg_graph.sparql import internal
from srg_graph.sparql.prebinding import prebound
from srg_graph.store import ChangeRecorder, Delta, GraphStore, QueryRequest, RemoteStore
from srg_graph.store import answer as answer_query
from srg_graph.store import virtuoso as dialect
from srg_graph.validation.report import Report
from srg_graph.web.errors import status_of

ID = "https://w3id.org/srg/id/"
GRAPH = "https://w3id.org/srg/graph/"
ORG = "http://www.w3.org/ns/org#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
COMITE = ox.NamedNode(f"{ID}body/klankbordgroep")


ENGINES = {"oxigraph": OxigraphServer, "virtuoso": VirtuosoServer}


@pytest.fixture(scope="module", params=list(ENGINES))
def engine(
    request: pytest.FixtureRequest,
    settings: Settings,
    seed_report: Report,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RemoteStoreServer]:
    """A remote store of each engine holding a copy of the built store (`srg push`)."""
    store = fresh_store(settings, seed_report, tmp_path_factory.mktemp("remote") / "store")
    running = ENGINES[request.param](store)
    yield running
    running.stop()


@pytest.fixture
def remote(engine: RemoteStoreServer) -> Iterator[RemoteStore]:
    store = RemoteStore(*engine.endpoints())
    yield store
    store.close()


def test_push_copies_every_graph(remote: RemoteStore, seed: GraphStore) -> None:
    assert remote.graph_names() == seed.graph_names()
    assert len(remote) == len(seed)
    for graph in seed.graph_names():  # blank nodes get new labels in another store
        there, here = remote.quads(graph=ox.NamedNode(graph)), seed.quads(graph=ox.NamedNode(graph))
        assert len(there) == len(here)
        assert set(filter(_named, there)) == set(filter(_named, here))


def _named(quad: ox.Quad) -> bool:
    return not any(isinstance(t, ox.BlankNode) for t in (quad.subject, quad.object))


def test_reads_equal_the_embedded_store(remote: RemoteStore, seed: GraphStore) -> None:
    assert set(remote.quads(COMITE)) == set(seed.quads(COMITE))
    assert set(remote.quads(None, ox.NamedNode(f"{ORG}organization"), COMITE)) == set(
        seed.quads(None, ox.NamedNode(f"{ORG}organization"), COMITE)
    )
    nodes = [COMITE, ox.NamedNode(f"{ID}organisation/vlaio"), ox.Literal("x")]
    assert sorted(map(str, remote.around(nodes))) == sorted(map(str, seed.around(nodes)))
    some = seed.quads(COMITE)[0]
    assert remote.contains(some)
    absent = ox.Quad(some.subject, some.predicate, ox.Literal("no"), some.graph_name)
    assert not remote.contains(absent)
    assert remote.has_graph(f"{GRAPH}bodies") and not remote.has_graph(f"{GRAPH}nothing")


def test_bindings_reach_subqueries(remote: RemoteStore, seed: GraphStore) -> None:
    """A parameter used inside a subquery binds there too, as the embedded engine's does."""
    text = (
        "SELECT ?text ?resource WHERE { { SELECT ?text ?resource WHERE { "
        "?resource <http://www.w3.org/2004/02/skos/core#prefLabel> ?label "
        "FILTER(CONTAINS(LCASE(STR(?label)), LCASE(STR(?text)))) } } } ORDER BY ?resource"
    )
    bindings = {"text": ("literal", "stuurgroep", None)}
    found = remote.rows(text, bindings)
    assert found and found == seed.rows(text, bindings)


MEMBERSHIP = f"<{ORG}organization> ?body ; <{ORG}member> "


@pytest.mark.parametrize(
    "minus",
    [
        f"MINUS {{ ?n {MEMBERSHIP} ?member }}",  # the bodies the organisation is no member of
        f"MINUS {{ ?other a <{ORG}OrganizationalUnit> }}",  # shares only the parameter
    ],
)
def test_bindings_reach_minus_as_the_engine_binds_them(
    remote: RemoteStore, seed: GraphStore, minus: str
) -> None:
    """The engine binds a parameter before evaluation, in a MINUS group too (so a MINUS that
    shares only the parameter removes every row): the block joined into every group answers
    the same."""
    text = f"SELECT DISTINCT ?member ?body WHERE {{ ?m {MEMBERSHIP} ?x {minus} }} ORDER BY ?body"
    bindings = {"member": ("iri", f"{ID}organisation/abb", None)}
    assert remote.rows(text, bindings) == seed.rows(text, bindings)


def test_answers_equal_the_embedded_store(remote: RemoteStore, seed: GraphStore) -> None:
    for text, fmt in [
        ("SELECT ?s WHERE { ?s a <http://www.w3.org/ns/org#Membership> } ORDER BY ?s", "csv"),
        ("ASK { ?s a <https://w3id.org/srg/ns#GovernanceBody> }", "json"),
        (f"CONSTRUCT WHERE {{ <{COMITE.value}> ?p ?o }}", "ntriples"),
    ]:
        request = QueryRequest(text, fmt)
        remote_body = answer_query(remote, request).body
        local_body = answer_query(seed, request).body
        if fmt == "ntriples":
            assert set(remote_body.splitlines()) == set(local_body.splitlines())
        else:
            assert remote_body == local_body


@pytest.mark.parametrize(
    "name",
    ["describe-out", "describe-in", "describe-linked", "describe-roles", "describe-composition"],
)
def test_the_resource_pages_queries_answer_as_on_the_embedded_store(
    remote: RemoteStore, seed: GraphStore, name: str
) -> None:
    """The queries of a resource's page, with `?resource` bound in their OPTIONAL groups too
    (Virtuoso refused describe-out with the block in each: SQ156, the page 502)."""
    for iri in (f"{ID}body/smart-region-office", f"{ID}body/stuurgroep"):
        bindings = {"resource": ("iri", iri, None)}
        text = internal.query(name)
        assert sorted(map(str, remote.rows(text, bindings))) == sorted(
            map(str, seed.rows(text, bindings))
        )


def test_delta_applies_as_on_the_embedded_store(remote: RemoteStore) -> None:
    graph = f"{GRAPH}remote-test"
    recorder = ChangeRecorder(remote)
    recorder.add_triples(
        graph,
        [
            (("iri", f"{ID}x", None), ("iri", f"{ORG}memberOf", None), ("iri", COMITE.value, None)),
            (("iri", f"{ID}x", None), ("iri", f"{ORG}name", None), ("literal", 'a "b"\n', "@nl")),
        ],
    )
    delta = recorder.delta()
    remote.apply(delta)
    assert remote.has_graph(graph)
    assert len(remote.quads(graph=ox.NamedNode(graph))) == 2
    undo = ChangeRecorder(remote)
    undo.drop_graph(graph)
    remote.apply(undo.delta())
    assert not remote.has_graph(graph)


def test_a_new_blank_node_in_two_graphs_is_one_node(remote: RemoteStore) -> None:
    """A delta with a new blank node in two graphs, as a change's statements and their
    reified copies in the history graph have, makes one node, the same in both graphs (on
    Virtuoso too, where an INSERT template of two graphs fails: see store/virtuoso.py)."""
    data, described = f"{GRAPH}remote-blank", f"{GRAPH}remote-blank-described"
    node, site, statement = ox.BlankNode(), ox.NamedNode(f"{ORG}hasSite"), ox.NamedNode(f"{ID}s")
    quads = [
        ox.Quad(ox.NamedNode(f"{ID}x"), site, node, ox.NamedNode(data)),
        ox.Quad(node, ox.NamedNode(f"{ORG}siteAddress"), ox.Literal("hier"), ox.NamedNode(data)),
        ox.Quad(statement, ox.NamedNode(f"{RDF}object"), node, ox.NamedNode(described)),
    ]
    added = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
    remote.apply(Delta(b"", added, frozenset({data, described})))
    try:
        (linked,) = remote.quads(None, site, None, ox.NamedNode(data))
        (mentioned,) = remote.quads(graph=ox.NamedNode(described))
        assert isinstance(linked.object, ox.BlankNode)
        assert mentioned.object == linked.object
        assert len(remote.quads(graph=ox.NamedNode(data))) == 2
    finally:
        remote.apply(Delta(b"", b"", frozenset({data, described}), dropped=(data, described)))
    assert not remote.has_graph(data) and not remote.has_graph(described)


def test_prebinding_puts_values_in_every_group() -> None:
    """Every group, not only WHERE groups: a FILTER in a nested OPTIONAL sees only its own
    group; not a CONSTRUCT template, a VALUES data block or the braces around a subquery."""
    values = "VALUES (?x) { (<a>) }"
    assert prebound("SELECT * WHERE { ?x ?p ?o }", values) == (
        f"SELECT * WHERE {{ {values}  ?x ?p ?o }}"
    )
    nested = prebound("SELECT ?x { { SELECT ?x WHERE { ?x ?p ?o } } }", values)
    assert nested.count(values) == 2
    assert prebound("ASK { ?x ?p ?o }", values).count(values) == 1
    template = prebound("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", values)
    assert template.index(values) > template.index("WHERE")
    assert prebound("CONSTRUCT WHERE { ?x ?p ?o }", values).endswith(values)
    optional = "SELECT * { ?s ?p ?o OPTIONAL { ?o ?q ?l OPTIONAL { ?l ?r ?m FILTER(?m = ?x) } } }"
    assert prebound(optional, values).count(values) == 3
    data = prebound("SELECT * { VALUES ?y { 1 2 } ?x ?p ?y }", values)
    assert data.count(values) == 1 and "VALUES ?y { 1 2 }" in data
    # inside `GRAPH ?x { }` the block would name every graph read ?x: left out there
    assert prebound("ASK { GRAPH ?x { } }", values) == f"ASK {{ {values}  GRAPH ?x {{ }} }}"
    assert prebound("ASK { GRAPH ?g { ?x ?p ?o } }", values).count(values) == 2
    # a group that names no bound variable gets none (Virtuoso's optimiser failed on them),
    # but a MINUS group, which the engine's binding makes share it
    unnamed = prebound("SELECT * { ?x ?p ?o OPTIONAL { ?o ?q ?l } MINUS { ?a ?b ?c } }", values)
    assert unnamed.count(values) == 2 and "OPTIONAL { ?o ?q ?l }" in unnamed


def test_virtuoso_times_are_read_in_canonical_form() -> None:
    """Virtuoso writes a time of whole milliseconds as `.120`; the history (and pyoxigraph)
    as `.12`: read back, the two are one literal."""
    cases = {
        "2026-12-05T07:01:02.120Z": "2026-12-05T07:01:02.12Z",
        "2026-12-05T07:01:02.000Z": "2026-12-05T07:01:02Z",
        "2026-12-05T07:01:02.105+01:00": "2026-12-05T07:01:02.105+01:00",
        "2026-12-05T07:01:02Z": "2026-12-05T07:01:02Z",
        "2026-12-05T07:01:02.50": "2026-12-05T07:01:02.5",
    }
    assert {value: dialect.canonical_time(value) for value in cases} == cases


def test_virtuoso_booleans_computed_by_coalesce_and_if_are_read_back() -> None:
    """Virtuoso gives a boolean computed in a query as the integer 0 or 1: the variables bound
    to one are read back as booleans, COALESCE and IF that give only booleans included."""
    text = """SELECT * WHERE {
      BIND(COALESCE(?optional, false) AS ?a) BIND(COALESCE(sameTerm(?x, ?y), false) AS ?b)
      BIND(IF(?n > 1, true, ?flag) AS ?c) BIND(COALESCE(?x, 0) AS ?d) BIND(COALESCE(?x, ?y) AS ?e)
      BIND(IF(?n > 1, "many", false) AS ?f) BIND(COALESCE(STR(?x), true) AS ?g)
      BIND(?n IN (1, 2) AS ?h) }"""
    assert dialect.boolean_variables(text) == {"a", "b", "c", "h"}


def test_unreachable_store_is_502() -> None:
    store = RemoteStore("http://127.0.0.1:9/query", timeout=2)
    with pytest.raises(SrgError) as failed:
        store.graph_names()
    assert status_of(failed.value) == 502
    assert "could not be reached" in failed.value.message


def test_blank_nodes_cannot_be_named(remote: RemoteStore) -> None:
    assert remote.quads(ox.BlankNode("b")) == []
    assert list(remote.solutions("SELECT ?x WHERE { ?x ?p ?o }", {"x": ox.BlankNode()})) == []


def test_read_only_remote_server_refuses_writes(engine: RemoteStoreServer, tmp_path: Path) -> None:
    """Without --update-endpoint the server reads the remote store and refuses writes; its
    ETags move on every SRG_REMOTE_REFRESH seconds."""
    query, _, gsp = engine.endpoints()
    args = ("--sparql-endpoint", query, "--gsp-endpoint", gsp)
    running = Server(tmp_path / "no-store", TOKEN, *args, SRG_REMOTE_REFRESH="0.5").start()
    try:
        with running.client(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            version = http.get("/health").json()["version"]
            time.sleep(0.6)  # a replica's version moves on, as it cannot see the writer's writes
            assert http.get("/health").json()["version"] != version
            update = 'INSERT DATA { <https://w3id.org/srg/id/x> <http://example/p> "x" }'
            response = http.post(
                "/sparql", content=update, headers={"Content-Type": "application/sparql-update"}
            )
            assert response.status_code == 403, response.text
            assert "read-only" in response.text
            assert not RemoteStore(query).ask("ASK { ?s <http://example/p> ?o }")
    finally:
        running.stop()


# -- Graph Store writes with blank nodes, through `srg serve` ---------------------------------
# 4 triples each, 3 of them about a blank node
FIRST = """@prefix ex: <http://example.org/bnodes/> .
ex:jane ex:label "Jane" ; ex:knows [ ex:name "One" ; ex:age 1 ] ."""
SECOND = """@prefix ex: <http://example.org/bnodes/> .
ex:jane ex:knows [ ex:name "Two" ] , [ ex:name "Three" ] ."""
AUTH = {"authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def served(engine: RemoteStoreServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`srg serve` in remote-store mode on the engine's store."""
    running = Server(tmp_path_factory.mktemp("served") / "store", TOKEN, *engine.flags()).start()
    yield running
    running.stop()


def _gsp_write(server: Server, method: str, graph: str, turtle: str) -> None:
    headers = {"content-type": "text/turtle", **AUTH}
    with server.client() as http:
        response = http.request(
            method, "/graph-store", params={"graph": graph}, content=turtle, headers=headers
        )
    assert response.status_code in (200, 201, 204), response.text


def _gsp_read(server: Server, graph: str) -> Graph:
    with server.client() as http:
        response = http.get(
            "/graph-store", params={"graph": graph}, headers={"accept": "application/n-triples"}
        )
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.content, format="nt")


def _turtle(*texts: str) -> Graph:
    """The documents' triples together, each document's blank nodes its own."""
    graph = Graph()
    for text in texts:
        graph.parse(data=text, format="turtle")
    return graph


def test_put_replaces_a_graph_with_blank_nodes_exactly(served: Server) -> None:
    graph = "http://example.org/bnodes/put"
    _gsp_write(served, "PUT", graph, FIRST)
    assert isomorphic(_gsp_read(served, graph), _turtle(FIRST))
    _gsp_write(served, "PUT", graph, SECOND)
    found = _gsp_read(served, graph)
    assert len(found) == 4  # not 7: the first document's blank-node statements are gone
    assert isomorphic(found, _turtle(SECOND))
    _gsp_write(served, "PUT", graph, FIRST)
    assert isomorphic(_gsp_read(served, graph), _turtle(FIRST))


def test_post_merges_blank_nodes_as_new_nodes(served: Server) -> None:
    graph = "http://example.org/bnodes/post"
    _gsp_write(served, "PUT", graph, FIRST)
    _gsp_write(served, "POST", graph, SECOND)
    assert isomorphic(_gsp_read(served, graph), _turtle(FIRST, SECOND))
    _gsp_write(served, "POST", graph, FIRST)  # the same document again: a second node
    found = _gsp_read(served, graph)
    assert len(found) == 4 + 4 + 3  # `ex:jane ex:label "Jane"` is there once
    assert isomorphic(found, _turtle(FIRST, SECOND, FIRST))


def test_delete_removes_a_graph_with_blank_nodes(served: Server) -> None:
    graph = "http://example.org/bnodes/delete"
    _gsp_write(served, "PUT", graph, FIRST)
    with served.client() as http:
        assert http.delete("/graph-store", params={"graph": graph}, headers=AUTH).status_code == 204
        response = http.get("/graph-store", params={"graph": graph})
        assert response.status_code == 404, response.text


def _patched(store: ox.Store, patch: str) -> None:
    """Apply an RDF Patch's D and A rows to `store`."""
    for line in patch.splitlines():
        if line[:2] in ("D ", "A "):
            (quad,) = ox.parse(line[2:], format=ox.RdfFormat.N_QUADS)
            (store.remove if line[0] == "D" else store.add)(quad)


def test_the_rdf_patches_of_blank_node_writes_replay(served: Server) -> None:
    """A graph of blank nodes replaced, then deleted: replaying the changes' RDF Patches gives
    the graph the server has after each (the patch names the nodes as the store does, so a
    later change's D rows match an earlier one's A rows)."""
    graph = f"{EX}replayed"
    replica = ox.Store()
    for method, turtle in (("PUT", FIRST), ("PUT", SECOND), ("DELETE", "")):
        with served.client() as http:
            headers = {"content-type": "text/turtle", **AUTH}
            done = http.request(
                method, "/graph-store", params={"graph": graph}, content=turtle, headers=headers
            )
            assert done.status_code in (201, 204), done.text
            number = http.get("/health").json()["version_number"]
            _patched(replica, http.get(f"/changes/{number}.rdfp").text)
        quads = replica.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        here = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        there = _gsp_read(served, graph) if method == "PUT" else Graph()
        assert len(here) == len(there) and isomorphic(here, there), method


# -- SPARQL Update on blank nodes already in the store ---------------------------------------
EX = "http://example.org/bnodes/"
JANE_ONE = f'GRAPH <{EX}{{graph}}> {{{{ <{EX}jane> <{EX}knows> ?b . ?b <{EX}name> "One" }}}}'
ATTACH = {  # the update that adds a statement about FIRST's blank node, and what shows it
    "insert-where": (
        f"INSERT {{ GRAPH <{EX}attach> {{ ?b <{EX}extra> 1 }} }} WHERE {{ {JANE_ONE} }}",
        f"ASK {{ {JANE_ONE} GRAPH <{EX}attach> {{ ?b <{EX}extra> 1 }} }}",
    ),
    "after-insert-data": (  # worked out on a copy of the data (a WHERE after a change)
        f"INSERT DATA {{ GRAPH <{EX}attach> {{ <{EX}a> <{EX}b> <{EX}c> }} }} ;\n"
        f"INSERT {{ GRAPH <{EX}attach> {{ ?b <{EX}extra> 2 }} }} WHERE {{ {JANE_ONE} }}",
        f"ASK {{ {JANE_ONE} GRAPH <{EX}attach> {{ ?b <{EX}extra> 2 }} }}",
    ),
    "copy": (
        f"COPY <{EX}{{graph}}> TO <{EX}attach>",
        f"ASK {{ {JANE_ONE} GRAPH <{EX}attach> {{ ?b <{EX}age> 1 }} }}",
    ),
}


@pytest.mark.parametrize("case", list(ATTACH))
def test_an_update_adds_to_a_blank_node_of_the_store_or_is_refused(
    served: Server, engine: RemoteStoreServer, case: str
) -> None:
    """Statements an update adds about a blank node already in the store are about that node,
    as in the embedded store: Virtuoso names its blank nodes; another store cannot, so the
    write is refused (a new node would silently take the statements)."""
    graph = f"bnodes-{case}"
    _gsp_write(served, "PUT", f"{EX}{graph}", FIRST)
    text, shown = (t.replace("{graph}", graph) for t in ATTACH[case])
    with served.client() as http:
        http.delete("/graph-store", params={"graph": f"{EX}attach"}, headers=AUTH)
        response = http.post(
            "/sparql", content=text, headers={"content-type": "application/sparql-update", **AUTH}
        )
        ask = http.get("/sparql", params={"query": shown}, headers={"accept": "application/json"})
    if isinstance(engine, VirtuosoServer):
        assert response.status_code == 204, response.text
        assert ask.json()["boolean"] is True
    else:
        assert response.status_code == 409, response.text
        assert "blank node" in response.text and "IRI" in response.text
        assert ask.json()["boolean"] is False
    assert isomorphic(_gsp_read(served, f"{EX}{graph}"), _turtle(FIRST))


def test_push_of_a_missing_store_is_refused(tmp_path: Path) -> None:
    pushed = run_srg("push", "--gsp-endpoint", "http://127.0.0.1:9/store", store=tmp_path / "x")
    assert pushed.returncode == 2
    assert "srg build" in pushed.stderr
