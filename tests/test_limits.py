"""The server's limits hold under hostile or careless requests, and it stays up.

Timeouts, nesting, sizes, row caps, no outbound requests (SERVICE, LOAD, remote JSON-LD
contexts), no XML entity expansion, bursts of concurrent queries, escaped markup.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import TOKEN, needs_network_namespaces, running_server
from server import REMOTE, Server

from srg_graph.config import Settings
from srg_graph.validation.report import Report

AUTH = {"authorization": f"Bearer {TOKEN}"}
SPARQL_QUERY = {"content-type": "application/sparql-query"}
JSON = {"accept": "application/sparql-results+json"}
SPARQL_UPDATE = {"content-type": "application/sparql-update", **AUTH}
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LIGHT = "ASK { <body/smart-region-office> ?p ?o }"
BODY_LIMIT = 4000
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture(scope="module")
def limited(
    settings: Settings, seed_report: Report, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server with tight limits: 2 s per query, 5 rows, 4000-byte bodies."""
    limits = {
        "SRG_QUERY_TIMEOUT": "2",
        "SRG_MAX_ROWS": "5",
        "SRG_MAX_BODY_BYTES": str(BODY_LIMIT),
    }
    directory = tmp_path_factory.mktemp("limited")
    with running_server(settings, seed_report, directory, **limits) as running:
        yield running


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A local TCP port nobody should connect to: the target of SERVICE, LOAD, @context."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(1.0)
    yield sock
    sock.close()


def assert_nobody_connected(sock: socket.socket) -> None:
    try:
        connection, peer = sock.accept()
    except TimeoutError:
        return
    connection.close()
    pytest.fail(f"the server connected to {sock.getsockname()} from {peer}")


def url_of(sock: socket.socket, path: str) -> str:
    host, port = sock.getsockname()
    return f"http://{host}:{port}/{path}"


