"""The SPARQL 1.1 Protocol over HTTP, against a real `srg serve`.

The cases follow the W3C SPARQL 1.1 Protocol test suite (protocol/manifest.ttl), adapted to
this store: its graphs stand in for the suite's data1.rdf ... data3.rdf, and the suite's
`CLEAR ALL` (which would touch the protected ontology) becomes inserts into graphs of its own.
Every answer is parsed and its content checked, not only its status.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import httpx
import pyoxigraph
import pytest
from conftest import TOKEN
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from server import REMOTE_ENGINE, Server

from srg_graph.web.sparql_protocol import form_fields

ID = "https://w3id.org/srg/id/"
SRG = Namespace("https://w3id.org/srg/ns#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SRO = URIRef(f"{ID}body/smart-region-office")
ABB = URIRef(f"{ID}organisation/abb")
BODIES = "https://w3id.org/srg/graph/bodies"
ORGANISATIONS = "https://w3id.org/srg/graph/organisations"
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"
SPARQL_QUERY = {"content-type": "application/sparql-query"}
SPARQL_UPDATE = {"content-type": "application/sparql-update"}
AUTH = {"authorization": f"Bearer {TOKEN}"}
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

SELECT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


# -- helpers --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def updatable(module_writable: Server) -> Iterator[httpx.Client]:
    """The module's writable server for the update cases; each writes graphs of its own."""
    with module_writable.client(headers=AUTH) as http:
        yield http


def media(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


def ask(client: httpx.Client, query: str, **params: object) -> bool:
    response = client.get("/sparql", params={"query": query, **params})
    assert response.status_code == 200, response.text
    assert media(response) == "application/sparql-results+json"
    return response.json()["boolean"]


def json_rows(response: httpx.Response) -> list[dict[str, str]]:
    """SELECT JSON results as {variable: value} rows."""
    assert response.status_code == 200, response.text
    body = response.json()
    return [{k: v["value"] for k, v in b.items()} for b in body["results"]["bindings"]]


def select(client: httpx.Client, query: str, **params: object) -> list[dict[str, str]]:
    return json_rows(client.get("/sparql", params={"query": query, **params}))


def parse_xml_results(text: str) -> tuple[list[str], list[dict[str, tuple[str, dict]]]]:
    """(variables, rows of name -> (term kind, value + attributes)) of SPARQL XML results."""
    root = ET.fromstring(text)
    assert root.tag == f"{RESULTS_NS}sparql"
    names = [v.attrib["name"] for v in root.iter(f"{RESULTS_NS}variable")]
    rows = []
    for result in root.iter(f"{RESULTS_NS}result"):
        row = {}
        for binding in result.findall(f"{RESULTS_NS}binding"):
            term = binding[0]
            row[binding.attrib["name"]] = (term.tag.removeprefix(RESULTS_NS), term.text or "")
        rows.append(row)
    return names, rows


def parse_rdf(response: httpx.Response) -> Graph:
    """The answer parsed by rdflib, in the format its Content-Type names."""
    kind = media(response)
    if kind in ("application/n-quads", "application/trig"):
        dataset = Dataset()
        dataset.parse(data=response.text, format="nquads" if kind.endswith("quads") else "trig")
        graph = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
        return graph
    fmt = "nt" if kind == "text/plain" else RDF_TYPES[kind]
    return Graph().parse(data=response.content, format=fmt)


# -- W3C protocol: queries -------------------------------------------------------------------
def test_query_get(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "ASK {}"})
    assert response.status_code == 200
    assert media(response) == "application/sparql-results+json"
    assert response.json() == {"head": {}, "boolean": True}


def test_query_post_form(client: httpx.Client) -> None:
    response = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.json()["boolean"] is True


def test_query_post_direct(client: httpx.Client) -> None:
    response = client.post("/sparql", content="ASK { ?s ?p ?o }", headers=SPARQL_QUERY)
    assert response.status_code == 200
    assert response.json()["boolean"] is True


TYPED_SRO = "ASK { <body/smart-region-office> a ?type }"
TYPED_ABB = "ASK { <organisation/abb> a ?type }"


def test_query_dataset_default_graph_get(client: httpx.Client) -> None:
    assert ask(client, TYPED_SRO, **{"default-graph-uri": BODIES}) is True
    assert ask(client, TYPED_SRO, **{"default-graph-uri": ORGANISATIONS}) is False


def test_query_dataset_default_graph_post(client: httpx.Client) -> None:
    for graph, expected in ((BODIES, True), (ORGANISATIONS, False)):
        response = client.post(
            "/sparql",
            params={"default-graph-uri": graph},
            content=TYPED_SRO,
            headers=SPARQL_QUERY,
        )
        assert response.status_code == 200, response.text
        assert response.json()["boolean"] is expected


def test_query_dataset_default_graphs_get(client: httpx.Client) -> None:
    both = "ASK { <body/smart-region-office> a ?t . <organisation/abb> a ?u }"
    params = [("query", both), ("default-graph-uri", BODIES), ("default-graph-uri", ORGANISATIONS)]
    response = client.get("/sparql", params=params)
    assert response.status_code == 200
    assert response.json()["boolean"] is True
    assert ask(client, both, **{"default-graph-uri": BODIES}) is False


def test_query_dataset_default_graphs_post(client: httpx.Client) -> None:
    both = "ASK { <body/smart-region-office> a ?t . <organisation/abb> a ?u }"
    form = {"query": both, "default-graph-uri": [BODIES, ORGANISATIONS]}
    response = client.post("/sparql", data=form)
    assert response.status_code == 200, response.text
    assert response.json()["boolean"] is True


NAMED_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def test_query_dataset_named_graphs_get(client: httpx.Client) -> None:
    params = [
        ("query", NAMED_GRAPHS),
        ("named-graph-uri", BODIES),
        ("named-graph-uri", ORGANISATIONS),
    ]
    rows = json_rows(client.get("/sparql", params=params))
    assert {row["g"] for row in rows} == {BODIES, ORGANISATIONS}


def test_query_dataset_named_graphs_post(client: httpx.Client) -> None:
    params = [("named-graph-uri", BODIES), ("named-graph-uri", ORGANISATIONS)]
    response = client.post("/sparql", params=params, content=NAMED_GRAPHS, headers=SPARQL_QUERY)
    assert {row["g"] for row in json_rows(response)} == {BODIES, ORGANISATIONS}


