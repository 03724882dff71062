"""Writes over HTTP: who may write, what is refused (and leaves nothing), what survives crashes.

Every write is validated against the SHACL shapes on a staged copy and committed to a durable
log before it is acknowledged, so a refused write changes nothing and an acknowledged one
survives a restart and `kill -9`.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import TOKEN, fresh_store
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF
from server import Server

from srg_graph.config import Settings
from srg_graph.validation.report import Report

SH = Namespace("http://www.w3.org/ns/shacl#")
AUTH = {"authorization": f"Bearer {TOKEN}"}
SPARQL_UPDATE = {"content-type": "application/sparql-update"}
OK_TRIPLE = '<http://example.org/s> <http://example.org/p> "o"'


def triple(name: str) -> str:
    """A triple about an unrelated resource: it conforms to the shapes."""
    return f'<http://example.org/{name}> <http://example.org/p> "o"'


VLOCA = "https://w3id.org/srg/id/werkbank/vloca"
SECOND_LEAD = (
    "GRAPH <https://w3id.org/srg/graph/werkbanken> { "
    f"<{VLOCA}> <https://w3id.org/srg/ns#lead> <https://w3id.org/srg/id/organisation/vlaio> }}"
)
DUMP = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def writer(module_writable: Server) -> Iterator[httpx.Client]:
    """The module's writable server, for the tests that neither restart nor kill it."""
    with module_writable.client(headers=AUTH) as http:
        yield http


@pytest.fixture
def restarts(writable: Server) -> Iterator[list[Server]]:
    """Servers a test starts again on the `writable` store; stopped at the end."""
    started: list[Server] = []
    yield started
    for running in started:
        running.stop()


def restart(writable: Server, restarts: list[Server]) -> Server:
    running = Server(writable.store, TOKEN).start()
    restarts.append(running)
    return running


def media(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def bindings(client: httpx.Client, query: str) -> list[dict[str, str]]:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in rows]


def snapshot(client: httpx.Client) -> tuple[int, frozenset[tuple[str, ...]]]:
    """(COUNT of quads, every quad) as the SPARQL endpoint sees them."""
    count = int(bindings(client, COUNT)[0]["n"])
    dump = frozenset(tuple(sorted(row.items())) for row in bindings(client, DUMP))
    return count, dump  # type: ignore[return-value]


def has(client: httpx.Client, triple: str) -> bool:
    response = client.get("/sparql", params={"query": f"ASK {{ {triple} }}"})
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def update(client: httpx.Client, text: str, **headers: str) -> httpx.Response:
    return client.post("/sparql", content=text, headers={**SPARQL_UPDATE, **headers})


# -- who may write ---------------------------------------------------------------------------
def test_update_without_token_is_401(client: httpx.Client) -> None:
    response = update(client, f"INSERT DATA {{ {OK_TRIPLE} }}")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].lower().startswith("bearer")
    assert media(response) == "text/plain"
    assert not has(client, OK_TRIPLE)


def test_update_with_wrong_token_is_401(client: httpx.Client) -> None:
    for authorization in ("Bearer not-the-token", f"Basic {TOKEN}", "Bearer"):
        response = update(client, f"INSERT DATA {{ {OK_TRIPLE} }}", authorization=authorization)
        assert response.status_code == 401, authorization
        assert "www-authenticate" in response.headers
    assert not has(client, OK_TRIPLE)


def test_form_update_without_token_is_401(client: httpx.Client) -> None:
    response = client.post("/sparql", data={"update": f"INSERT DATA {{ {OK_TRIPLE} }}"})
    assert response.status_code == 401
    assert not has(client, OK_TRIPLE)


def test_graph_store_write_without_token_is_401(client: httpx.Client) -> None:
    response = client.put(
        "/graph-store",
        params={"graph": "http://example.org/g"},
        content=f"{OK_TRIPLE} .",
        headers={"content-type": "application/n-triples"},
    )
    assert response.status_code == 401


