"""The dataset a query asks for is the dataset it gets (issue 14), over HTTP and on the CLI.

SPARQL 1.1 Query §13.2: FROM and FROM NAMED in the text make the default and the named graphs
(FROM alone: no named graphs; FROM NAMED alone: an empty default graph). SPARQL 1.1 Protocol
§2.1.4: `default-graph-uri` and `named-graph-uri` override them (one of them alone: none of
the other). With neither, the default graph is the union of the store's graphs. A graph the
store does not hold is an empty graph. Updates: USING and USING NAMED (and the protocol's
`using-graph-uri`) likewise. Every case is compared with a query whose answer is known from
`GRAPH <g>` patterns, not with hard-coded numbers. Runs embedded and in remote-store mode.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import TOKEN
from server import Server, run_srg

from srg_graph.store import GraphStore, QueryRequest, answer

GRAPH = "https://w3id.org/srg/graph/"
BODIES, ORGANISATIONS = f"{GRAPH}bodies", f"{GRAPH}organisations"
JSON = {"accept": "application/sparql-results+json"}
AUTH = {"authorization": f"Bearer {TOKEN}"}
UPDATE = {"content-type": "application/sparql-update", **AUTH}
COUNT = "SELECT (COUNT(*) AS ?n) {dataset} WHERE {{ ?s ?p ?o }}"
NAMED = "SELECT DISTINCT ?g {dataset} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"


def number(client: httpx.Client, query: str, **params: str | list[str]) -> int:
    response = client.get("/sparql", params={"query": query, **params}, headers=JSON)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def graphs(client: httpx.Client, query: str, **params: str | list[str]) -> set[str]:
    response = client.get("/sparql", params={"query": query, **params}, headers=JSON)
    assert response.status_code == 200, response.text
    return {row["g"]["value"] for row in response.json()["results"]["bindings"]}


def in_graph(client: httpx.Client, graph: str) -> int:
    """The number of triples of one graph, asked with a GRAPH pattern on the union dataset."""
    return number(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")


def test_from_makes_the_default_graph(client: httpx.Client) -> None:
    """The issue's own example: it counted the whole store."""
    bodies = in_graph(client, BODIES)
    assert 0 < bodies < number(client, COUNT.format(dataset=""))
    assert number(client, COUNT.format(dataset=f"FROM <{BODIES}>")) == bodies


def test_two_froms_merge(client: httpx.Client) -> None:
    both = f"FROM <{BODIES}> FROM <{ORGANISATIONS}>"
    parts = " UNION ".join(f"{{ GRAPH <{g}> {{ ?s ?p ?o }} }}" for g in (BODIES, ORGANISATIONS))
    union = f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {parts} }} }}"
    assert number(client, COUNT.format(dataset=both)) == number(client, union)


def test_from_alone_means_no_named_graphs(client: httpx.Client) -> None:
    assert graphs(client, NAMED.format(dataset=f"FROM <{BODIES}>")) == set()


def test_from_named_alone_means_an_empty_default_graph(client: httpx.Client) -> None:
    dataset = f"FROM NAMED <{BODIES}>"
    assert number(client, COUNT.format(dataset=dataset)) == 0
    assert graphs(client, NAMED.format(dataset=dataset)) == {BODIES}


def test_without_a_dataset_the_default_graph_is_the_union(client: httpx.Client) -> None:
    every = graphs(client, NAMED.format(dataset=""))
    assert {BODIES, ORGANISATIONS} <= every
    assert number(client, COUNT.format(dataset="")) >= in_graph(client, BODIES)


def test_the_protocol_overrides_the_query_text(client: httpx.Client) -> None:
    text = COUNT.format(dataset=f"FROM <{BODIES}>")
    assert number(client, text, **{"default-graph-uri": ORGANISATIONS}) == in_graph(
        client, ORGANISATIONS
    )


def test_default_graph_uri_alone_means_no_named_graphs(client: httpx.Client) -> None:
    """It saw every named graph (SPARQL 1.1 Protocol §2.1.4: there are none)."""
    found = graphs(client, NAMED.format(dataset=""), **{"default-graph-uri": BODIES})
    assert found == set()


def test_named_graph_uri_alone_means_an_empty_default_graph(client: httpx.Client) -> None:
    params = {"named-graph-uri": [BODIES, ORGANISATIONS]}
    assert number(client, COUNT.format(dataset=""), **params) == 0
    assert graphs(client, NAMED.format(dataset=""), **params) == {BODIES, ORGANISATIONS}