def assert_up(client: httpx.Client) -> None:
    health = client.get("/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"


def assert_plain_error(response: httpx.Response, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.strip()


def rows_of(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


# -- time ------------------------------------------------------------------------------------
def test_heavy_query_times_out_503_while_light_query_answers(limited: Server) -> None:
    outcome: dict[str, httpx.Response | float] = {}

    def heavy() -> None:
        started = time.monotonic()
        with limited.client() as http:
            outcome["heavy"] = http.post("/sparql", content=HEAVY, headers=SPARQL_QUERY)
        outcome["heavy_seconds"] = time.monotonic() - started

    thread = threading.Thread(target=heavy)
    thread.start()
    with limited.client() as http:
        time.sleep(0.3)  # let the heavy query reach its worker first
        light = http.get("/sparql", params={"query": LIGHT})
        assert light.status_code == 200, light.text
        assert light.json()["boolean"] is True
        assert thread.is_alive(), "the light query should answer while the heavy one runs"
        thread.join(30)
        response = outcome["heavy"]
        assert isinstance(response, httpx.Response)
        assert_plain_error(response, 503)
        assert "2 s" in response.text
        assert response.headers.get("retry-after")
        assert outcome["heavy_seconds"] < 10
        # after the timeout the server still answers, also queries (a worker was replaced)
        assert_up(http)
        for _ in range(4):
            assert http.get("/sparql", params={"query": LIGHT}).json()["boolean"] is True


def test_the_home_page_says_when_to_try_a_query_again(limited: Server) -> None:
    """The editor's form sent without script runs the query on the home page: a query over
    the time limit is the page's 503, with the Retry-After that /sparql gives."""
    with limited.client() as http:
        page = http.get("/", params={"run": "1", "lang": "en", "query": HEAVY})
    assert page.status_code == 503, page.text[:300]
    assert page.headers.get("retry-after") == "1"
    assert "2 s" in page.text


# -- shape and size of requests ----------------------------------------------------------------
def test_query_nested_5000_groups_deep_is_400_and_server_stays_up(client: httpx.Client) -> None:
    query = "SELECT * WHERE " + "{ " * 5000 + "}" * 5000
    response = client.post("/sparql", content=query, headers=SPARQL_QUERY)
    assert_plain_error(response, 400)
    assert "deep" in response.text
    assert_up(client)


def test_update_nested_5000_groups_deep_is_400_and_server_stays_up(client: httpx.Client) -> None:
    update = "INSERT { <http://example.org/s> <http://example.org/p> 1 } WHERE " + "{" * 5000
    update += "}" * 5000
    assert_plain_error(client.post("/sparql", content=update, headers=SPARQL_UPDATE), 400)
    assert_up(client)


def test_update_with_a_long_operator_chain_does_not_crash_server(writable: Server) -> None:
    """An expression 10 000 operators long (under the length cap) must not take the server down.

    It is not nested by brackets, so the depth guard does not see it, but the engine parses it
    into a tree 10 000 deep and recurses over it: in the server process, on a write.
    """
    chain = " || ".join(["false"] * 10_000)
    update = (
        f"INSERT {{ <http://example.org/s> <http://example.org/p> 1 }} WHERE {{ FILTER({chain}) }}"
    )
    with writable.client() as http:
        try:
            response = http.post("/sparql", content=update, headers=SPARQL_UPDATE)
        except httpx.TransportError as error:
            pytest.fail(f"the server died on the update: {error!r}")
        assert response.status_code in (204, 400), response.text
        assert_up(http)


def test_query_with_a_long_operator_chain_keeps_server_up(client: httpx.Client) -> None:
    chain = " || ".join(["false"] * 10_000)
    response = client.post("/sparql", content=f"ASK {{ FILTER({chain}) }}", headers=SPARQL_QUERY)
    assert response.status_code in (200, 400, 500, 503)
    assert_up(client)
    assert client.get("/sparql", params={"query": LIGHT}).status_code == 200


def test_query_over_the_character_limit_is_400(client: httpx.Client, settings: Settings) -> None:
    limit = settings.max_query_chars
    query = "ASK {}" + " " * (limit - len("ASK {}") + 1)
    response = client.post("/sparql", content=query, headers=SPARQL_QUERY)
    assert_plain_error(response, 400)
    assert str(limit) in response.text
    at_limit = client.post("/sparql", content=query[:limit], headers=SPARQL_QUERY)
    assert at_limit.status_code == 200


def test_body_over_the_byte_limit_is_413(limited: Server) -> None:
    query = "ASK {}" + " " * BODY_LIMIT
    with limited.client() as http:
        response = http.post("/sparql", content=query, headers=SPARQL_QUERY)
        assert_plain_error(response, 413)
        # a chunked body (no Content-Length) is cut off just the same
        chunks = iter([b"ASK {}", b" " * BODY_LIMIT])
        response = http.post("/sparql", content=chunks, headers=SPARQL_QUERY)
        assert "content-length" not in response.request.headers
        assert_plain_error(response, 413)
        assert_up(http)


def test_graph_store_body_over_the_byte_limit_is_413(limited: Server) -> None:
    body = "<http://example.org/s> <http://example.org/p> " + '"' + "x" * BODY_LIMIT + '" .'
    with limited.client() as http:
        response = http.put(
            "/graph-store",
            params={"graph": "http://example.org/too-big"},
            content=body,
            headers={"content-type": "application/n-triples", **AUTH},
        )
        assert_plain_error(response, 413)
        assert (
            http.get("/graph-store", params={"graph": "http://example.org/too-big"}).status_code
            == 404
        )


# -- no request leaves the server --------------------------------------------------------------
@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        # the engine reads a keyword run into a prefix or a word
        "PREFIX : <{url}/> SELECT * WHERE {{ SERVICE:g {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?s ?p trueSERVICE <{url}> {{ ?a ?b ?c }} }}",
        "SELECT * WHERE {{ SERVICESILENT <{url}> {{ ?s ?p ?o }} }}",
    ],
    ids=[
        "service",
        "service-silent",
        "escaped-service",
        "run-into-prefix",
        "run-into-word",
        "run-into-silent",
    ],
)
def test_service_is_400_and_no_request_leaves(
    client: httpx.Client, listener: socket.socket, template: str
) -> None:
    query = template.format(url=url_of(listener, "sparql"))
    response = client.get("/sparql", params={"query": query})
    assert_plain_error(response, 400)
    assert "SERVICE" in response.text
    assert_nobody_connected(listener)


# A query sent to the query worker without the guard (as a hole in it would let through).
UNGUARDED = """
import sys
from pathlib import Path
from srg_graph.config import Settings
from srg_graph.errors import SrgError
from srg_graph.runtime.pool import open_pool
from srg_graph.store import QueryRequest

pool = open_pool(Settings(store=Path(sys.argv[1]), query_timeout=10.0))
try:
    pool.loaded()
    pool.run(QueryRequest(sys.argv[2], "json"))
    print("answered")
except SrgError as error:
    print(type(error).__name__, error.message)
finally:
    pool.close()
"""


@pytest.mark.skipif(REMOTE, reason="the embedded store's query worker")
def test_the_query_worker_has_no_network_even_past_the_guard(
    private_store: Path, listener: socket.socket
) -> None:
    """Defence in depth (`runtime.isolation`): were the guard to let a SERVICE through, the
    worker that runs it cannot connect anywhere, not even to this host."""
    needs_network_namespaces()
    query = f"SELECT * {{ SERVICE <{url_of(listener, 'sparql')}> {{ ?s ?p ?o }} }}"
    run = subprocess.run(
        [sys.executable, "-c", UNGUARDED, str(private_store), query],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "EvaluationFailed" in run.stdout and "unreachable" in run.stdout.lower(), run.stdout
    assert_nobody_connected(listener)


def test_load_is_400_and_no_request_leaves(client: httpx.Client, listener: socket.socket) -> None:
    before = client.get("/health").json()["quads"]
    for update in (
        f"LOAD <{url_of(listener, 'data.ttl')}>",
        f"LOAD SILENT <{url_of(listener, 'data.ttl')}> INTO GRAPH <http://example.org/loaded>",
        f"PREFIX ex: <{url_of(listener, '')}> LOADex:data.ttl",  # run into the prefix
        f"LOADSILENT <{url_of(listener, 'data.ttl')}>",
    ):
        response = client.post("/sparql", content=update, headers=SPARQL_UPDATE)
        assert_plain_error(response, 400)
        assert "LOAD" in response.text
    assert_nobody_connected(listener)
    assert client.get("/health").json()["quads"] == before


def test_json_ld_remote_context_is_refused_and_no_request_leaves(
    limited: Server, listener: socket.socket
) -> None:
    graph = "http://example.org/remote-context"
    body = (
        f'{{"@context": "{url_of(listener, "context.jsonld")}", '
        '"@id": "http://example.org/s", "name": "x"}'
    )
    with limited.client() as http:
        response = http.put(
            "/graph-store",
            params={"graph": graph},
            content=body,
            headers={"content-type": "application/ld+json", **AUTH},
        )
        assert 400 <= response.status_code < 500, response.text
        assert http.get("/graph-store", params={"graph": graph}).status_code == 404
    assert_nobody_connected(listener)


@pytest.mark.parametrize(
    "clause",
    ["FROM <{url}>", "FROM NAMED <{url}>", "FROM <not-a-graph>", "FROM <{url}> FROM NAMED <{url}>"],
)
def test_a_graph_not_in_the_store_is_empty_and_never_fetched(
    client: httpx.Client, listener: socket.socket, clause: str
) -> None:
    """In SPARQL a graph the store does not hold is an empty graph (issue 14): the query is
    answered, and nothing leaves the server to look for the graph."""
    dataset = clause.format(url=url_of(listener, "data.ttl"))
    pattern = "{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }"
    query = f"SELECT (COUNT(*) AS ?n) {dataset} WHERE {{ {pattern} }}"
    response = client.get("/sparql", params={"query": query}, headers=JSON)
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "0"
    assert_nobody_connected(listener)


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_a_protocol_graph_not_in_the_store_is_empty_and_never_fetched(
    client: httpx.Client, listener: socket.socket, parameter: str
) -> None:
    params = {"query": "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"}
    params[parameter] = url_of(listener, "data.ttl")
    response = client.get("/sparql", params=params, headers=JSON)
    assert response.status_code == 200, response.text
    assert response.json()["boolean"] is False
    assert_nobody_connected(listener)


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_a_protocol_graph_that_is_no_iri_is_400(client: httpx.Client, parameter: str) -> None:
    params = {"query": "ASK { ?s ?p ?o }", parameter: "not an iri"}
    response = client.get("/sparql", params=params)
    assert_plain_error(response, 400)
    assert parameter in response.text and "absolute IRI" in response.text


# -- result caps -----------------------------------------------------------------------------
def test_result_over_the_row_cap_is_refused_with_a_message(limited: Server) -> None:
    with limited.client() as http:
        response = http.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 6"})
        assert_plain_error(response, 400, 413, 422, 507)
        assert "5" in response.text and "LIMIT" in response.text
        construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 6"
        response = http.get("/sparql", params={"query": construct})
        assert_plain_error(response, 400, 413, 422, 507)


def test_result_at_the_row_cap_is_200(limited: Server) -> None:
    with limited.client() as http:
        response = http.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5"})
        assert len(rows_of(response)) == 5


# -- hostile payloads --------------------------------------------------------------------------
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY lol "lol">\n'
    + "".join(
        f'<!ENTITY lol{i} "' + (f"&lol{i - 1};" if i > 1 else "&lol;") * 10 + '">\n'
        for i in range(1, 10)
    )
    + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    ' xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/s">'
    "<ex:p>&lol9;</ex:p></rdf:Description></rdf:RDF>"
)


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_rdf_xml_with_entities_is_400_and_store_unchanged(limited: Server, method: str) -> None:
    graph = "http://example.org/laughs"
    with limited.client() as http:
        before = http.get("/health").json()["quads"]
        started = time.monotonic()
        response = http.request(
            method,
            "/graph-store",
            params={"graph": graph},
            content=BILLION_LAUGHS,
            headers={"content-type": "application/rdf+xml", **AUTH},
        )
        assert_plain_error(response, 400)
        assert time.monotonic() - started < 5
        assert http.get("/graph-store", params={"graph": graph}).status_code == 404
        assert http.get("/health").json()["quads"] == before


# -- load ------------------------------------------------------------------------------------
def test_burst_of_40_concurrent_queries_never_drops_a_connection(client: httpx.Client) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def one(_: int) -> int:
        with httpx.Client(base_url=str(client.base_url), timeout=60) as http:
            return http.get("/sparql", params={"query": query}).status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(one, range(40)))
    assert set(statuses) <= {200, 429, 503}, statuses
    assert statuses.count(200) >= 1
    assert_up(client)


