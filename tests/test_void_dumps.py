"""`/void` and `/dumps/...` over HTTP: the description matches the store and the files."""

from __future__ import annotations

import gzip
import hashlib
from urllib.parse import urlparse

import httpx
import pytest
from conftest import TOKEN
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, VOID, XSD

from srg_graph.store.history_graph import HISTORY

SRG = Namespace("https://w3id.org/srg/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
DATASET = URIRef("https://w3id.org/srg/id/dataset/smart-region-governance")
GZIP = URIRef("http://www.iana.org/assignments/media-types/application/gzip")
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
DUMPS = {
    "dataset.nq.gz": ("nquads", "application/n-quads"),
    "dataset.trig.gz": ("trig", "application/trig"),
    "dataset.ttl.gz": ("turtle", "text/turtle"),
}
BODIES = [
    "politiek-begeleidingscomite",
    "ambtelijke-stuurgroep",
    "smart-region-office",
    "klankbordgroep",
    "werkbankoverleg",
]
AUTH = {"authorization": f"Bearer {TOKEN}"}


def void(client: httpx.Client, accept: str = "text/turtle") -> Graph:
    answer = client.get("/void", headers={"accept": accept})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].split(";")[0] == accept
    return Graph().parse(data=answer.content, format=RDF_TYPES[accept])


def number(graph: Graph, subject: object, prop: URIRef) -> int:
    value = graph.value(subject, prop)
    assert value is not None, f"no {prop}"
    return int(value)


def select(client: httpx.Client, query: str) -> list[dict]:
    answer = client.get(
        "/sparql", params={"query": query}, headers={"accept": "application/sparql-results+json"}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]["bindings"]


def count(client: httpx.Client, query: str) -> int:
    return int(select(client, query)[0]["n"]["value"])


def term(binding: dict) -> object:
    if binding["type"] == "uri":
        return URIRef(binding["value"])
    if binding["type"] == "bnode":
        return BNode(binding["value"])
    if "xml:lang" in binding:
        return Literal(binding["value"], lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    if datatype in (None, str(XSD.string)):
        return Literal(binding["value"])
    return Literal(binding["value"], datatype=URIRef(datatype))


def ground(rows: set[tuple]) -> set[tuple]:
    return {row for row in rows if not any(isinstance(t, BNode) for t in row)}


@pytest.mark.parametrize("accept", list(RDF_TYPES))
def test_void_parses_in_every_format(client, accept):
    graph = void(client, accept)
    assert (DATASET, RDF.type, VOID.Dataset) in graph
    assert (DATASET, RDF.type, DCAT.Dataset) in graph
    assert (DATASET, DCTERMS.title, Literal("Smart Region Governance graph", lang="en")) in graph
    assert (DATASET, DCTERMS.title, Literal("Smart Region Governance-graaf", lang="nl")) in graph
    assert {d.language for d in graph.objects(DATASET, DCTERMS.description)} == {"nl", "en"}
    assert number(graph, DATASET, VOID.triples) > 1000
    assert len(list(graph.objects(DATASET, VOID.classPartition))) > 10


def test_void_defaults_to_turtle_and_serves_html_to_browsers(client):
    assert (
        client.get("/void", headers={"accept": "*/*"})
        .headers["content-type"]
        .startswith("text/turtle")
    )
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = client.get("/void", params={"lang": "en"}, headers={"accept": browser})
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in page.text and "/dumps/dataset.nq.gz" in page.text
    for extension, media in [("ttl", "text/turtle"), ("jsonld", "application/ld+json")]:
        answer = client.get(f"/void.{extension}")
        assert answer.headers["content-type"].split(";")[0] == media


def test_statistics_equal_counts_over_the_endpoint(client):
    graph = void(client)
    assert number(graph, DATASET, VOID.triples) == count(
        client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    )
    assert number(graph, DATASET, VOID.distinctSubjects) == count(
        client, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }"
    )
    assert number(graph, DATASET, VOID.distinctObjects) == count(
        client, "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }"
    )
    assert number(graph, DATASET, VOID.properties) == count(
        client, "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }"
    )
    assert number(graph, DATASET, VOID.classes) == count(
        client, "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?s a ?c }"
    )
    assert (
        0 < number(graph, DATASET, VOID.entities) <= number(graph, DATASET, VOID.distinctSubjects)
    )