def test_a_graph_the_store_does_not_hold_is_empty(client: httpx.Client) -> None:
    missing = f"{GRAPH}no-such-graph"
    assert number(client, COUNT.format(dataset=f"FROM <{missing}>")) == 0
    both = f"FROM <{missing}> FROM <{BODIES}>"
    assert number(client, COUNT.format(dataset=both)) == in_graph(client, BODIES)


# -- updates --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def updatable(module_writable: Server) -> Iterator[httpx.Client]:
    with module_writable.client() as http:
        yield http


def seed(http: httpx.Client, name: str) -> tuple[str, str]:
    """Two graphs of the test's own: `a` with two triples, `b` with one."""
    a, b = f"{GRAPH}test/{name}-a", f"{GRAPH}test/{name}-b"
    text = (
        f"INSERT DATA {{ GRAPH <{a}> {{ <urn:x:1> <urn:p> 1 . <urn:x:2> <urn:p> 2 }} "
        f"GRAPH <{b}> {{ <urn:x:3> <urn:p> 3 }} }}"
    )
    assert http.post("/sparql", content=text, headers=UPDATE).status_code == 204
    return a, b


def copied(http: httpx.Client, target: str) -> int:
    return in_graph(http, target)


def test_using_makes_the_where_clauses_default_graph(updatable: httpx.Client) -> None:
    a, _ = seed(updatable, "using")
    target = f"{GRAPH}test/using-copy"
    text = f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} USING <{a}> WHERE {{ ?s ?p ?o }}"
    assert updatable.post("/sparql", content=text, headers=UPDATE).status_code == 204
    assert copied(updatable, target) == 2


def test_using_alone_means_no_named_graphs(updatable: httpx.Client) -> None:
    a, b = seed(updatable, "using-named")
    target = f"{GRAPH}test/using-named-copy"
    text = (
        f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} USING <{a}> "
        "WHERE { GRAPH ?g { ?s ?p ?o } }"
    )
    assert updatable.post("/sparql", content=text, headers=UPDATE).status_code == 204
    assert copied(updatable, target) == 0
    text = text.replace(f"USING <{a}>", f"USING NAMED <{b}>")
    assert updatable.post("/sparql", content=text, headers=UPDATE).status_code == 204
    assert copied(updatable, target) == 1


def test_using_graph_uri_is_the_protocols_using(updatable: httpx.Client) -> None:
    _, b = seed(updatable, "using-graph-uri")
    target = f"{GRAPH}test/using-graph-uri-copy"
    text = f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    answer = updatable.post("/sparql", params={"using-graph-uri": b}, content=text, headers=UPDATE)
    assert answer.status_code == 204, answer.text
    assert copied(updatable, target) == 1


def test_an_update_of_no_operation_succeeds_and_changes_nothing(updatable: httpx.Client) -> None:
    before = number(updatable, COUNT.format(dataset=""))
    version = updatable.get("/health").json()["version"]
    for text in ("# only a comment\n", "", "PREFIX ex: <http://example.org/>"):
        answer = updatable.post("/sparql", content=text, headers=UPDATE)
        assert answer.status_code == 204, answer.text
    assert number(updatable, COUNT.format(dataset="")) == before
    assert updatable.get("/health").json()["version"] == version


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"DROP GRAPH <{GRAPH}test/missing>", "does not exist; add SILENT"),
        (f"CLEAR GRAPH <{GRAPH}test/missing>", "does not exist; add SILENT"),
        (f"MOVE <{GRAPH}test/missing> TO <{GRAPH}test/other>", "does not exist; add SILENT"),
    ],
)
def test_a_valid_update_that_fails_on_the_data_is_409(
    updatable: httpx.Client, text: str, message: str
) -> None:
    """Not 400, which says the text is not SPARQL: the text is right, the data says no."""
    before = number(updatable, COUNT.format(dataset=""))
    answer = updatable.post("/sparql", content=text, headers=UPDATE)
    assert answer.status_code == 409, answer.text
    assert message in answer.text
    assert number(updatable, COUNT.format(dataset="")) == before
    silent = text.replace("GRAPH <", "SILENT GRAPH <", 1) if "GRAPH" in text else text
    silent = silent.replace("MOVE <", "MOVE SILENT <")
    assert updatable.post("/sparql", content=silent, headers=UPDATE).status_code == 204


def test_a_syntax_error_stays_400(updatable: httpx.Client) -> None:
    answer = updatable.post("/sparql", content="DROP GRAFF <urn:g>", headers=UPDATE)
    assert answer.status_code == 400


