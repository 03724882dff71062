"""Each rule of shapes/ fires on a real write: a SPARQL Update through the running server that
breaks exactly that rule of the seed is refused (422, the report naming the rule, with its
message in Dutch and English), nothing of it is written, and the seed still conforms.

A Graph Store PUT goes through the same validation (the last test). The updates are
`fixtures/shape-writes/<shape>.ru`, one per shape of severity Violation that
reports results of its own (tests/test_shapes.py checks every shape, parts included, on its
own fixtures with the reference engine; here the write path's incremental validation is held
to the same rules on the whole seed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from conftest import FIXTURES, ROOT, TOKEN
from rdflib import Graph, URIRef
from server import Server
from test_shapes import CASES

SRGSH = "https://w3id.org/srg/shapes#"
ID = "https://w3id.org/srg/id/"
WRITES = FIXTURES / "shape-writes"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
DUMP = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"

# The shapes that report violations of their own (the parts report through their users).
REPORTING = sorted(
    {case.shape for case in CASES if case.reported_by is None and case.severity == "Violation"}
)
# A write can break these rules only together: a post without a role has no role of the role
# scheme either (srgsh:PostRole's minCount is implied by srgsh:PostRoleScheme's hasValue).
ALSO_BROKEN = {"PostRole": {"PostRoleScheme"}}


def fixture_name(shape: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", shape).lower()


@pytest.fixture(scope="module")
def writer(module_writable: Server) -> Iterator[httpx.Client]:
    with module_writable.client(headers={"authorization": f"Bearer {TOKEN}"}) as http:
        yield http


def dump(client: httpx.Client) -> tuple[int, frozenset[tuple[str, ...]]]:
    """(COUNT of quads, every quad) as the SPARQL endpoint sees them."""
    found = []
    for query in (COUNT, DUMP):
        answer = client.get("/sparql", params={"query": query})
        assert answer.status_code == 200, answer.text
        found.append(answer.json()["results"]["bindings"])
    quads = frozenset(tuple(v["value"] for v in row.values()) for row in found[1])
    return int(found[0][0]["n"]["value"]), quads


@pytest.fixture(scope="module")
def unchanged(writer: httpx.Client) -> dict:
    """The report of the seed as the module's server gives it before any write."""
    answer = writer.get("/validate", headers={"Accept": "application/json"})
    assert answer.status_code == 200
    return answer.json()


def test_the_unchanged_seed_conforms(unchanged: dict) -> None:
    assert unchanged["conforms"] is True and unchanged["violations"] == 0


def test_every_reporting_violation_shape_has_a_write() -> None:
    assert {p.stem for p in WRITES.glob("*.ru")} == {fixture_name(s) for s in REPORTING}


@pytest.mark.parametrize("shape", REPORTING, ids=fixture_name)
def test_a_write_breaking_the_rule_is_refused_and_writes_nothing(
    writer: httpx.Client, unchanged: dict, shape: str
) -> None:
    before = dump(writer)
    text = (WRITES / f"{fixture_name(shape)}.ru").read_text(encoding="utf-8")
    answer = writer.post(
        "/sparql", content=text.encode(), headers={"content-type": "application/sparql-update"}
    )
    assert answer.status_code == 422, answer.text
    report = answer.json()
    violations = [r for r in report["results"] if r["severity"] == "Violation"]
    assert report["conforms"] is False
    found = {r["shape"].removeprefix(SRGSH) for r in violations}
    assert found == {shape, *ALSO_BROKEN.get(shape, set())}, violations
    for result in violations:
        assert result["message"].get("nl") and result["message"].get("en"), result
        assert result["shapeLabel"].get("nl") and result["shapeLabel"].get("en"), result
    assert dump(writer) == before
    current = writer.get("/validate", headers={"Accept": "application/json"})
    assert current.status_code == 200 and current.json() == unchanged


def test_a_graph_store_put_breaking_a_rule_is_refused_and_writes_nothing(
    writer: httpx.Client,
) -> None:
    """The graph of open points put again without the one on the Klankbordgroep's lead: the
    Klankbordgroep then has neither a lead nor an open point saying it is TBD."""
    graph = Graph().parse(ROOT / "data" / "open-points.ttl", format="turtle")
    graph.remove((URIRef(ID + "open-point/lead-klankbordgroep"), None, None))
    before = dump(writer)
    answer = writer.put(
        "/graph-store",
        params={"graph": "https://w3id.org/srg/graph/open-points"},
        content=graph.serialize(format="turtle").encode(),
        headers={"content-type": "text/turtle"},
    )
    assert answer.status_code == 422, answer.text
    violations = [r for r in answer.json()["results"] if r["severity"] == "Violation"]
    assert {(r["shape"], r["focusNode"]) for r in violations} == {
        (SRGSH + "LeadOrOpenPoint", ID + "body/klankbordgroep")
    }
    assert dump(writer) == before