@pytest.mark.skipif(REMOTE, reason="the embedded store's query worker")
def test_a_query_that_waits_past_the_queue_time_out_is_503_busy(
    settings: Settings, seed_report: Report, tmp_path: Path
) -> None:
    """One slot, held by a query that runs into the time limit: a query arriving meanwhile
    waits its turn for the queue time-out, then is told the workers are busy; once the first
    is stopped, turns are free again."""
    limits = {"SRG_WORKERS": "1", "SRG_QUEUE_TIMEOUT": "1", "SRG_QUERY_TIMEOUT": "6"}
    with (
        running_server(settings, seed_report, tmp_path, **limits) as running,
        running.client() as http,
        running.client() as other,
        ThreadPoolExecutor(max_workers=1) as background,
    ):
        heavy = background.submit(other.post, "/sparql", content=HEAVY, headers=SPARQL_QUERY)
        time.sleep(1.5)  # the heavy query holds the slot
        started = time.monotonic()
        waited = http.get("/sparql", params={"query": LIGHT}, headers=JSON)
        assert_plain_error(waited, 503)
        assert "busy" in waited.text and time.monotonic() - started < 4
        assert heavy.result().status_code == 503  # the time limit
        assert http.get("/sparql", params={"query": LIGHT}, headers=JSON).status_code == 200