@pytest.mark.parametrize("word", ["SERVICE", "LOAD"])
def test_service_and_load_are_refused_as_a_policy(client: httpx.Client, word: str) -> None:
    if word == "SERVICE":
        answer = client.get("/sparql", params={"query": "ASK { SERVICE <urn:x> { ?s ?p ?o } }"})
    else:
        answer = client.post("/sparql", content="LOAD <urn:x>", headers=UPDATE)
    assert answer.status_code == 400
    assert "policy" in answer.text and "no request leaves the server" in answer.text


def test_a_from_without_a_space_before_an_iri_is_honoured(client: httpx.Client) -> None:
    run_in = COUNT.format(dataset=f"FROM<{BODIES}>")
    assert number(client, run_in) == in_graph(client, BODIES)


def test_a_from_run_into_a_prefixed_name_is_refused(client: httpx.Client) -> None:
    """The engine would read `FROMg:bodies` as FROM g:bodies, SPARQL as one name: refused
    rather than answered on a dataset nobody asked for (it was the union, FROM ignored)."""
    text = f"PREFIX g: <{GRAPH}> " + COUNT.format(dataset="FROMg:bodies")
    for response in (
        client.get("/sparql", params={"query": text}, headers=JSON),
        client.post("/sparql", content=text, headers={"content-type": "application/sparql-query"}),
    ):
        assert response.status_code == 400
        assert "`FROMg:bodies`" in response.text and "put a space after FROM" in response.text


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # the engine declares g: and honours the FROM; the guard read no declaration
        (f"PREFIXg:<{GRAPH}> " + COUNT.format(dataset="FROM g:bodies"), "put a space after PREFIX"),
        # an escape in an IRI hid the FROM behind a `#` from the lexer (it was the union)
        (
            f'PREFIX p: <http://x/\\u0031#> SELECT (COUNT(*) AS ?n) (MIN("\\u0022") AS ?q) '
            f"FROM <{BODIES}> WHERE {{ ?s ?p ?o }}",
            "escapes are decoded",
        ),
        # decoded first, the string holds a FROM: the union was switched off (0 answers)
        (
            f'SELECT (COUNT(*) AS ?n) {{ ?s ?p ?o FILTER(?o != "\\u0022 FROM <{BODIES}> '
            '\\u0022") }',
            "escapes are decoded",
        ),
        ("CONSTRUCTWHERE { ?s ?p ?o }", "put a space after CONSTRUCT"),  # was a 500
    ],
)
def test_a_text_read_one_way_by_sparql_and_another_by_the_engine_is_refused(
    client: httpx.Client, text: str, said: str
) -> None:
    for response in (
        client.get("/sparql", params={"query": text}),
        client.post("/sparql", data={"query": text}),
    ):
        assert response.status_code == 400, response.text
        assert said in response.text


# -- the command line ----------------------------------------------------------------------
def test_the_cli_runs_a_query_on_its_dataset(
    client: httpx.Client, private_store: Path, tmp_path: Path
) -> None:
    query = tmp_path / "bodies.rq"
    query.write_text(COUNT.format(dataset=f"FROM <{BODIES}>"), encoding="utf-8")
    run = run_srg("query", str(query), "--format", "csv", store=private_store)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[1] == str(in_graph(client, BODIES))


def test_the_cli_refuses_a_from_run_into_a_name(private_store: Path, tmp_path: Path) -> None:
    query = tmp_path / "run-in.rq"
    query.write_text(f"PREFIX g: <{GRAPH}> " + COUNT.format(dataset="FROMg:bodies"), "utf-8")
    run = run_srg("query", str(query), store=private_store)
    assert run.returncode != 0 and "put a space after FROM" in run.stderr


def test_the_store_answers_every_caller_on_the_querys_dataset(seed: GraphStore) -> None:
    """Named queries and the command line reach the engine through `answer`, as /sparql does."""
    request = QueryRequest(COUNT.format(dataset=f"FROM <{BODIES}>"), "csv")
    counted = int(answer(seed, request).body.split()[1])
    rows = seed.rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BODIES}> {{ ?s ?p ?o }} }}")
    assert counted == int(rows[0]["n"])
    union = int(answer(seed, QueryRequest(COUNT.format(dataset=""), "csv")).body.split()[1])
    assert union > counted


def test_the_cli_refuses_a_prefix_run_into_its_name(private_store: Path, tmp_path: Path) -> None:
    query = tmp_path / "run-in.rq"
    query.write_text(f"PREFIXg:<{GRAPH}> " + COUNT.format(dataset="FROM g:bodies"), "utf-8")
    run = run_srg("query", str(query), store=private_store)
    assert run.returncode != 0 and "put a space after PREFIX" in run.stderr
