"""The OpenAPI description: it validates, every operation has an id of its own, the protocol
endpoints say what they take and answer, and a client generated from it (openapi-python-
client, offline) runs a SPARQL query, a named query and a dry-run mapping import against a
real `srg serve`."""

from __future__ import annotations

import importlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from conftest import ROOT, TOKEN, running_server
from openapi_spec_validator import validate
from server import Server

from srg_graph.config import Settings
from srg_graph.validation.report import Report

FILES = Path(__file__).resolve().parent / "fixtures" / "mappings"
ID = "https://w3id.org/srg/id/"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "srg_generated_client"


@pytest.fixture(scope="module")
def spec(server: Server) -> dict[str, Any]:
    with server.client() as http:
        answer = http.get("/openapi.json")
    assert answer.status_code == 200
    return answer.json()


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_the_description_validates(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1.")
    validate(spec)  # raises on any error, duplicate operation ids included


def test_every_operation_has_an_id_of_its_own(spec: dict[str, Any]) -> None:
    ids = Counter(operation["operationId"] for _, _, operation in operations(spec))
    assert [i for i, n in ids.items() if n > 1] == []
    sparql = spec["paths"]["/sparql"]
    assert {m: sparql[m]["operationId"] for m in sparql} == {
        "get": "sparql",
        "head": "sparql_head",
        "post": "sparql_post",
    }


def names(operation: dict[str, Any]) -> set[str]:
    return {p["name"] for p in operation.get("parameters", [])}


def test_sparql_takes_its_parameters_and_bodies(spec: dict[str, Any]) -> None:
    get, post = spec["paths"]["/sparql"]["get"], spec["paths"]["/sparql"]["post"]
    assert names(get) == {
        "query", "default-graph-uri", "named-graph-uri", "version", "asOf", "format"
    }  # fmt: skip
    assert {"using-graph-uri", "using-named-graph-uri"} <= names(post)
    bodies = post["requestBody"]["content"]
    assert set(bodies) == {
        "application/x-www-form-urlencoded",
        "application/sparql-query",
        "application/sparql-update",
    }
    form = bodies["application/x-www-form-urlencoded"]["schema"]["properties"]
    assert {"query", "update", "format"} <= set(form)
    answers = get["responses"]["200"]["content"]
    for media in (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
        "text/turtle",
        "application/ld+json",
        "application/rdf+xml",
        "application/n-triples",
    ):
        assert media in answers
    assert post["security"] == [{}, {"writeToken": []}]  # an update needs the token
    assert "204" in post["responses"]


def test_writes_carry_the_bearer_scheme_and_their_bodies(spec: dict[str, Any]) -> None:
    scheme = spec["components"]["securitySchemes"]["writeToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert "SRG_WRITE_TOKENS" in scheme["description"]
    store = spec["paths"]["/graph-store"]
    for method in ("put", "post", "delete"):
        assert store[method]["security"] == [{"writeToken": []}]
        assert {"graph", "default"} <= names(store[method])
    for method in ("put", "post"):
        assert {"text/turtle", "application/ld+json"} <= set(
            store[method]["requestBody"]["content"]
        )
    assert "text/turtle" in store["get"]["responses"]["200"]["content"]
    mappings = spec["paths"]["/api/mappings"]
    assert mappings["post"]["security"] == [{"writeToken": []}]
    assert {"dry_run", "mode"} <= names(mappings["post"])
    assert "text/csv" in mappings["post"]["requestBody"]["content"]
    assert {"template", "format", "lang"} <= names(mappings["get"])
    reads = [(p, m) for p, m, o in operations(spec) if "security" in o and m in ("get", "head")]
    assert reads == []


def generate(spec: dict[str, Any], directory: Path) -> ModuleType:
    """Generate the client package with no network (a new network namespace where the
    system allows one, and a proxy that goes nowhere for any library that would try)."""
    if not GENERATOR.exists():
        pytest.skip("openapi-python-client is not installed (pip install -e '.[test]')")
    (directory / "openapi.json").write_text(json.dumps(spec), encoding="utf-8")
    config = (ROOT / "docs" / "openapi-client.yaml").read_text(encoding="utf-8")
    (directory / "config.yaml").write_text(config + "post_hooks: []\n", encoding="utf-8")
    command = [str(GENERATOR), "generate", "--path", "openapi.json", "--config", "config.yaml"]
    command += ["--meta", "none", "--output-path", PACKAGE]
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0:
        command = [unshare, "-rn", *command]
    dead = "http://127.0.0.1:9"
    env = {**os.environ, "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "ALL_PROXY": dead}
    done = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(directory))
    try:
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(directory))


def test_a_generated_client_queries_and_previews_an_import(
    spec: dict[str, Any], server: Server, tmp_path: Path
) -> None:
    client = generate(spec, tmp_path)
    sparql = importlib.import_module(f"{PACKAGE}.api.sparql_1_1_protocol.sparql")
    sparql_post = importlib.import_module(f"{PACKAGE}.api.sparql_1_1_protocol.sparql_post")
    form = importlib.import_module(f"{PACKAGE}.models.sparql_post_data_body")
    members = importlib.import_module(f"{PACKAGE}.api.named_queries.query_body_members")
    imports = importlib.import_module(f"{PACKAGE}.api.vloca_mappings.import_mappings")
    types = importlib.import_module(f"{PACKAGE}.types")

    reader = client.Client(base_url=server.url, raise_on_unexpected_status=True)
    query = (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?label WHERE "
        f'{{ <{ID}werkbank/vloca> skos:prefLabel ?label FILTER(LANG(?label) = "nl") }}'
    )
    results = sparql.sync(client=reader, query=query)
    assert results.head.vars_ == ["label"]
    (row,) = results.results.bindings
    assert (row["label"].type_, row["label"].value) == ("literal", "Werkbank VLOCA")
    assert row["label"].xmllang == "nl"

    asked = sparql_post.sync(
        client=reader, body=form.SparqlPostDataBody(query=f"ASK {{ <{ID}organisation/abb> ?p ?o }}")
    )
    assert asked.boolean is True

    rows = members.sync(client=reader, body=f"{ID}body/ambtelijke-stuurgroep")
    assert f"{ID}organisation/kcvs" in {r["member"] for r in rows}

    writer = client.AuthenticatedClient(base_url=server.url, token=TOKEN)
    csv = types.File(payload=io.BytesIO((FILES / "valid.csv").read_bytes()), mime_type="text/csv")
    preview = imports.sync(client=writer, body=csv, dry_run=True)
    assert preview.imported is False and preview.dry_run is True
    assert preview.counts.additional_properties == {"added": 3, "changed": 0, "unchanged": 0}
    with httpx.Client(base_url=server.url) as http:
        assert http.get("/api/mappings", params={"format": "json"}).json() == []


def test_a_generated_client_sends_a_graph_file_as_it_is(
    spec: dict[str, Any], module_writable: Server, tmp_path: Path
) -> None:
    """A Graph Store body is a file: it went as a JSON string, which the server read as a
    JSON-LD document of no triples, and the graph was emptied."""
    client = generate(spec, tmp_path)
    replace = importlib.import_module(f"{PACKAGE}.api.graph_store_protocol.replace_graph")
    types = importlib.import_module(f"{PACKAGE}.types")
    writer = client.AuthenticatedClient(base_url=module_writable.url, token=TOKEN)
    turtle = types.File(payload=io.BytesIO(b'<urn:x:client> <urn:x:p> "kept" .'))
    assert (
        replace.sync_detailed(client=writer, body=turtle, graph="urn:x:client").status_code == 201
    )
    with httpx.Client(base_url=module_writable.url) as http:
        read = http.get(
            "/graph-store", params={"graph": "urn:x:client"}, headers={"accept": "text/turtle"}
        )
        assert '"kept"' in read.text


def test_pages_and_documents_say_what_they_answer(spec: dict[str, Any]) -> None:
    """FastAPI took every Response for JSON and listed a 422 it never sends: a generated
    client read Turtle as JSON and failed (found by Schemathesis)."""
    paths = spec["paths"]
    assert "text/turtle" in paths["/doc/{path}"]["get"]["responses"]["200"]["content"]
    assert (
        "application/rdf-patch" in paths["/changes/{number}"]["get"]["responses"]["200"]["content"]
    )
    assert list(paths["/orgchart.svg"]["get"]["responses"]["200"]["content"]) == ["image/svg+xml"]
    assert "text/turtle" in paths["/validate"]["post"]["requestBody"]["content"]
    # a read's only 422 is a query's result over the cap (FastAPI's own is never sent)
    reads = [op["responses"] for _, method, op in operations(spec) if method in ("get", "head")]
    assert all("row or byte cap" in r["422"]["description"] for r in reads if "422" in r)
    assert "HTTPValidationError" not in json.dumps(spec)


def test_the_parameters_routes_read_themselves_are_described(spec: dict[str, Any]) -> None:
    """Paging the history, time travel and the coverage's format were read by their routes,
    so FastAPI listed none of them and a generated client could not send them."""
    named = {
        (path, method): {p["name"]: p for p in spec["paths"][path][method].get("parameters", [])}
        for path in ("/changes", "/doc/{path}", "/coverage", "/sparql")
        for method in ("get", "head")
    }
    for method in ("get", "head"):
        assert {"since", "before", "after", "limit", "lang"} <= set(named["/changes", method])
        assert {"path", "version", "asOf", "lang"} <= set(named["/doc/{path}", method])
        assert {"format", "sort", "lang"} <= set(named["/coverage", method])
        assert {"query", "version", "asOf"} <= set(named["/sparql", method])
    assert named["/changes", "get"]["limit"]["schema"] == {"type": "integer", "minimum": 1}
    assert named["/coverage", "get"]["format"]["schema"]["enum"] == ["html", "json"]


def test_a_head_is_described_as_its_get(spec: dict[str, Any]) -> None:
    mappings = spec["paths"]["/api/mappings"]
    assert mappings["head"]["parameters"] == mappings["get"]["parameters"]
    assert "text/csv" in mappings["head"]["responses"]["200"]["content"]
    changes = spec["paths"]["/changes"]["get"]["responses"]["200"]["content"]
    assert changes["application/json"] == {"schema": {}}  # JSON of any shape, not a string


def test_a_named_querys_head_is_described(spec: dict[str, Any], client: httpx.Client) -> None:
    """HEAD of a named query answers as every read does, but only its GET was described."""
    assert client.head("/api/queries/goals").status_code == 200
    named = [item for path, item in spec["paths"].items() if path.startswith("/api/queries/")]
    assert len(named) == len(list((ROOT / "queries").glob("*.rq")))
    for item in named:
        assert item["head"]["parameters"] == item["get"]["parameters"]
        assert item["head"]["operationId"] == item["get"]["operationId"] + "_head"


def test_the_docs_page_is_the_servers_own(client: httpx.Client) -> None:
    """`/docs` is Swagger UI from this server (no other host, no inline script, the pages'
    CSP); FastAPI's CDN pages `/redoc` and `/docs/oauth2-redirect` are gone."""
    page = client.get("/docs?lang=en")
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith(
        "default-src 'self'; script-src 'self';"
    )
    assert '<html lang="en">' in page.text
    scripts = re.findall(r"<script([^>]*)>", page.text)
    assert scripts == [' src="/static/swagger-ui/swagger-ui-bundle.js"', ' src="/static/docs.js"']
    assert all(
        url.startswith(("/", "#")) for url in re.findall(r'(?:src|href)="([^"]*)"', page.text)
    )
    # the list for a reader without script shows the description's IRIs as text, not links
    assert "//" not in re.sub(r"<noscript>.*?</noscript>", "", page.text, flags=re.DOTALL)
    for asset in ("swagger-ui/swagger-ui-bundle.js", "swagger-ui/swagger-ui.css", "docs.js"):
        answer = client.get(f"/static/{asset}")
        assert answer.status_code == 200 and "etag" in answer.headers, asset
    assert 'PACKAGE_VERSION:"5.' in client.get("/static/swagger-ui/swagger-ui-bundle.js").text
    assert client.get("/redoc").status_code == 404
    assert client.get("/docs/oauth2-redirect").status_code == 404


@pytest.fixture(scope="module")
def capped(
    settings: Settings, seed_report: Report, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server whose answers may hold 5 rows, and a query run 1 s: met on the seed."""
    directory = tmp_path_factory.mktemp("capped")
    limits = {"SRG_MAX_ROWS": "5", "SRG_QUERY_TIMEOUT": "1"}
    with running_server(settings, seed_report, directory, **limits) as running:
        yield running


def test_the_statuses_a_query_answers_are_described(capped: Server) -> None:
    """A named query answered 406, 412, 422 and 429 and `/sparql` 404, 412, 422 and 429,
    none of them in the description, so a generated client took them for unexpected errors."""
    with capped.client() as http:
        spec = http.get("/openapi.json").json()
        ask = {"query": "ASK {}"}
        everything = {"query": "SELECT * WHERE { ?s ?p ?o }"}
        sent = [
            ("/sparql", "get", http.get("/sparql", params=everything)),
            ("/sparql", "head", http.head("/sparql", params=everything)),
            ("/sparql", "get", http.get("/sparql", params={**ask, "version": "99999"})),
            ("/sparql", "get", http.get("/sparql", params=ask, headers={"If-Match": '"x"'})),
        ]
        for path in (p for p in spec["paths"] if p.startswith("/api/queries/")):
            sent.append((path, "get", http.get(path, headers={"Accept": "image/png"})))
        sent.append(("/api/queries/open-points", "get", http.get("/api/queries/open-points")))
        old = {"If-Match": '"x"', "Accept": "application/json"}
        sent.append(("/api/queries/goals", "get", http.get("/api/queries/goals", headers=old)))
    sent += burst(capped, "/sparql", "get") + burst(capped, "/api/queries/goals", "get")
    statuses = {answer.status_code for _, _, answer in sent}
    assert {404, 406, 412, 422, 429} <= statuses  # the requests meet what they are meant to
    for path, method, answer in sent:
        responses = spec["paths"][path][method]["responses"]
        assert str(answer.status_code) in responses, (path, method, answer.status_code, answer.text)


def burst(running: Server, path: str, method: str) -> list[tuple[str, str, httpx.Response]]:
    """40 queries at once, each running until the time limit stops it: more than the 2
    workers take (8 each, running or waiting), so some are turned away."""
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

    def one(n: int) -> tuple[str, str, httpx.Response]:
        with running.client() as http:
            if path == "/sparql":
                return path, method, http.get(path, params={"query": f"{heavy} # {n}"})
            return path, method, http.get(path, params={"lang": "en", "limit": str(n)})

    with ThreadPoolExecutor(max_workers=40) as pool:
        return list(pool.map(one, range(40)))
