"""The named queries as a web API: listing, typed parameters, formats, paging, OpenAPI."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import httpx
import pytest
from conftest import ROOT
from server import run_srg

from srg_graph.sparql import named as queries

ID = "https://w3id.org/srg/id/"
REGISTRY = queries.registry(ROOT / "queries")
STUURGROEP = f"{ID}body/ambtelijke-stuurgroep"
LINK = re.compile(r'<([^>]+)>; rel="(\w+)"')


def test_listing_has_every_query_with_its_parameters(client: httpx.Client) -> None:
    listing = client.get("/api/queries").json()
    assert {q["name"] for q in listing} == set(REGISTRY)
    members = next(q for q in listing if q["name"] == "body-members")
    (body,) = [p for p in members["parameters"] if p["name"] == "body"]
    assert body["type"] == "iri" and body["required"] is True
    assert members["title"]["nl"] and members["title"]["en"]
    assert members["example"].startswith("/api/queries/body-members?body=")


def test_listing_as_a_page(client: httpx.Client) -> None:
    page = client.get("/api/queries", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    for name in REGISTRY:
        assert f"><code>{name}</code></a>" in page.text


def test_listing_in_a_format_it_has_not_is_not_acceptable(client: httpx.Client) -> None:
    """An Accept the listing cannot answer (only JSON and a page) was a 500 and a reset
    connection; it is 406 naming the formats it has."""
    answer = client.get("/api/queries", headers={"Accept": "text/turtle"})
    assert answer.status_code == 406
    assert "application/json" in answer.text and "text/html" in answer.text
    assert client.head("/api/queries", headers={"Accept": "text/turtle"}).status_code == 406


@pytest.mark.parametrize(("name", "values"), [("limit", ["1", "2"]), ("format", ["csv", "json"])])
def test_a_paging_or_format_parameter_given_twice_is_refused(
    client: httpx.Client, name: str, values: list[str]
) -> None:
    """A query's own parameters given twice were refused; `limit`, `offset` and `format`
    took the last value unsaid. 400 naming the parameter."""
    answer = client.get("/api/queries/open-points", params={name: values})
    assert answer.status_code == 400 and f"2 '{name}' parameters" in answer.text


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_example_url_answers(client: httpx.Client, name: str) -> None:
    listed = next(q for q in client.get("/api/queries").json() if q["name"] == name)
    response = client.get(listed["example"])
    assert response.status_code == 200, response.text
    assert response.headers["etag"]


def test_body_members_as_rows_csv_and_sparql_json(client: httpx.Client) -> None:
    params = {"body": STUURGROEP}
    rows = client.get("/api/queries/body-members", params=params).json()
    members = {r["member"] for r in rows}
    expected = {f"{ID}organisation/{o}" for o in ("abb", "vlaio", "aiv", "vvsg", "kcvs")}
    assert expected <= members
    table = client.get("/api/queries/body-members", params={**params, "format": "csv"})
    assert table.headers["content-type"].startswith("text/csv")
    assert {r["member"] for r in csv.DictReader(io.StringIO(table.text))} == members
    sparql = client.get(
        "/api/queries/body-members",
        params=params,
        headers={"Accept": "application/sparql-results+json"},
    ).json()
    assert len(sparql["results"]["bindings"]) == len(rows)
    tsv_type = {"Accept": "text/tab-separated-values"}
    tsv = client.get("/api/queries/body-members", params=params, headers=tsv_type)
    assert tsv.text.startswith("?")
    xml = client.get("/api/queries/body-members", params={**params, "format": "xml"})
    assert "<sparql" in xml.text


def test_construct_query_as_turtle_and_json_ld(client: httpx.Client) -> None:
    turtle = client.get("/api/queries/org-chart")
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert "reportsTo" in turtle.text
    jsonld = client.get("/api/queries/org-chart", params={"format": "jsonld"})
    assert isinstance(json.loads(jsonld.text), list | dict)


def test_a_construct_query_answers_a_json_client_with_json_ld(client: httpx.Client) -> None:
    """`Accept: application/json` on a CONSTRUCT query was 406, where `/sparql`, the Graph
    Store and `/doc` answer such a client with JSON-LD (the README's Graph Store row)."""
    asked = client.get("/api/queries/org-chart", headers={"Accept": "application/json"})
    assert asked.status_code == 200, asked.text
    assert asked.headers["content-type"].startswith("application/ld+json")
    by_format = client.get("/api/queries/org-chart", params={"format": "jsonld"})
    assert json.loads(asked.text) == json.loads(by_format.text)
    rows = client.get("/api/queries/goals", headers={"Accept": "application/json"})
    assert rows.headers["content-type"].startswith("application/json")  # a SELECT's rows
    assert isinstance(rows.json(), list)


def test_paging_with_link_headers(client: httpx.Client) -> None:
    everything = client.get("/api/queries/open-points").json()
    first = client.get("/api/queries/open-points", params={"limit": 5})
    second = client.get("/api/queries/open-points", params={"limit": 5, "offset": 5})
    assert first.json() == everything[:5] and second.json() == everything[5:10]
    assert 'rel="next"' in first.headers["link"] and 'rel="prev"' not in first.headers["link"]
    assert 'rel="prev"' in second.headers["link"]
    near_end = {"limit": 5, "offset": len(everything) - 2}
    last = client.get("/api/queries/open-points", params=near_end)
    assert len(last.json()) == 2 and 'rel="next"' not in last.headers["link"]
    next_url = re.search(r'<([^>]+)>; rel="next"', first.headers["link"]).group(1)
    assert client.get(next_url).json() == second.json()
    # a page of none is no step: its next and previous were itself (a client looped)
    none = client.get("/api/queries/open-points", params={"limit": 0, "offset": 5})
    assert none.json() == [] and 'rel="next"' not in none.headers["link"]
    assert 'rel="prev"' not in none.headers["link"]


def test_paging_links_only_to_pages_with_rows(client: httpx.Client) -> None:
    """A page past the end linked back to `offset - limit`, past the end too: an empty page.
    Every `prev` and `next` now leads to rows; past the end only `first` is given."""
    everything = client.get("/api/queries/open-points").json()
    total = len(everything)
    offsets = (0, 3, total - 2, total - 1, total, total + 1, total + 4, total + 40)
    pages = {
        o: client.get("/api/queries/open-points", params={"limit": 5, "offset": o}) for o in offsets
    }
    found = {o: dict((r, u) for u, r in LINK.findall(p.headers["link"])) for o, p in pages.items()}
    for offset, links in found.items():
        assert pages[offset].json() == everything[offset : offset + 5] and "first" in links
        for rel in ("prev", "next"):
            if rel in links:
                assert client.get(links[rel]).json(), (offset, rel, links[rel])
    assert {o for o, links in found.items() if "prev" in links} == {3, total - 2, total - 1}
    assert {o for o, links in found.items() if "next" in links} == {
        o for o in offsets if o + 5 < total
    }
    graph = client.get("/api/queries/org-chart", params={"limit": 5, "offset": 5})
    assert 'rel="prev"' not in graph.headers["link"]  # a graph is not paged: no neighbours


def test_one_request_spelt_two_ways_has_one_etag(client: httpx.Client) -> None:
    """The answer cache takes `?graph=https://…` and `?graph=https%3A%2F%2F…` (or parameters in
    another order) for one request; so does the ETag, else a kept answer carried the tag of
    the other spelling, and a condition with it (which goes past the cache) never held."""
    tag = client.get("/api/queries/open-points?limit=3&offset=1").headers["etag"]
    again = client.get(
        "/api/queries/open-points?offset=1&limit=%33", headers={"if-none-match": tag}
    )
    assert again.status_code == 304
    graph = "https://w3id.org/srg/graph/bodies"
    turtle = {"accept": "text/turtle"}
    tag = client.get(f"/graph-store?graph={graph}", headers=turtle).headers["etag"]
    encoded = graph.replace(":", "%3A").replace("/", "%2F")
    again = client.get(f"/graph-store?graph={encoded}", headers={**turtle, "if-none-match": tag})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("name", "params", "status", "words"),
    [
        ("body-members", {}, 400, "parameter 'body'"),
        ("body-members", {"body": "not an iri"}, 400, "parameter 'body'"),
        ("body-members", {"body": f"{ID}organisation/abb"}, 400, "of type"),
        ("body-members", {"body": STUURGROEP, "nonsense": "1"}, 400, "parameter 'nonsense'"),
        ("body-members", {"body": STUURGROEP, "format": "pdf"}, 400, "'format'"),
        ("body-members", {"body": STUURGROEP, "limit": "-1"}, 400, "'limit'"),
        ("body-members", {"body": STUURGROEP, "offset": "\u00b2"}, 400, "'offset'"),
        ("budgets", {"during": "2026-02-30"}, 400, "parameter 'during'"),
        ("memberships", {"min": "two"}, 400, "parameter 'min'"),
        ("no-such-query", {}, 404, "no named query"),
    ],
)
def test_bad_parameters_are_refused_with_the_name(
    client: httpx.Client, name: str, params: dict[str, str], status: int, words: str
) -> None:
    response = client.get(f"/api/queries/{name}", params=params)
    assert response.status_code == status
    assert words in response.text