def test_query_dataset_full(client: httpx.Client) -> None:
    """default-graph-uri and named-graph-uri together make the whole dataset."""
    query = """SELECT DISTINCT ?g ?abbType ?sroType WHERE {
        OPTIONAL { <organisation/abb> a ?abbType }
        OPTIONAL { <body/smart-region-office> a ?sroType }
        OPTIONAL { GRAPH ?g { <body/smart-region-office> a ?x } } }"""
    params = {"default-graph-uri": ORGANISATIONS, "named-graph-uri": BODIES}
    response = client.post("/sparql", params=params, content=query, headers=SPARQL_QUERY)
    rows = json_rows(response)
    assert rows and all(row["g"] == BODIES for row in rows)
    assert all("abbType" in row and "sroType" not in row for row in rows)


def test_query_multiple_dataset(client: httpx.Client) -> None:
    """The protocol's dataset overrides the query's FROM (Protocol 2.1.4)."""
    query = f"ASK FROM <{BODIES}> {{ <body/smart-region-office> a ?type }}"
    assert ask(client, query) is True
    assert ask(client, query, **{"default-graph-uri": ORGANISATIONS}) is False


def test_query_content_type_select(client: httpx.Client) -> None:
    response = client.post("/sparql", content="SELECT (1 AS ?value) {}", headers=SPARQL_QUERY)
    assert response.status_code == 200
    assert media(response) in SELECT_TYPES
    assert response.json() == {
        "head": {"vars": ["value"]},
        "results": {
            "bindings": [
                {
                    "value": {
                        "type": "literal",
                        "value": "1",
                        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                    }
                }
            ]
        },
    }


def test_query_content_type_ask(client: httpx.Client) -> None:
    response = client.post("/sparql", content="ASK {}", headers=SPARQL_QUERY)
    assert media(response) in ("application/sparql-results+json", "application/sparql-results+xml")
    assert response.json()["boolean"] is True


def test_query_content_type_describe(client: httpx.Client) -> None:
    response = client.post(
        "/sparql", content="DESCRIBE <body/smart-region-office>", headers=SPARQL_QUERY
    )
    assert response.status_code == 200
    assert media(response) in RDF_TYPES
    graph = parse_rdf(response)
    assert (SRO, RDF.type, SRG.GovernanceBody) in graph
    assert set(graph.subjects()) >= {SRO}


def test_query_content_type_construct(client: httpx.Client) -> None:
    response = client.post("/sparql", content="CONSTRUCT { <s> <p> 1 } {}", headers=SPARQL_QUERY)
    assert media(response) in RDF_TYPES
    graph = parse_rdf(response)
    assert set(graph) == {(URIRef(f"{ID}s"), URIRef(f"{ID}p"), Literal(1))}


# -- W3C protocol: updates -------------------------------------------------------------------
EX = "http://example.org/protocol/"


def graph_triples(client: httpx.Client, graph: str) -> set[tuple[str, str, str]]:
    query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    return {(r["s"], r["p"], r["o"]) for r in select(client, query)}


def test_update_post_form(updatable: httpx.Client) -> None:
    graph = f"{EX}update-post-form"
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}s> <{EX}p> "form" }} }}'
    response = updatable.post("/sparql", data={"update": update})
    assert 200 <= response.status_code < 300, response.text
    assert graph_triples(updatable, graph) == {(f"{EX}s", f"{EX}p", "form")}


def test_update_post_direct(updatable: httpx.Client) -> None:
    graph = f"{EX}update-post-direct"
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}s> <{EX}p> "direct" }} }}'
    response = updatable.post("/sparql", content=update, headers=SPARQL_UPDATE)
    assert 200 <= response.status_code < 300, response.text
    assert graph_triples(updatable, graph) == {(f"{EX}s", f"{EX}p", "direct")}


def test_update_base_uri(updatable: httpx.Client) -> None:
    """A relative IRI in an update resolves against the service's base, https://w3id.org/srg/id/."""
    graph = f"{EX}base-test"
    update = f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}s> <{EX}p> <test> }} }}"
    assert updatable.post("/sparql", content=update, headers=SPARQL_UPDATE).is_success
    assert graph_triples(updatable, graph) == {(f"{EX}s", f"{EX}p", f"{ID}test")}


FOAF_DOC = "http://xmlns.com/foaf/0.1/Document"
BIB = "http://purl.org/dc/terms/BibliographicResource"


def documents(updatable: httpx.Client, name: str) -> tuple[str, str, str]:
    """Three graphs, each holding one foaf:Document named after its graph."""
    graphs = tuple(f"{EX}{name}/data{i}" for i in (1, 2, 3))
    inserts = " ".join(f"GRAPH <{g}> {{ <{g}> a <{FOAF_DOC}> }}" for g in graphs)
    response = updatable.post(
        "/sparql", content=f"INSERT DATA {{ {inserts} }}", headers=SPARQL_UPDATE
    )
    assert response.is_success, response.text
    return graphs  # type: ignore[return-value]


def typed(updatable: httpx.Client, graph: str) -> set[tuple[str, str]]:
    return {(s, o) for s, p, o in graph_triples(updatable, graph) if p == str(RDF.type)}


def test_update_dataset_default_graph(updatable: httpx.Client) -> None:
    g1, _, _ = documents(updatable, "ddg")
    target = f"{EX}ddg/result"
    update = f"INSERT {{ GRAPH <{target}> {{ ?s a <{BIB}> }} }} WHERE {{ ?s a <{FOAF_DOC}> }}"
    response = updatable.post(
        "/sparql", params={"using-graph-uri": g1}, content=update, headers=SPARQL_UPDATE
    )
    assert response.is_success, response.text
    assert typed(updatable, target) == {(g1, BIB)}


def test_update_dataset_default_graphs(updatable: httpx.Client) -> None:
    g1, g2, _ = documents(updatable, "ddgs")
    target = f"{EX}ddgs/result"
    update = f"INSERT {{ GRAPH <{target}> {{ ?s a <{BIB}> }} }} WHERE {{ ?s a <{FOAF_DOC}> }}"
    params = [("using-graph-uri", g1), ("using-graph-uri", g2)]
    response = updatable.post("/sparql", data={"update": update}, params=params)
    assert response.is_success, response.text
    assert typed(updatable, target) == {(g1, BIB), (g2, BIB)}


