"""The remote store: the same answers as the embedded store, from a real `oxigraph serve`.

The rest of the suite runs in remote mode with SRG_TEST_REMOTE=1 (see the Makefile); this
file holds the store-level contract that mode rests on: every read method equals the
embedded store's on the seed, a delta applied remotely equals one applied locally, `srg push`
copies every graph, and the errors a remote store can cause are clear.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import TOKEN, fresh_store
from server import OxigraphServer, Server, run_srg

from srg_graph.config import Settings
from srg_graph.errors import SrgError
from srg_graph.sparql.prebinding import prebound
from srg_graph.store import ChangeRecorder, GraphStore, QueryRequest, RemoteStore
from srg_graph.store import answer as answer_query
from srg_graph.validation.report import Report
from srg_graph.web.errors import status_of

ID = "https://w3id.org/srg/id/"
GRAPH = "https://w3id.org/srg/graph/"
ORG = "http://www.w3.org/ns/org#"
COMITE = ox.NamedNode(f"{ID}body/klankbordgroep")


@pytest.fixture(scope="module")
def oxigraph(
    settings: Settings, seed_report: Report, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OxigraphServer]:
    store = fresh_store(settings, seed_report, tmp_path_factory.mktemp("remote") / "store")
    running = OxigraphServer(store)
    yield running
    running.stop()


@pytest.fixture
def remote(oxigraph: OxigraphServer) -> Iterator[RemoteStore]:
    store = RemoteStore(f"{oxigraph.url}/query", f"{oxigraph.url}/update", f"{oxigraph.url}/store")
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


def test_prebinding_puts_values_in_every_where_group() -> None:
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


def test_unreachable_store_is_502() -> None:
    store = RemoteStore("http://127.0.0.1:9/query", timeout=2)
    with pytest.raises(SrgError) as failed:
        store.graph_names()
    assert status_of(failed.value) == 502
    assert "could not be reached" in failed.value.message


def test_blank_nodes_cannot_be_named(remote: RemoteStore) -> None:
    assert remote.quads(ox.BlankNode("b")) == []
    assert list(remote.solutions("SELECT ?x WHERE { ?x ?p ?o }", {"x": ox.BlankNode()})) == []


def test_read_only_remote_server_refuses_writes(oxigraph: OxigraphServer, tmp_path: Path) -> None:
    """Without --update-endpoint the server reads the remote store and refuses writes; its
    ETags move on every SRG_REMOTE_REFRESH seconds."""
    url = oxigraph.url
    args = ("--sparql-endpoint", f"{url}/query", "--gsp-endpoint", f"{url}/store")
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
            assert not remote_has(url, "http://example/p")
    finally:
        running.stop()


def remote_has(url: str, predicate: str) -> bool:
    response = httpx.get(f"{url}/query", params={"query": f"ASK {{ ?s <{predicate}> ?o }}"})
    return response.json()["boolean"]


def test_push_of_a_missing_store_is_refused(tmp_path: Path) -> None:
    pushed = run_srg("push", "--gsp-endpoint", "http://127.0.0.1:9/store", store=tmp_path / "x")
    assert pushed.returncode == 2
    assert "srg build" in pushed.stderr