# -- output escaping ---------------------------------------------------------------------------
def test_markup_in_literals_is_escaped_in_xml_results(client: httpx.Client) -> None:
    markup = "<script>alert('x')</script> & </literal></binding>"
    query = f'SELECT ?x ?y WHERE {{ BIND("{markup}" AS ?x) BIND("a\\"b" AS ?y) }}'
    response = client.get(
        "/sparql", params={"query": query}, headers={"accept": "application/sparql-results+xml"}
    )
    assert response.status_code == 200, response.text
    assert "<script>" not in response.text
    root = ET.fromstring(response.text)
    literals = [e.text for e in root.iter(f"{RESULTS_NS}literal")]
    assert literals == [markup, 'a"b']


def nested_rdf_xml(depth: int) -> str:
    """RDF/XML nesting `depth` blank nodes: slow to parse (the parser is quadratic in depth)."""
    return (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/s">'
        + "<ex:p><rdf:Description>" * depth
        + "<ex:q>1</ex:q>"
        + "</rdf:Description></ex:p>" * depth
        + "</rdf:Description></rdf:RDF>"
    )


def test_deeply_nested_rdf_xml_is_refused_before_parsing(client: httpx.Client) -> None:
    """The RDF/XML parser is quadratic in nesting depth: a 700 KB body 15 000 elements deep
    would keep a core busy for seconds, so it is refused (400) before it is parsed."""
    response = client.put(
        "/graph-store",
        params={"graph": "http://example.org/slow"},
        content=nested_rdf_xml(15_000),
        headers={"content-type": "application/rdf+xml", **AUTH},
    )
    assert response.status_code == 400
    assert "nests elements" in response.text
    assert_up(client)
    assert (
        client.get("/graph-store", params={"graph": "http://example.org/slow"}).status_code == 404
    )