def test_update_dataset_named_graphs(updatable: httpx.Client) -> None:
    g1, g2, _ = documents(updatable, "dng")
    target = f"{EX}dng/result"
    update = (
        f"INSERT {{ GRAPH <{target}> {{ ?s a <{BIB}> }} }} "
        f"WHERE {{ GRAPH ?g {{ ?s a <{FOAF_DOC}> }} }}"
    )
    params = [("using-named-graph-uri", g1), ("using-named-graph-uri", g2)]
    response = updatable.post("/sparql", params=params, content=update, headers=SPARQL_UPDATE)
    assert response.is_success, response.text
    assert typed(updatable, target) == {(g1, BIB), (g2, BIB)}


def test_update_dataset_full(updatable: httpx.Client) -> None:
    g1, g2, _ = documents(updatable, "full")
    target, named = f"{EX}full/result", f"{EX}Named"
    update = (
        f"INSERT {{ GRAPH <{target}> {{ ?s a <{BIB}> . ?n a <{named}> }} }} WHERE {{ "
        f"{{ ?s a <{FOAF_DOC}> }} UNION {{ GRAPH ?g {{ ?n a <{FOAF_DOC}> }} }} }}"
    )
    params = {"using-graph-uri": g1, "using-named-graph-uri": g2}
    response = updatable.post("/sparql", params=params, content=update, headers=SPARQL_UPDATE)
    assert response.is_success, response.text
    assert typed(updatable, target) == {(g1, BIB), (g2, named)}


# -- W3C protocol: negative cases ------------------------------------------------------------
def assert_plain_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert media(response) == "text/plain"
    assert response.text.strip()


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_bad_query_method(client: httpx.Client, method: str) -> None:
    response = client.request(method, "/sparql", params={"query": "ASK {}"})
    assert_plain_error(response, 405)
    assert "POST" in response.headers["allow"]


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/sparql", "GET, HEAD, POST, OPTIONS"),
        ("/graph-store?default", "GET, HEAD, POST, PUT, DELETE, OPTIONS"),
        ("/doc/body/smart-region-office", "GET, HEAD, OPTIONS"),
    ],
)
def test_options_names_the_methods_of_the_target(
    client: httpx.Client, path: str, allowed: str
) -> None:
    """RFC 9110 9.3.7: OPTIONS asks what the target allows (Fuseki answers it); it was a 405
    whose Allow did not list OPTIONS itself. 204 with Allow; a path no route serves is 404."""
    answer = client.options(path)
    assert answer.status_code == 204 and answer.content == b""
    assert answer.headers["allow"] == allowed
    assert client.options("/no-such-path").status_code == 404


def test_bad_multiple_queries(client: httpx.Client) -> None:
    response = client.get("/sparql", params=[("query", "ASK {}"), ("query", "SELECT * {}")])
    assert_plain_error(response, 400)
    form = b"query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D"
    response = client.post(
        "/sparql", content=form, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert_plain_error(response, 400)


def test_bad_query_wrong_media_type(client: httpx.Client) -> None:
    response = client.post("/sparql", content="ASK {}", headers={"content-type": "text/plain"})
    assert_plain_error(response, 415)


def test_bad_query_missing_form_type(client: httpx.Client) -> None:
    response = client.post("/sparql", content=b"query=ASK%20%7B%7D")
    assert "content-type" not in response.request.headers
    assert_plain_error(response, 415)


def test_bad_query_missing_direct_type(client: httpx.Client) -> None:
    response = client.post("/sparql", content=b"ASK {}")
    assert_plain_error(response, 415)


def test_bad_query_non_utf8(client: httpx.Client) -> None:
    body = "ASK {}".encode("utf-16")
    declared = {"content-type": "application/sparql-query; charset=UTF-16"}
    assert_plain_error(client.post("/sparql", content=body, headers=declared), 415)
    # the same bytes declared (by default) as UTF-8 are malformed
    assert_plain_error(client.post("/sparql", content=body, headers=SPARQL_QUERY), 400)


def test_bad_query_syntax(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "ASK {"})
    assert_plain_error(response, 400)
    assert "syntax" in response.text.lower()