def test_server_without_tokens_refuses_every_write_403(
    settings: Settings, seed_report: Report, tmp_path: Path
) -> None:
    running = Server(fresh_store(settings, seed_report, tmp_path / "store"), "").start()
    try:
        with running.client() as http:
            for headers in ({}, AUTH):
                assert update(http, f"INSERT DATA {{ {OK_TRIPLE} }}", **headers).status_code == 403
                response = http.put(
                    "/graph-store",
                    params={"graph": "http://example.org/g"},
                    content=f"{OK_TRIPLE} .",
                    headers={"content-type": "application/n-triples", **headers},
                )
                assert response.status_code == 403
            assert not has(http, OK_TRIPLE)
            assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    finally:
        running.stop()
        shutil.rmtree(tmp_path / "store", ignore_errors=True)


def raw_request(url: str, head: str) -> str:
    """Send only the head of a request that announces a 1 GB body; the status line answered."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode() + b"INSERT DATA {")
        return sock.recv(4096).decode("latin-1").split("\r\n")[0]


@pytest.mark.parametrize(
    ("method", "path", "content_type"),
    [
        ("POST", "/sparql", "application/sparql-update"),
        ("PUT", "/graph-store?graph=http://example.org/g", "text/turtle"),
    ],
)
def test_token_is_checked_before_the_body(
    server: Server, method: str, path: str, content_type: str
) -> None:
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
        "Content-Length: 1000000000\r\n\r\n"
    )
    started = time.monotonic()
    status = raw_request(server.url, head)
    assert status.startswith("HTTP/1.1 401"), status
    assert time.monotonic() - started < 5


# -- accepted writes -------------------------------------------------------------------------
def test_valid_update_direct_is_seen_by_queries(writer: httpx.Client) -> None:
    response = update(writer, f"INSERT DATA {{ {triple('direct')} }}")
    assert response.status_code == 204, response.text
    assert has(writer, triple("direct"))


def test_valid_update_form_is_seen_by_queries(writer: httpx.Client) -> None:
    graph = "http://example.org/form-graph"
    response = writer.post(
        "/sparql", data={"update": f"INSERT DATA {{ GRAPH <{graph}> {{ {triple('form')} }} }}"}
    )
    assert response.status_code == 204, response.text
    assert has(writer, f"GRAPH <{graph}> {{ {triple('form')} }}")
    deleted = writer.post(
        "/sparql", data={"update": f"DELETE DATA {{ GRAPH <{graph}> {{ {triple('form')} }} }}"}
    )
    assert deleted.status_code == 204
    assert not has(writer, triple("form"))


# -- refused writes leave nothing -------------------------------------------------------------
def test_violating_update_is_422_with_json_report_and_changes_nothing(writer: httpx.Client) -> None:
    before = snapshot(writer)
    response = update(writer, f"INSERT DATA {{ {SECOND_LEAD} }}")
    assert response.status_code == 422
    assert media(response) == "application/json"
    report = response.json()
    assert report["conforms"] is False
    assert report["violations"] >= 1
    violations = [r for r in report["results"] if r["severity"] == "Violation"]
    assert VLOCA in {r["focusNode"] for r in violations}
    assert all(r["message"] for r in violations)
    assert snapshot(writer) == before


def test_violating_update_report_as_turtle(writer: httpx.Client) -> None:
    before = snapshot(writer)
    response = update(writer, f"INSERT DATA {{ {SECOND_LEAD} }}", accept="text/turtle")
    assert response.status_code == 422
    assert media(response) == "text/turtle"
    graph = Graph().parse(data=response.text, format="turtle")
    [report] = graph.subjects(RDF.type, SH.ValidationReport)
    assert graph.value(report, SH.conforms).toPython() is False
    violations = [
        r for r in graph.objects(report, SH.result) if (r, SH.resultSeverity, SH.Violation) in graph
    ]
    assert URIRef(VLOCA) in {graph.value(r, SH.focusNode) for r in violations}
    assert snapshot(writer) == before


def test_half_failing_multi_operation_update_leaves_nothing(writer: httpx.Client) -> None:
    before = snapshot(writer)
    text = f"INSERT DATA {{ {triple('half')} }} ; INSERT DATA {{ {SECOND_LEAD} }}"
    response = update(writer, text)
    assert response.status_code == 422
    assert not has(writer, triple("half"))
    assert snapshot(writer) == before


def test_syntax_error_update_changes_nothing(writer: httpx.Client) -> None:
    before = snapshot(writer)
    response = update(writer, f"INSERT DATA {{ {triple('syntax')} }} ; INSERT DATA {{ <broken ")
    assert response.status_code == 400
    assert media(response) == "text/plain"
    assert snapshot(writer) == before


@pytest.mark.parametrize(
    "graph",
    [
        "https://w3id.org/srg/graph/shapes/leads",
        "https://w3id.org/srg/graph/shapes/new",
        "https://w3id.org/srg/graph/shapes",
    ],
)
def test_writes_to_shapes_graphs_are_403(writer: httpx.Client, graph: str) -> None:
    before = snapshot(writer)
    response = update(writer, f"INSERT DATA {{ GRAPH <{graph}> {{ {triple('shapes')} }} }}")
    assert response.status_code == 403
    response = writer.put(
        "/graph-store",
        params={"graph": graph},
        content=f"{triple('shapes')} .",
        headers={"content-type": "application/n-triples"},
    )
    assert response.status_code == 403
    drop = update(writer, "DROP GRAPH <https://w3id.org/srg/graph/shapes/leads>")
    assert drop.status_code == 403
    assert snapshot(writer) == before


# -- durability ------------------------------------------------------------------------------
def test_restart_keeps_accepted_writes(writable: Server, restarts: list[Server]) -> None:
    with writable.client(headers=AUTH) as http:
        assert update(http, f"INSERT DATA {{ {OK_TRIPLE} }}").status_code == 204
        before = snapshot(http)
    writable.stop()
    with restart(writable, restarts).client() as http:
        assert has(http, OK_TRIPLE)
        assert snapshot(http) == before


def test_kill_9_after_an_acknowledged_write_keeps_it(
    writable: Server, restarts: list[Server]
) -> None:
    with writable.client(headers=AUTH) as http:
        assert update(http, f"INSERT DATA {{ {OK_TRIPLE} }}").status_code == 204
    writable.kill()
    with restart(writable, restarts).client() as http:
        assert has(http, OK_TRIPLE)


def test_kill_9_during_a_stream_of_writes_keeps_every_acknowledged_one(
    writable: Server, restarts: list[Server]
) -> None:
    """Each write adds a distinct pair of triples; after kill -9 and restart the writes present
    are a prefix of the stream that contains every acknowledged one, each pair whole."""
    acknowledged: list[int] = []
    stop = threading.Event()

    def pair(i: int) -> str:
        node = f"<http://example.org/stream/{i}>"
        return f"{node} <http://example.org/n> {i} . {node} <http://example.org/twin> {i} ."

    def stream() -> None:
        with writable.client(headers=AUTH) as http:
            for i in range(1000):
                if stop.is_set():
                    return
                try:
                    response = update(http, f"INSERT DATA {{ {pair(i)} }}")
                except httpx.TransportError:
                    return
                if 200 <= response.status_code < 300:
                    acknowledged.append(i)

    thread = threading.Thread(target=stream)
    thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    writable.kill()
    stop.set()
    thread.join(30)
    assert len(acknowledged) >= 3, "the stream of writes did not get going"

    with restart(writable, restarts).client() as http:
        rows = bindings(
            http,
            "SELECT ?s ?p ?o WHERE { ?s ?p ?o "
            'FILTER(STRSTARTS(STR(?s), "http://example.org/stream/")) }',
        )
    present: dict[int, set[str]] = {}
    for row in rows:
        present.setdefault(int(row["o"]), set()).add(row["p"])
    assert all(len(p) == 2 for p in present.values()), f"a half-applied write: {present}"
    assert set(acknowledged) <= set(present), (acknowledged, sorted(present))
    assert sorted(present) == list(range(len(present))), "the writes present are not a prefix"
    assert len(present) <= len(acknowledged) + 1  # at most the one in flight besides