def test_moderately_nested_rdf_xml_is_accepted(client: httpx.Client) -> None:
    graph = {"graph": "http://example.org/nested"}
    response = client.put(
        "/graph-store",
        params=graph,
        content=nested_rdf_xml(50),
        headers={"content-type": "application/rdf+xml", **AUTH},
    )
    assert response.status_code == 201, response.text
    assert client.delete("/graph-store", params=graph, headers=AUTH).status_code == 204


@pytest.mark.parametrize(
    "fmt",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_row_cap_is_exact_in_every_format(fmt: str, limited: Server) -> None:
    """The server is started with SRG_MAX_ROWS=5: five rows pass, six are refused."""
    five = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5"
    six = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 6"
    with limited.client() as http:
        passed = http.get("/sparql", params={"query": five}, headers={"Accept": fmt})
        refused = http.get("/sparql", params={"query": six}, headers={"Accept": fmt})
    assert passed.status_code == 200
    assert refused.status_code == 422
    assert "more than 5 rows" in refused.text


def _raw_answer(client: httpx.Client, head: bytes, chunks: int = 1) -> bytes:
    """The server's answer to the bytes `head` sent in `chunks` parts, read until it closes."""
    with socket.create_connection(("127.0.0.1", client.base_url.port), 30) as sock:
        size = -(-len(head) // chunks)
        try:
            for start in range(0, len(head), size):
                sock.sendall(head[start : start + size])
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused and closed before all was sent: the answer is read below
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_a_url_too_long_to_read_is_414_saying_to_post(client: httpx.Client) -> None:
    """httptools reads no URL over 65,535 characters: uvicorn answered a bare "Invalid HTTP
    request received." (400); the client needs to hear to send the query by POST."""
    url = "/sparql?query=ASK%20%7B%7D" + "%20" * 22_000
    answer = _raw_answer(client, f"GET {url} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 414 "), answer[:200]
    assert b"POST body" in answer and b"application/sparql-query" in answer
    assert client.get("/health").status_code == 200


@pytest.mark.parametrize("chunks", [1, 64])
def test_headers_over_the_limit_are_431_and_not_read_on(client: httpx.Client, chunks: int) -> None:
    """A 20 MB header was read into memory and the request answered 200: a request's head is
    now refused with 431 once it grows over 80 KiB, in one read or in many."""
    big = b"X-Big: " + b"a" * (20 * 1024 * 1024) + b"\r\n"
    answer = _raw_answer(client, b"GET /health HTTP/1.1\r\nHost: x\r\n" + big + b"\r\n", chunks)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert b"headers are longer than 81,920 bytes" in answer
    assert client.get("/health", headers={"x-fine": "a" * 60_000}).status_code == 200


@pytest.mark.parametrize("chunks", [1, 2])
def test_a_head_just_over_the_limit_is_431_however_it_arrives(
    client: httpx.Client, chunks: int
) -> None:
    """Only the reads before the one that ended the headers were counted: a head of 100 KB
    (over 80 KiB, under 80 KiB and one read) was answered 200, whole or in two halves."""
    head = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n"
    answer = _raw_answer(client, head, chunks)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
    assert b"headers are longer than 81,920 bytes" in answer
    assert client.get("/health", headers={"x-fine": "a" * 80_000}).status_code == 200
