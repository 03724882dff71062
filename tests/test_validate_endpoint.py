"""`/validate`: the report of the current graph (GET) and of submitted data (POST, read-only)."""

from __future__ import annotations

import gzip
import html
from pathlib import Path

import pytest
from rdflib import RDF, SH, Graph, Literal, URIRef

FIXTURES = Path(__file__).resolve().parent / "fixtures"
VLOCA = "https://w3id.org/srg/id/werkbank/vloca"
LEAD = "https://w3id.org/srg/ns#lead"
SUBMITTED = "https://w3id.org/srg/graph/submitted"
CONFORMING = b"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/srg/id/werkbank/vloca> skos:note "Een opmerking."@nl, "A remark."@en .
"""


def triples(client) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    answer = client.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def submitted_graph_exists(client) -> bool:
    query = f"ASK {{ GRAPH <{SUBMITTED}> {{ ?s ?p ?o }} }}"
    answer = client.post(
        "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    return answer.json()["boolean"]


@pytest.fixture(scope="module")
def current(server) -> dict:
    with server.client() as client:
        answer = client.get("/validate", headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    return answer.json()


def test_get_json_is_the_report_of_the_seed(current):
    assert current["conforms"] is True and current["violations"] == 0
    warnings = [r for r in current["results"] if r["severity"] == "Warning"]
    assert current["warnings"] == len(warnings) > 0
    assert current["infos"] == len(current["results"]) - len(warnings) > 0
    assert {r["severity"] for r in current["results"]} == {"Warning", "Info"}


def test_the_open_point_report_lists_every_open_point_in_both_languages(server, current):
    """Info: one result per open point still open, named by its labels in Dutch and English."""
    query = "PREFIX srg: <https://w3id.org/srg/ns#> SELECT ?point WHERE { ?point a srg:OpenPoint }"
    with server.client() as client:
        rows = client.post(
            "/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
        ).json()["results"]["bindings"]
        pages = {
            lang: html.unescape(
                client.get(f"/validate?lang={lang}", headers={"Accept": "text/html"}).text
            )
            for lang in ("nl", "en")
        }
    points = sorted({row["point"]["value"] for row in rows})
    info = [r for r in current["results"] if r["severity"] == "Info"]
    assert sorted(r["focusNode"] for r in info) == points and len(points) >= 32
    for result in info:
        assert result["shape"] == "https://w3id.org/srg/shapes#OpenPointStillOpen"
        for lang, page in pages.items():
            assert result["focusLabel"][lang] and result["message"][lang]
            assert result["focusLabel"][lang] in page and result["shapeLabel"][lang] in page


def test_get_turtle_is_a_standard_validation_report(server, current):
    with server.client() as client:
        answer = client.get("/validate", headers={"Accept": "text/turtle"})
    assert answer.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=answer.text, format="turtle")
    report = graph.value(None, RDF.type, SH.ValidationReport)
    assert report is not None
    assert graph.value(report, SH.conforms) == Literal(True)
    assert len(list(graph.objects(report, SH.result))) == len(current["results"])


def test_get_html_groups_by_rule_in_the_page_language(server, current):
    with server.client() as client:
        dutch = client.get("/validate?lang=nl", headers={"Accept": "text/html"})
        english = client.get("/validate", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert dutch.headers["content-type"].startswith("text/html")
    assert '<html lang="nl">' in dutch.text and '<html lang="en">' in english.text
    assert "content-security-policy" in dutch.headers
    assert "Waarschuwing" in dutch.text and "Warning" in english.text
    shapes = {r["shape"] for r in current["results"]}
    assert dutch.text.count('<section class="rule ') == len(shapes)
    for result in current["results"]:
        focus = result["focusNode"]
        if focus.startswith("https://w3id.org/srg/id/"):
            assert f'href="/doc/{focus.removeprefix("https://w3id.org/srg/id/")}"' in dutch.text
        assert result["shapeLabel"]["nl"] in dutch.text


def test_get_revalidates(server):
    with server.client() as client:
        first = client.get("/validate", headers={"Accept": "application/json"})
        again = client.get(
            "/validate",
            headers={"Accept": "application/json", "If-None-Match": first.headers["etag"]},
        )
    assert again.status_code == 304


def test_post_conforming_data(server):
    with server.client() as client:
        before = triples(client)
        answer = client.post(
            "/validate", content=CONFORMING, headers={"Content-Type": "text/turtle"}
        )
        after = triples(client)
        exists = submitted_graph_exists(client)
    assert answer.status_code == 200, answer.text
    assert answer.json()["conforms"] is True
    assert before == after and not exists


def test_post_second_lead_violates_on_the_werkbank_and_changes_nothing(server):
    body = (FIXTURES / "bad" / "second-lead.ttl").read_bytes()
    with server.client() as client:
        before = triples(client)
        answer = client.post("/validate", content=body, headers={"Content-Type": "text/turtle"})
        turtle = client.post(
            "/validate",
            content=body,
            headers={"Content-Type": "text/turtle", "Accept": "text/turtle"},
        )
        after = triples(client)
        exists = submitted_graph_exists(client)
        lead = client.post(
            "/sparql",
            data={"query": f"SELECT ?lead WHERE {{ <{VLOCA}> <{LEAD}> ?lead }}"},
            headers={"Accept": "application/sparql-results+json"},
        ).json()["results"]["bindings"]
    assert answer.status_code == 200
    report = answer.json()
    assert report["conforms"] is False and report["violations"] >= 1
    violations = [r for r in report["results"] if r["severity"] == "Violation"]
    assert VLOCA in {r["focusNode"] for r in violations}
    graph = Graph().parse(data=turtle.text, format="turtle")
    node = graph.value(None, RDF.type, SH.ValidationReport)
    assert graph.value(node, SH.conforms) == Literal(False)
    assert (None, SH.focusNode, URIRef(VLOCA)) in graph
    assert before == after and not exists
    assert len(lead) == 1  # the seed's one lead, nothing added


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (
            "application/n-triples",
            b"<https://w3id.org/srg/id/werkbank/vloca> <https://w3id.org/srg/ns#lead> "
            b"<https://w3id.org/srg/id/organisation/vlaio> .\n",
        ),
        (
            "application/ld+json",
            b'{"@id": "https://w3id.org/srg/id/werkbank/vloca", '
            b'"https://w3id.org/srg/ns#lead": {"@id": "https://w3id.org/srg/id/organisation/vlaio"}}',
        ),
        (
            "application/rdf+xml",
            b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            b' xmlns:srg="https://w3id.org/srg/ns#"><rdf:Description '
            b'rdf:about="https://w3id.org/srg/id/werkbank/vloca"><srg:lead rdf:resource='
            b'"https://w3id.org/srg/id/organisation/vlaio"/></rdf:Description></rdf:RDF>',
        ),
    ],
)
def test_post_in_every_rdf_syntax(server, content_type, body):
    with server.client() as client:
        answer = client.post("/validate", content=body, headers={"Content-Type": content_type})
    assert answer.status_code == 200, answer.text
    assert answer.json()["conforms"] is False


def test_bad_bodies(server):
    broken = (FIXTURES / "bad" / "broken-syntax.ttl").read_bytes()
    with server.client() as client:
        syntax = client.post("/validate", content=broken, headers={"Content-Type": "text/turtle"})
        html = {"Content-Type": "text/html"}
        unsupported = client.post("/validate", content=b"<p>", headers=html)
        missing = client.post("/validate", content=CONFORMING)
        empty = client.post("/validate", content=b"", headers={"Content-Type": "text/turtle"})
        too_big = client.post(
            "/validate",
            content=b"#" * (10_485_760 + 1),
            headers={"Content-Type": "text/turtle"},
        )
    assert syntax.status_code == 400 and "parse" in syntax.text
    assert unsupported.status_code == 415 and missing.status_code == 415
    assert empty.status_code == 400
    assert too_big.status_code == 413


def test_a_body_in_another_charset_or_coding_is_refused(server):
    """The parsers read UTF-8 only: a body declared Latin-1 was read as UTF-8 all the same (a
    report on other text than was sent), a gzip body gave a parser's error; both are 415."""
    latin = {"Content-Type": "text/turtle; charset=ISO-8859-1"}
    zipped = {"Content-Type": "text/turtle", "Content-Encoding": "gzip"}
    with server.client() as client:
        declared = client.post("/validate", content=CONFORMING, headers=latin)
        coded = client.post("/validate", content=gzip.compress(CONFORMING), headers=zipped)
    assert declared.status_code == 415 and "UTF-8" in declared.text
    assert coded.status_code == 415 and coded.headers["accept-encoding"] == "identity"