@pytest.mark.parametrize(
    "text", ['"} ; DROP ALL ; {', "\\u0022) } DELETE WHERE { ?s ?p ?o } #", "<http://x>", "x' } #"]
)
def test_injection_in_a_string_is_just_text(client: httpx.Client, text: str) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = client.get("/sparql", params={"query": count}, headers={"Accept": "text/csv"}).text
    response = client.get("/api/queries/search", params={"text": text})
    assert response.status_code == 200 and response.json() == []
    after = client.get("/sparql", params={"query": count}, headers={"Accept": "text/csv"}).text
    assert before == after


def test_injection_in_an_iri_is_refused(client: httpx.Client) -> None:
    response = client.get(
        "/api/queries/body-members", params={"body": STUURGROEP + "> } ; DROP ALL ; <x"}
    )
    assert response.status_code == 400


def test_not_modified(client: httpx.Client) -> None:
    first = client.get("/api/queries/open-points")
    again = client.get("/api/queries/open-points", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_openapi_lists_every_query_as_an_operation(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    for name, query in REGISTRY.items():
        operation = spec["paths"][f"/api/queries/{name}"]["get"]
        assert operation["operationId"] == "query_" + name.replace("-", "_")
        declared = {p["name"]: p for p in operation["parameters"]}
        for parameter in query.parameters:
            assert parameter.name in declared
            schema = declared[parameter.name]["schema"]
            if parameter.type == "enum":
                assert schema["enum"] == list(parameter.values)
        assert {"format", "limit", "offset"} <= set(declared)
        assert operation["responses"]["200"]["content"]
    assert client.get("/docs").status_code == 200


def test_cli_runs_a_named_query_with_parameters(tmp_path: Path) -> None:
    store = tmp_path / "store"
    parameter = f"body={STUURGROEP}"
    run = run_srg("query", "body-members", "--param", parameter, "--format", "csv", store=store)
    assert run.returncode == 0, run.stderr
    assert f"{ID}organisation/kcvs" in run.stdout
    bad = run_srg("query", "body-members", "--param", "body=nope", store=store)
    assert bad.returncode == 2 and "parameter 'body'" in bad.stderr


def test_query_results_carry_last_modified(client: httpx.Client) -> None:
    query = {"query": "ASK { ?s ?p ?o }"}
    first = client.get("/sparql", params=query)
    modified = first.headers["last-modified"]
    again = client.get("/sparql", params=query, headers={"If-Modified-Since": modified})
    assert again.status_code == 304
    named = client.get("/api/queries/open-points")
    assert named.headers["last-modified"] == modified