def count_quads(client: httpx.Client) -> int:
    rows = select(client, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    return int(rows[0]["n"])


def test_bad_update_get(client: httpx.Client) -> None:
    before = count_quads(client)
    response = client.get("/sparql", params={"update": "CLEAR ALL"}, headers=AUTH)
    assert_plain_error(response, 400)
    assert count_quads(client) == before


def test_bad_multiple_updates(client: httpx.Client) -> None:
    before = count_quads(client)
    form = b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT"
    headers = {"content-type": "application/x-www-form-urlencoded", **AUTH}
    assert_plain_error(client.post("/sparql", content=form, headers=headers), 400)
    assert count_quads(client) == before


def test_bad_update_wrong_media_type(client: httpx.Client) -> None:
    headers = {"content-type": "text/plain", **AUTH}
    assert_plain_error(client.post("/sparql", content="CLEAR NAMED", headers=headers), 415)


def test_bad_update_missing_form_type(client: httpx.Client) -> None:
    response = client.post("/sparql", content=b"update=CLEAR%20NAMED", headers=AUTH)
    assert_plain_error(response, 415)


def test_bad_update_missing_direct_type(client: httpx.Client) -> None:
    assert_plain_error(client.post("/sparql", content=b"CLEAR NAMED", headers=AUTH), 415)


def test_bad_update_non_utf8(client: httpx.Client) -> None:
    headers = {"content-type": "application/sparql-update; charset=UTF-16", **AUTH}
    response = client.post("/sparql", content="CLEAR NAMED".encode("utf-16"), headers=headers)
    assert_plain_error(response, 415)


def test_bad_update_syntax(client: httpx.Client) -> None:
    before = count_quads(client)
    response = client.post("/sparql", data={"update": "CLEAR XYZ"}, headers=AUTH)
    assert_plain_error(response, 400)
    assert count_quads(client) == before


def test_bad_update_dataset_conflict(client: httpx.Client) -> None:
    update = (
        "WITH <http://example/addresses> DELETE { ?person <http://example/given> 'Bill' } "
        "INSERT { ?person <http://example/given> 'William' } "
        "WHERE { ?person <http://example/given> 'Bill' }"
    )
    response = client.post(
        "/sparql",
        params={"using-named-graph-uri": "http://example/people"},
        data={"update": update},
        headers=AUTH,
    )
    assert_plain_error(response, 400)


# -- result formats --------------------------------------------------------------------------
LABELS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?body ?label ?n WHERE {
  BIND(<body/smart-region-office> AS ?body)
  ?body skos:prefLabel ?label FILTER(lang(?label) = "nl")
  BIND(42 AS ?n) }"""


def labels_in(client: httpx.Client, accept: str) -> httpx.Response:
    response = client.get("/sparql", params={"query": LABELS}, headers={"accept": accept})
    assert response.status_code == 200, response.text
    assert media(response) == accept
    return response


def test_select_as_json(client: httpx.Client) -> None:
    body = labels_in(client, "application/sparql-results+json").json()
    assert body["head"]["vars"] == ["body", "label", "n"]
    [row] = body["results"]["bindings"]
    assert row["body"] == {"type": "uri", "value": str(SRO)}
    assert row["label"] == {"type": "literal", "value": "Smart Region Office", "xml:lang": "nl"}
    assert row["n"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_select_as_xml(client: httpx.Client) -> None:
    text = labels_in(client, "application/sparql-results+xml").text
    names, rows = parse_xml_results(text)
    assert names == ["body", "label", "n"]
    assert rows == [
        {
            "body": ("uri", str(SRO)),
            "label": ("literal", "Smart Region Office"),
            "n": ("literal", "42"),
        }
    ]
    literal = ET.fromstring(text).find(f".//{RESULTS_NS}binding[@name='label']/{RESULTS_NS}literal")
    assert literal is not None
    assert literal.attrib["{http://www.w3.org/XML/1998/namespace}lang"] == "nl"


def test_select_as_csv(client: httpx.Client) -> None:
    rows = list(csv.reader(io.StringIO(labels_in(client, "text/csv").text)))
    assert rows == [["body", "label", "n"], [str(SRO), "Smart Region Office", "42"]]


def test_select_as_tsv(client: httpx.Client) -> None:
    lines = labels_in(client, "text/tab-separated-values").text.splitlines()
    header, *rows = [line.split("\t") for line in lines]
    assert header == ["?body", "?label", "?n"]
    [(body, label, number)] = rows
    assert body == f"<{SRO}>"
    assert label == '"Smart Region Office"@nl'
    # SPARQL 1.1 TSV: an integer is written as a Turtle short form or in full
    assert number in ("42", '"42"^^<http://www.w3.org/2001/XMLSchema#integer>')


@pytest.mark.parametrize(
    ("accept", "read"),
    [
        ("application/sparql-results+json", lambda text: json.loads(text)["boolean"]),
        (
            "application/sparql-results+xml",
            lambda text: ET.fromstring(text).find(f"{RESULTS_NS}boolean").text == "true",
        ),
        ("text/csv", lambda text: text.split() == ["_askResult", "true"]),
        ("text/tab-separated-values", lambda text: text.split() == ["?_askResult", "true"]),
    ],
)
def test_ask_in_each_results_format(client: httpx.Client, accept: str, read) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", params={"query": TYPED_SRO}, headers={"accept": accept})
    assert response.status_code == 200
    assert media(response) == accept
    assert read(response.text) is True


SRO_GRAPH = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "CONSTRUCT { ?b a ?t ; skos:prefLabel ?l } WHERE { BIND(<body/smart-region-office> AS ?b) "
    "?b a ?t ; skos:prefLabel ?l }"
)


@pytest.mark.parametrize(
    "accept",
    [
        "text/turtle",
        "application/n-triples",
        "application/n-quads",
        "application/trig",
        "application/rdf+xml",
        "application/ld+json",
    ],
)
def test_construct_in_each_rdf_format(client: httpx.Client, accept: str) -> None:
    response = client.get("/sparql", params={"query": SRO_GRAPH}, headers={"accept": accept})
    assert response.status_code == 200, response.text
    assert media(response) == accept
    graph = parse_rdf(response)
    skos_label = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
    assert (SRO, RDF.type, SRG.GovernanceBody) in graph
    assert (SRO, skos_label, Literal("Smart Region Office", lang="nl")) in graph
    assert set(graph.subjects()) == {SRO}


@pytest.mark.parametrize("accept", sorted(RDF_TYPES))
def test_describe_in_each_rdf_format(client: httpx.Client, accept: str) -> None:
    query = "DESCRIBE <body/smart-region-office>"
    response = client.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert media(response) == accept
    assert (SRO, RDF.type, SRG.GovernanceBody) in parse_rdf(response)


# -- content negotiation ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+xml;q=0.9, text/csv", "text/csv"),
        ("application/sparql-results+xml;q=0.9, text/csv;q=0.5", "application/sparql-results+xml"),
        ("text/*", "text/csv"),
        ("text/*;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
        ("*/*;q=0.1, application/sparql-results+xml", "application/sparql-results+xml"),
        ("*/*, application/sparql-results+json;q=0", "application/sparql-results+xml"),
        (FIREFOX, "application/xml"),
    ],
)
def test_select_accept_negotiation(client: httpx.Client, accept: str | None, expected: str) -> None:
    headers = {"accept": accept} if accept is not None else {}
    response = client.get("/sparql", params={"query": "SELECT (1 AS ?x) {}"}, headers=headers)
    assert response.status_code == 200
    assert media(response) == expected
    assert "accept" in response.headers["vary"].lower()


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/turtle"),
        ("*/*", "text/turtle"),
        ("application/rdf+xml;q=0.5, application/n-triples", "application/n-triples"),
        ("application/*", "application/n-triples"),
        ("text/turtle;q=0.2, application/ld+json;q=0.8", "application/ld+json"),
    ],
)
def test_construct_accept_negotiation(
    client: httpx.Client, accept: str | None, expected: str
) -> None:
    headers = {"accept": accept} if accept is not None else {}
    response = client.get("/sparql", params={"query": SRO_GRAPH}, headers=headers)
    assert media(response) == expected
    assert (SRO, RDF.type, SRG.GovernanceBody) in parse_rdf(response)


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ("SELECT (1 AS ?x) {}", "image/png"),
        ("ASK {}", "text/turtle"),
        ("CONSTRUCT { <s> <p> 1 } {}", "application/sparql-results+json"),
        ("SELECT (1 AS ?x) {}", "application/sparql-results+json;q=0"),
    ],
)
def test_unacceptable_accept_is_406(client: httpx.Client, query: str, accept: str) -> None:
    response = client.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert_plain_error(response, 406)


def test_relative_iris_resolve_against_the_id_base(client: httpx.Client) -> None:
    assert ask(client, "ASK { <body/smart-region-office> ?p ?o }") is True
    rows = select(client, "SELECT ?x { BIND(<organisation/abb> AS ?x) }")
    assert rows == [{"x": str(ABB)}]
    # a BASE in the query still wins
    assert ask(client, "BASE <https://w3id.org/srg/> ASK { <id/body/smart-region-office> ?p ?o }")


# -- service description, CORS, health ------------------------------------------------------
@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/rdf+xml"])
def test_service_description(server: Server, client: httpx.Client, accept: str) -> None:
    response = client.get("/sparql", headers={"accept": accept})
    assert response.status_code == 200
    assert media(response) == accept
    graph = parse_rdf(response)
    endpoint = URIRef(f"{server.url}/sparql")
    services = set(graph.subjects(RDF.type, SD.Service))
    assert services, "no sd:Service"
    assert any((s, SD.endpoint, endpoint) in graph for s in services)
    named = {str(o) for o in graph.objects(None, SD.name)}
    assert BODIES in named


@pytest.mark.parametrize(
    ("accept", "syntax"),
    [("text/turtle", "TURTLE"), ("application/rdf+xml", "RDF_XML"), ("application/ld+json", "")],
)
def test_a_graph_named_with_a_fragment_leaves_the_service_description_rdf(
    updatable: httpx.Client, accept: str, syntax: str
) -> None:
    """The description named each graph's entry `<graph#sd>`: for a graph `<urn:x:g#part>` that
    is `<urn:x:g#part#sd>`, no IRI (one '#' at most), and a strict parser (pyoxigraph, Jena)
    refused the whole description. The entry is a node of its own; its sd:name is the graph."""
    graph = "urn:x:described#part"
    text = f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:s> <urn:x:p> 1 }} }}"
    assert updatable.post("/sparql", content=text, headers=SPARQL_UPDATE).status_code == 204
    answer = updatable.get("/sparql", headers={"accept": accept})
    assert answer.status_code == 200
    if syntax:  # rdflib, which parse_rdf uses, takes such an IRI; pyoxigraph does not
        pyoxigraph.parse(answer.content, format=getattr(pyoxigraph.RdfFormat, syntax))
    description = parse_rdf(answer)
    (entry,) = description.subjects(SD.name, URIRef(graph))
    assert (entry, RDF.type, SD.NamedGraph) in description
    assert all("#sd" not in str(node) for node in description.subjects(RDF.type, SD.NamedGraph))


def test_service_description_for_a_browser_is_html(client: httpx.Client) -> None:
    response = client.get("/sparql", headers={"accept": FIREFOX})
    assert response.status_code == 200
    assert media(response) == "text/html"
    assert "<html" in response.text.lower()
    assert BODIES in response.text


def test_cors_simple_get_allows_any_origin(client: httpx.Client) -> None:
    response = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"origin": "https://elsewhere.example"}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


def test_cors_preflight_for_post(client: httpx.Client) -> None:
    response = client.options(
        "/sparql",
        headers={
            "origin": "https://elsewhere.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert response.status_code in (200, 204)
    assert response.headers["access-control-allow-origin"] == "*"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in response.headers


def test_cors_lets_scripts_read_validators_and_links_and_send_conditions(
    client: httpx.Client,
) -> None:
    """A script of another origin could not read `ETag` (to revalidate) nor `Link` (the
    pages of `/changes` and the named queries), and its preflight for a conditional or
    time-travel request was refused."""
    origin = {"origin": "https://elsewhere.example"}
    answer = client.get("/changes", params={"limit": 1}, headers=origin)
    exposed = {
        h.strip().lower() for h in answer.headers["access-control-expose-headers"].split(",")
    }
    assert {"etag", "link", "location", "memento-datetime", "retry-after"} <= exposed
    assert "etag" in answer.headers and "link" in answer.headers
    asked = "if-none-match, accept-datetime, if-modified-since"
    preflight = client.options(
        "/sparql",
        headers={
            **origin,
            "access-control-request-method": "GET",
            "access-control-request-headers": asked,
        },
    )
    assert preflight.status_code == 200, preflight.text
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert all(name in allowed for name in asked.split(", "))
    assert "authorization" not in allowed


def test_health(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert media(response) == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["quads"] > 0


# -- found by a side-by-side run with oxigraph serve -------------------------------------------
def test_percent_escapes_that_are_not_utf8_are_refused(updatable: httpx.Client) -> None:
    """SPARQL 1.1 Protocol 2.1: the text is percent-encoded UTF-8. `%E9` alone (Latin-1's é)
    was read as U+FFFD and an update stored "caf\ufffd"."""
    query = updatable.get("/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%22caf%E9%22%20%7D")
    assert query.status_code == 400 and "not UTF-8" in query.text
    form = {"content-type": "application/x-www-form-urlencoded", **AUTH}
    body = b"update=INSERT%20DATA%20%7B%20%3Curn%3Ax%3Acafe%3E%20%3Curn%3Ax%3Ap%3E%20"
    body += b"%22caf%E9%22%20%7D"
    update = updatable.post("/sparql", content=body, headers=form)
    assert update.status_code == 400 and "not UTF-8" in update.text
    assert not ask(updatable, "ASK { <urn:x:cafe> ?p ?o }")


def test_dataset_parameters_without_a_query_are_refused(client: httpx.Client) -> None:
    """Not the service description: a query request that lost its query."""
    answer = client.get("/sparql", params={"default-graph-uri": BODIES})
    assert answer.status_code == 400 and "no 'query'" in answer.text


def test_conditions_on_a_post_query_follow_rfc_9110(client: httpx.Client) -> None:
    """13.1.2: a true If-None-Match on a method other than GET and HEAD is 412, not 304;
    13.1.3: If-Modified-Since is for GET and HEAD only."""
    text = "ASK { ?s ?p ?o } # conditions on a POST"
    first = client.post("/sparql", content=text, headers=SPARQL_QUERY)
    tag = first.headers["etag"]
    again = client.post("/sparql", content=text, headers={**SPARQL_QUERY, "if-none-match": tag})
    assert again.status_code == 412
    dated = {**SPARQL_QUERY, "if-modified-since": "Fri, 31 Dec 2100 00:00:00 GMT"}
    assert client.post("/sparql", content=text, headers=dated).status_code == 200
    # the same query by GET has the same answer, so the same tag: a GET revalidates it
    get = client.get("/sparql", params={"query": text}, headers={"if-none-match": tag})
    assert get.status_code == 304


def test_if_match_on_a_query_holds_only_for_its_answer(client: httpx.Client) -> None:
    """RFC 9110 13.1.1: a query (by GET or POST) whose If-Match names another tag is 412, also
    when its answer is kept in memory (the answer cache gave the 200 before)."""
    text = "ASK { ?s ?p ?o } # if-match"
    tag = client.get("/sparql", params={"query": text}).headers["etag"]
    assert client.get("/sparql", params={"query": text}).status_code == 200  # kept now
    other = {"if-match": '"other"'}
    assert client.get("/sparql", params={"query": text}, headers=other).status_code == 412
    posted = client.post("/sparql", content=text, headers={**SPARQL_QUERY, **other})
    assert posted.status_code == 412
    held = client.get("/sparql", params={"query": text}, headers={"if-match": tag})
    assert held.status_code == 200 and held.json()["boolean"] is True
    past = {"if-unmodified-since": "Sat, 01 Jan 2000 00:00:00 GMT"}
    assert client.get("/sparql", params={"query": text}, headers=past).status_code == 412


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("ASK { ?s ?p ?o } # any tag", 304),
        ("SELECT * WHERE { ?s ?p } # any tag", 400),  # a syntax error only the engine sees
    ],
)
def test_any_tag_on_a_get_query_holds_only_for_an_answer(
    client: httpx.Client, query: str, status: int
) -> None:
    """`If-None-Match: *` is false when there is a current representation (RFC 9110
    13.1.2): 304 for a query that answers; one that fails answers as without it (13.2.1)."""
    answer = client.get("/sparql", params={"query": query}, headers={"if-none-match": "*"})
    assert answer.status_code == status
    if status == 304:
        assert answer.content == b"" and answer.headers["etag"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("ASK { ?s ?p ?o } # any tag, by POST", 412),
        ("SELECT * WHERE { ?s ?p } # any tag, by POST", 400),  # only the engine sees it
    ],
)
def test_any_tag_on_a_post_query_holds_only_for_an_answer(
    client: httpx.Client, query: str, status: int
) -> None:
    """As on a GET, `If-None-Match: *` on a POST query is decided on the answer: 412 for
    one that answers (13.1.2); one that fails keeps its 400 (13.2.1), which was a 412."""
    for headers in (SPARQL_QUERY, {"content-type": "application/x-www-form-urlencoded"}):
        body = query if headers is SPARQL_QUERY else urlencode({"query": query})
        answer = client.post("/sparql", content=body, headers={**headers, "if-none-match": "*"})
        assert answer.status_code == status, answer.text
        if status == 412:
            assert answer.content == b"" and answer.headers["etag"]
        else:
            assert "syntax" in answer.text.lower()


def test_a_date_never_revalidates_an_answer_changed_within_its_second(
    updatable: httpx.Client,
) -> None:
    """Last-Modified has whole seconds: one sent in the second of a change would still hold
    after a second change in that second (a stale 304). It is sent only once that second
    has passed; clients of the same second revalidate by ETag."""
    query = "ASK { <urn:x:dated> ?p ?o }"
    stale = []
    for step in range(20):
        text = f"INSERT DATA {{ GRAPH <urn:x:dated> {{ <urn:x:dated> <urn:x:p> {step} }} }}"
        assert updatable.post("/sparql", content=text, headers=SPARQL_UPDATE).status_code == 204
        read = updatable.get("/sparql", params={"query": f"{query} # {step}"})
        modified = read.headers.get("last-modified")
        text = f"INSERT DATA {{ GRAPH <urn:x:dated> {{ <urn:x:dated> <urn:x:q> {step} }} }}"
        assert updatable.post("/sparql", content=text, headers=SPARQL_UPDATE).status_code == 204
        if modified:
            again = updatable.get(
                "/sparql",
                params={"query": f"{query} # {step}"},
                headers={"if-modified-since": modified},
            )
            stale += [step] if again.status_code == 304 else []
    assert not stale


def test_an_operation_both_in_the_url_and_in_a_form_body_is_refused(
    updatable: httpx.Client,
) -> None:
    """SPARQL 1.1 Protocol 2.1.2, 2.2.1: a form POST's operation is its body. A `query` or
    `update` in the URL as well was ignored: the body's update ran beside a URL's query (and a
    URL's update was dropped unsaid); each is 400 naming the parameter, and nothing is written."""
    graph = "urn:x:operation-in-url-and-body"
    insert = f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:s> <urn:x:p> 1 }} }}"
    ask = "ASK { ?s ?p ?o } # in the URL and in the body"
    assert updatable.get("/sparql", params={"query": ask}).status_code == 200  # kept now
    for in_url, body in (
        ({"query": ask}, {"update": insert}),
        ({"update": "CLEAR ALL"}, {"update": insert}),
        ({"query": ask}, {"query": ask}),
    ):
        answer = updatable.post("/sparql", params=in_url, data=body)
        assert answer.status_code == 400, (in_url, answer.text)
        assert f"'{next(iter(in_url))}'" in answer.text and "URL" in answer.text
    assert updatable.get("/graph-store", params={"graph": graph}).status_code == 404