def test_partitions_and_subsets(client):
    graph = void(client)
    classes = {
        graph.value(p, VOID["class"]): int(graph.value(p, VOID.entities))
        for p in graph.objects(DATASET, VOID.classPartition)
    }
    assert classes[SRG.GovernanceBody] == 5
    assert classes[SRG.Werkbank] == count(
        client, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s a <https://w3id.org/srg/ns#Werkbank> }"
    )
    assert len(classes) == number(graph, DATASET, VOID.classes)
    properties = {
        graph.value(p, VOID.property): int(graph.value(p, VOID.triples))
        for p in graph.objects(DATASET, VOID.propertyPartition)
    }
    assert sum(properties.values()) == number(graph, DATASET, VOID.triples)
    assert properties[RDF.type] == count(client, "SELECT (COUNT(*) AS ?n) { ?s a ?o }")
    subsets = {
        graph.value(s, SD.name): int(graph.value(s, VOID.triples))
        for s in graph.objects(DATASET, VOID.subset)
    }
    rows = select(client, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert subsets == {URIRef(r["g"]["value"]): int(r["n"]["value"]) for r in rows}
    assert URIRef("https://w3id.org/srg/graph/ontology") in subsets


def test_endpoint_examples_licence_and_vocabulary(client, server):
    graph = void(client)
    assert graph.value(DATASET, VOID.sparqlEndpoint) == URIRef(f"{server.url}/sparql")
    assert graph.value(DATASET, VOID.uriSpace) == Literal("https://w3id.org/srg/id/")
    examples = set(graph.objects(DATASET, VOID.exampleResource))
    assert examples == {URIRef(f"https://w3id.org/srg/id/body/{b}") for b in BODIES}
    cc0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
    assert graph.value(DATASET, DCTERMS.license) == cc0
    assert graph.value(DATASET, DCTERMS.publisher) is not None
    assert URIRef("https://w3id.org/srg/ns") in set(graph.objects(DATASET, VOID.vocabulary))
    for example in examples:  # each example really is in the data
        assert (
            client.get(
                "/sparql",
                params={"query": f"ASK {{ <{example}> a ?c }}"},
                headers={"accept": "text/csv"},
            )
            .text.strip()
            .endswith("true")
        )


def download(client: httpx.Client, name: str) -> bytes:
    answer = client.get(f"/dumps/{name}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/gzip"
    assert "content-encoding" not in answer.headers
    assert f'filename="{name}"' in answer.headers["content-disposition"]
    return answer.content


def test_distributions_describe_the_downloaded_bytes(client):
    graph = void(client)
    distributions = list(graph.objects(DATASET, DCAT.distribution))
    files = [d for d in distributions if graph.value(d, DCAT.downloadURL) is not None]
    assert len(files) == len(DUMPS)
    for distribution in files:
        url = str(graph.value(distribution, DCAT.downloadURL))
        name = urlparse(url).path.rsplit("/", 1)[-1]
        body = download(client, name)
        assert int(graph.value(distribution, DCAT.byteSize)) == len(body)
        checksum = graph.value(distribution, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        assert graph.value(distribution, DCAT.compressFormat) == GZIP
        media = str(graph.value(distribution, DCAT.mediaType)).rsplit("media-types/", 1)[-1]
        assert media == DUMPS[name][1]
        assert (DATASET, VOID.dataDump, URIRef(url)) in graph


def store_quads(client: httpx.Client) -> set[tuple]:
    rows = select(client, "SELECT * { GRAPH ?g { ?s ?p ?o } }")
    return {(term(r["s"]), term(r["p"]), term(r["o"]), term(r["g"])) for r in rows}


@pytest.mark.parametrize("name", ["dataset.nq.gz", "dataset.trig.gz"])
def test_quad_dumps_equal_the_store(client, name):
    parsed = Dataset()
    parsed.parse(data=gzip.decompress(download(client, name)), format=DUMPS[name][0])
    quads = {(s, p, o, g) for s, p, o, g in parsed.quads() if g is not None}
    expected = store_quads(client)
    assert len(quads) == len(expected)
    assert ground(quads) == ground(expected)


def test_turtle_dump_equals_the_union(client):
    graph = Graph().parse(data=gzip.decompress(download(client, "dataset.ttl.gz")), format="turtle")
    rows = select(client, "SELECT DISTINCT ?s ?p ?o { ?s ?p ?o }")
    expected = {(term(r["s"]), term(r["p"]), term(r["o"])) for r in rows}
    assert len(graph) == len(expected)
    assert ground(set(graph)) == ground(expected)


@pytest.mark.parametrize("path", ["/void", "/dumps/dataset.nq.gz", "/dumps/dataset.ttl.gz"])
def test_conditional_requests(client, path):
    first = client.get(path)
    assert first.headers["etag"] and first.headers["last-modified"]
    again = client.get(path, headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    head = client.head(path)
    assert head.status_code == 200 and head.headers["etag"] == first.headers["etag"]


def test_unknown_dump_is_404(client):
    assert client.get("/dumps/dataset.csv.gz").status_code == 404


def test_service_description_links_the_void(client, server):
    answer = client.get("/sparql", headers={"accept": "text/turtle"})
    graph = Graph().parse(data=answer.content, format="turtle")
    assert (URIRef(f"{server.url}/sparql"), RDFS.seeAlso, URIRef(f"{server.url}/void")) in graph


def history_size(described: Graph) -> int:
    """The statements of the history graph, as the VoID subset of that graph counts them."""
    subsets = {
        described.value(s, SD.name): described.value(s, VOID.triples)
        for s in described.objects(DATASET, VOID.subset)
    }
    return int(subsets.get(URIRef(HISTORY), 0))


def test_a_write_changes_the_dumps_and_the_void(writable):
    with writable.client() as http:
        before = void(http)
        void_tag = http.get("/void").headers["etag"]
        dump_tag = http.get("/dumps/dataset.nq.gz").headers["etag"]
        graph = "https://w3id.org/srg/graph/test-extra"
        thing = "https://w3id.org/srg/id/test/extra"
        body = f'<{thing}> <{RDFS.label}> "Extra"@nl , "Extra"@en .'
        put = http.put(
            "/graph-store",
            params={"graph": graph},
            content=body,
            headers={**AUTH, "content-type": "text/turtle"},
        )
        assert put.status_code == 201, put.text
        after = void(http)
        # the two statements, and the history graph's description of the change that added them
        described = history_size(after) - history_size(before)
        assert described > 0
        assert number(after, DATASET, VOID.triples) == (
            number(before, DATASET, VOID.triples) + 2 + described
        )
        assert http.get("/void").headers["etag"] != void_tag
        stale = http.get("/void", headers={"if-none-match": void_tag})
        assert stale.status_code == 200
        subsets = {
            after.value(s, SD.name): after.value(s, VOID.triples)
            for s in after.objects(DATASET, VOID.subset)
        }
        assert int(subsets[URIRef(graph)]) == 2
        answer = http.get("/dumps/dataset.nq.gz")
        assert answer.headers["etag"] != dump_tag
        parsed = Dataset()
        parsed.parse(data=gzip.decompress(answer.content), format="nquads")
        label = (URIRef(thing), RDFS.label, Literal("Extra", lang="en"), URIRef(graph))
        assert label in set(parsed.quads())
        assert ground(store_quads(http)) == ground(set(parsed.quads()))