def test_a_compressed_body_is_refused_with_the_coding(updatable: httpx.Client) -> None:
    """A gzip body (Content-Encoding) was read as it came: "not valid UTF-8", which says
    nothing of the coding. 415 names it, `Accept-Encoding: identity` (RFC 9110 15.5.16)."""
    graph = "urn:x:compressed-update"
    text = f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:s> <urn:x:p> 1 }} }}"
    form = {"content-type": "application/x-www-form-urlencoded"}
    for headers, body in ((SPARQL_UPDATE, text), (form, urlencode({"update": text}))):
        coded = {**headers, "content-encoding": "gzip"}
        answer = updatable.post("/sparql", content=gzip.compress(body.encode()), headers=coded)
        assert answer.status_code == 415 and "gzip" in answer.text
        assert answer.headers["accept-encoding"] == "identity"
    assert updatable.get("/graph-store", params={"graph": graph}).status_code == 404


def test_a_content_type_sent_twice_is_refused(
    updatable: httpx.Client, client: httpx.Client
) -> None:
    """Content-Type is one field (RFC 9110 5.3). Sent twice, the first was taken: an update
    labelled also as a query ran (204), though a proxy that routes writes by the type may have
    read the other and sent it to a read replica. 400, nothing written; the same for a query,
    whether or not its answer is kept."""
    graph = "urn:x:content-type-twice"
    text = f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:s> <urn:x:p> 1 }} }}"
    twice = [
        ("content-type", "application/sparql-update"),
        ("content-type", "application/sparql-query"),
    ]
    answer = updatable.post("/sparql", content=text, headers=twice)
    assert answer.status_code == 400 and "Content-Type" in answer.text
    assert updatable.get("/graph-store", params={"graph": graph}).status_code == 404
    ask = "ASK { ?s ?p ?o } # content type twice"
    assert client.post("/sparql", content=ask, headers=SPARQL_QUERY).status_code == 200  # kept
    asked = client.post("/sparql", content=ask, headers=list(reversed(twice)))
    assert asked.status_code == 400


def test_the_answer_cache_answers_no_request_the_endpoint_refuses(client: httpx.Client) -> None:
    """A kept answer is shared by GET and both POSTs of a query; a request of a shape the
    endpoint refuses is refused whether or not the answer is kept."""
    text = "ASK { ?s ?p ?o } # kept, then asked wrongly"
    assert client.get("/sparql", params={"query": text}).status_code == 200
    latin = {"content-type": "application/sparql-query; charset=iso-8859-1"}
    assert client.post("/sparql", content=text, headers=latin).status_code == 415
    form = {"content-type": "application/x-www-form-urlencoded"}
    in_url = client.post("/sparql", params={"query": text}, content=b"", headers=form)
    assert in_url.status_code == 400


@pytest.mark.skipif(REMOTE_ENGINE == "virtuoso", reason="Virtuoso 7 reads no RDF 1.2 syntax")
def test_a_triple_term_asked_for_as_json_ld_is_not_acceptable(client: httpx.Client) -> None:
    """JSON-LD cannot say an RDF 1.2 triple term: 406 with the formats that can, not a 500."""
    text = "CONSTRUCT { <urn:x:s> <urn:x:p> <<( <urn:x:a> <urn:x:b> <urn:x:c> )>> } WHERE {}"
    answer = client.get(
        "/sparql", params={"query": text}, headers={"accept": "application/ld+json"}
    )
    assert answer.status_code == 406 and "Turtle" in answer.text
    turtle = client.get("/sparql", params={"query": text}, headers={"accept": "text/turtle"})
    assert turtle.status_code == 200 and "<urn:x:a>" in turtle.text


def test_a_control_character_xml_cannot_hold_is_not_acceptable_as_xml(
    updatable: httpx.Client,
) -> None:
    """XML 1.0 cannot hold U+0001 (not even as `&#x1;`), which a literal may: the description,
    the Graph Store, a CONSTRUCT and SELECT results in XML were a 200 that no XML parser reads;
    they are 406 naming the formats that work. The write and the other formats are as before."""
    graph, subject = "urn:x:control-character", f"{ID}note/control-character"
    text = f'INSERT DATA {{ GRAPH <{graph}> {{ <{subject}> <urn:x:says> "a\\u0001b" }} }}'
    assert updatable.post("/sparql", content=text, headers=SPARQL_UPDATE).status_code == 204
    rows = f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    rdf_xml, results_xml = "application/rdf+xml", "application/sparql-results+xml"
    for path, params, accept, instead in (
        ("/doc/note/control-character", {}, rdf_xml, "Turtle"),
        ("/graph-store", {"graph": graph}, rdf_xml, "Turtle"),
        ("/sparql", {"query": construct}, rdf_xml, "Turtle"),
        ("/sparql", {"query": rows}, results_xml, "SPARQL JSON"),
    ):
        answer = updatable.get(path, params=params, headers={"accept": accept})
        assert answer.status_code == 406 and "U+0001" in answer.text, (path, answer.text)
        assert instead in answer.text
    assert select(updatable, rows) == [{"o": "a\x01b"}]
    turtle = updatable.get("/doc/note/control-character", headers={"accept": "text/turtle"})
    assert turtle.status_code == 200 and "a\x01b" in turtle.text


# -- downloads: `format` chooses, for a browser that cannot choose Accept -----------------------
WERKBANKEN = f"SELECT ?w WHERE {{ ?w a <{SRG}Werkbank> }} ORDER BY ?w"


def test_format_names_a_download_of_the_answer(client: httpx.Client) -> None:
    """The home page's download buttons, sent without script, are a form to `/sparql`: a
    browser sends `Accept: text/html,...`, which gave SPARQL XML shown as a page. `format`
    chooses the format over Accept, and the answer is a file to save."""
    construct = f"CONSTRUCT WHERE {{ ?w a <{SRG}Werkbank> }}"
    sent = {"accept": FIREFOX}
    as_csv = client.get("/sparql", params={"query": WERKBANKEN, "format": "csv"}, headers=sent)
    as_json = client.get("/sparql", params={"query": WERKBANKEN, "format": "json"}, headers=sent)
    graph = client.get("/sparql", params={"query": construct, "format": "json"}, headers=sent)
    posted = client.post("/sparql", data={"query": construct, "format": "turtle"}, headers=sent)
    assert media(as_csv) == "text/csv"
    assert as_csv.headers["content-disposition"] == 'attachment; filename="results.csv"'
    assert as_csv.text.splitlines()[0] == "w" and len(as_csv.text.splitlines()) == 5
    assert media(as_json) == "application/sparql-results+json"
    assert as_json.headers["content-disposition"] == 'attachment; filename="results.json"'
    assert len(as_json.json()["results"]["bindings"]) == 4
    assert media(graph) == "application/ld+json"  # the JSON of a graph, as the editor asks
    assert graph.headers["content-disposition"] == 'attachment; filename="results.jsonld"'
    assert len(parse_rdf(graph)) == 4
    assert media(posted) == "text/turtle" and len(parse_rdf(posted)) == 4
    plain = client.get("/sparql", params={"query": WERKBANKEN}, headers=sent)
    assert "content-disposition" not in plain.headers


@pytest.mark.parametrize(
    ("query", "chosen", "status", "said"),
    [
        (WERKBANKEN, "pdf", 400, "format 'pdf' is unknown; use one of ['csv', 'json'"),
        (f"CONSTRUCT WHERE {{ ?w a <{SRG}Werkbank> }}", "csv", 406, "use one of ['json', 'jsonld'"),
        ("ASK {}", "turtle", 406, "cannot be written as turtle; use one of ['csv', 'json'"),
    ],
)
def test_a_format_the_answer_has_not_is_refused(
    client: httpx.Client, query: str, chosen: str, status: int, said: str
) -> None:
    response = client.get("/sparql", params={"query": query, "format": chosen})
    assert_plain_error(response, status)
    assert said in response.text


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [("turtle", "text/turtle"), ("jsonld", "application/ld+json"), ("html", "text/html")],
)
def test_the_service_description_by_format(
    client: httpx.Client, chosen: str, expected: str
) -> None:
    """The page's "Turtle" link was `/sparql`, which gives a browser the page again."""
    response = client.get("/sparql", params={"format": chosen}, headers={"accept": FIREFOX})
    assert response.status_code == 200 and media(response) == expected
    if expected != "text/html":
        assert any(True for _ in parse_rdf(response).subjects(RDF.type, SD.Service))
    refused = client.get("/sparql", params={"format": "csv"})
    assert_plain_error(refused, 400)
    assert "use one of ['html', 'jsonld', 'rdfxml', 'turtle']" in refused.text


@pytest.mark.parametrize(
    ("operation", "parameter", "taken"),
    [
        ("query", "using-graph-uri", "'default-graph-uri' and 'named-graph-uri'"),
        ("query", "using-named-graph-uri", "'default-graph-uri' and 'named-graph-uri'"),
        ("update", "default-graph-uri", "'using-graph-uri' and 'using-named-graph-uri'"),
        ("update", "named-graph-uri", "'using-graph-uri' and 'using-named-graph-uri'"),
    ],
)
def test_the_other_operations_dataset_parameters_are_refused(
    updatable: httpx.Client, operation: str, parameter: str, taken: str
) -> None:
    """SPARQL 1.1 Protocol 2.1 and 2.2: a query takes default-graph-uri and named-graph-uri,
    an update using-graph-uri and using-named-graph-uri. The other operation's were ignored
    unsaid: a query asked of one graph was answered over the whole store, an update meant for
    one graph wrote where its text said. 400 naming the parameter and the ones that go with
    the operation, by GET and both POSTs; nothing is written."""
    graph = f"urn:x:other-dataset-{operation}-{parameter}"
    texts = {
        "query": f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
        "update": f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:s> <urn:x:p> 1 }} }}",
    }
    text, dataset = texts[operation], {parameter: BODIES}
    direct = SPARQL_QUERY if operation == "query" else SPARQL_UPDATE
    requests = [
        updatable.post("/sparql", params=dataset, data={operation: text}),
        updatable.post("/sparql", data={operation: text, **dataset}),
        updatable.post("/sparql", params=dataset, content=text, headers=direct),
    ]
    if operation == "query":
        requests.append(updatable.get("/sparql", params={"query": text, **dataset}))
    for answer in requests:
        assert_plain_error(answer, 400)
        assert f"'{parameter}'" in answer.text and taken in answer.text
    assert updatable.get("/graph-store", params={"graph": graph}).status_code == 404


@pytest.mark.parametrize("query", [SRO_GRAPH, "DESCRIBE <body/smart-region-office>"])
def test_a_graph_asked_for_as_plain_json_is_json_ld(client: httpx.Client, query: str) -> None:
    """A generic JSON client (`Accept: application/json`) got 406 for a CONSTRUCT or DESCRIBE,
    while `/doc` answers it JSON-LD. JSON-LD, labelled `application/ld+json` as Oxigraph's
    server does, the same bytes as asked for by its own type, its ETag good for a condition;
    a SELECT asked the same way is still SPARQL JSON results."""
    plain = client.get("/sparql", params={"query": query}, headers={"accept": "application/json"})
    assert plain.status_code == 200, plain.text
    assert media(plain) == "application/ld+json"
    assert (SRO, RDF.type, SRG.GovernanceBody) in parse_rdf(plain)
    own = client.get("/sparql", params={"query": query}, headers={"accept": "application/ld+json"})
    assert plain.content == own.content
    tag = {"accept": "application/json", "if-none-match": plain.headers["etag"]}
    assert client.get("/sparql", params={"query": query}, headers=tag).status_code == 304
    rows = client.get(
        "/sparql", params={"query": "SELECT (1 AS ?x) {}"}, headers={"accept": "application/json"}
    )
    assert media(rows) == "application/json" and rows.json()["results"]["bindings"]


# -- a form's %-escapes, decoded by the codec of Python's string escapes -----------------------
@pytest.mark.parametrize(
    ("body", "value"),
    [
        # encoded backslashes: the SPARQL literal "a\\x41" is a\x41
        (b"query=SELECT%20%3Fv%20%7B%20BIND(%22a%5C%5Cx41%22%20AS%20%3Fv)%20%7D", "a\\x41"),
        # raw backslashes beside escapes, and a raw plus
        (b'query=SELECT ?v { BIND("a\\\\x41%20%C3%A9+%2B" AS ?v) }', "a\\x41 \u00e9 +"),
        # a % that is no escape is kept as it is, the escapes beside it decoded
        (b'query=SELECT ?v { BIND("50%zz%25 \\\\x41" AS ?v) }', "50%zz% \\x41"),
    ],
)
def test_form_escapes_are_decoded_as_parse_qsl_decodes_them(
    client: httpx.Client, body: bytes, value: str
) -> None:
    form = {"content-type": "application/x-www-form-urlencoded"}
    answer = client.post("/sparql", content=body, headers=form)
    assert answer.status_code == 200, answer.text
    assert [b["v"]["value"] for b in answer.json()["results"]["bindings"]] == [value]


def test_form_fields_are_those_of_parse_qsl() -> None:
    """Every query of the repository and texts of the edge cases: a backslash, a % of no
    escape, a field without a value, empty fields, escapes of UTF-8 and of a plus."""
    texts = [path.read_text() for path in Path(__file__).parent.parent.rglob("*.rq")]
    bodies = [urlencode({"query": text, "default-graph-uri": "urn:x:g"}) for text in texts]
    bodies += ["a=\\x41%41\\", "%zz=%4", "b=%%41&&c&d=", "e=%C3%A9+%2B%5C%5Cx", "&", ""]
    for body in bodies:
        want = parse_qsl(body, keep_blank_values=True, errors="strict")
        assert form_fields(body.encode()) == want, body
