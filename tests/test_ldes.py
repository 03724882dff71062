"""The history as a Linked Data Event Stream (`/ldes`), replicated by the real LDES client.

A writable server takes a series of writes (SPARQL Update and Graph Store; a blank-node
structure, a change inside it, a resource spanning graphs, a deletion, a dropped graph); then
rdf-connect's `ldes-client` (npm, the version pinned in `tests/ldes/package.json`, installed
with `npm ci`) replicates the stream with `--materialize --last-version-only`, and what it
rebuilt is compared with the store, resource by resource: every resource with a statement in
the data (the union of the graphs but the history graph), its subject-centred description
(with the blank nodes it refers to, compared up to isomorphism), and no other. The structure
of the pages (LDES and TREE terms, relations, immutability and its headers, transactions,
deletions, negotiation, a purge's new generation of pages) is checked over HTTP.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import TOKEN
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from server import REMOTE, REMOTE_ENGINE, Server, run_srg

HERE = Path(__file__).resolve().parent / "ldes"
CLIENT = HERE / "node_modules" / "ldes-client"
PINNED = json.loads((HERE / "package.json").read_text(encoding="utf-8"))["dependencies"]
AUTH = {"authorization": f"Bearer {TOKEN}"}
UPDATE = {"content-type": "application/sparql-update", **AUTH}
TURTLE = {"content-type": "text/turtle", **AUTH}

LDES = "https://w3id.org/ldes#"
TREE = "https://w3id.org/tree#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
SRG = "https://w3id.org/srg/ns#"
ID = "https://w3id.org/srg/id/"
HISTORY = "https://w3id.org/srg/graph/history"
TEST_GRAPH = "https://w3id.org/srg/graph/ldes-test"
SECOND_GRAPH = "https://w3id.org/srg/graph/ldes-test-second"
EX = "http://example.org/ldes/"
ENVELOPE = {PROV + "generatedAtTime", PROV + "wasGeneratedBy", SRG + "completesChange"}
DELETION = SRG + "Deletion"

# The writes, in order: (name, method, target, body)
WRITES = [
    (
        "a blank-node structure",
        "update",
        None,
        f"""PREFIX ex: <{EX}>
        INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{
          ex:alpha a ex:Thing ; ex:label "alpha" ;
            ex:part [ ex:name "inner" ; ex:next [ ex:name "deeper" ] ] .
          ex:beta ex:label "beta" ; ex:refers ex:alpha .
        }} }}""",
    ),
    (
        "a graph of its own (Graph Store POST)",
        "post",
        SECOND_GRAPH,
        f"""@prefix ex: <{EX}> .
        ex:gamma ex:label "gamma" ; ex:amount 5 ; ex:currency "EUR" .
        ex:delta ex:label "delta" .""",
    ),
    (
        "a seed resource, now in two graphs",
        "update",
        None,
        f"""INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{
          <{ID}organisation/abb> <{EX}note> "touched by the LDES test" }} }}""",
    ),
    (
        "a change inside the blank-node structure (oxigraph serve cannot delete it)",
        "update",
        None,
        f"""PREFIX ex: <{EX}>
        DELETE {{ GRAPH <{TEST_GRAPH}> {{ ?inner ex:name "deeper" }} }}
        INSERT {{ GRAPH <{TEST_GRAPH}> {{ ?inner ex:name "deeper still" }} }}
        WHERE {{ GRAPH <{TEST_GRAPH}> {{ ex:alpha ex:part/ex:next ?inner }} }}""",
    ),
    (
        "the same triple in a second graph (the union is unchanged)",
        "update",
        None,
        f'INSERT DATA {{ <{EX}alpha> <{EX}label> "alpha" }}',
    ),
    (
        "a deletion",
        "update",
        None,
        f"DELETE WHERE {{ GRAPH <{TEST_GRAPH}> {{ <{EX}beta> ?p ?o }} }}",
    ),
    ("a dropped graph (Graph Store DELETE)", "delete", SECOND_GRAPH, None),
    (
        "two resources at once, one with a blank node in a graph that was there before",
        "update",
        None,
        f"""PREFIX ex: <{EX}>
        INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ ex:epsilon ex:label "epsilon" . }}
          ex:zeta ex:label "zeta" ; ex:refers ex:epsilon ; ex:part [ ex:name "z" ] . }}""",
    ),
]


# -- the client --------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def ldes_client() -> Path:
    """The pinned `ldes-client`, installed with `npm ci` from the lock file (once)."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.skip("node and npm are needed to run the LDES client")
    installed = CLIENT / "package.json"
    version = json.loads(installed.read_text())["version"] if installed.exists() else None
    if version != PINNED["ldes-client"]:
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    return CLIENT / "dist" / "bin" / "cli.js"


def run_client(client: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The client run with `args`; its state (a LevelDB it makes in the temporary directory
    and leaves there) goes to a directory removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="srg-ldes-client-") as state:
        done = subprocess.run(
            [shutil.which("node") or "node", str(client), *args],
            capture_output=True,
            text=True,
            timeout=300,
            env=os.environ | {"TMPDIR": state},
        )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def replicate(client: Path, url: str) -> list[list[ox.Triple]]:
    """The members the client emits for the stream at `url`, materialized, latest versions
    only: each as its triples (it prints them as N-Triples with Turtle's short literals, a
    blank line after each)."""
    done = run_client(client, "--materialize", "--last-version-only", url)
    members = []
    for chunk in done.stdout.split("\n\n"):
        if chunk.strip():
            try:
                quads = ox.parse(chunk.encode(), format=ox.RdfFormat.TURTLE)
                members.append([ox.Triple(q.subject, q.predicate, q.object) for q in quads])
            except SyntaxError as error:
                raise AssertionError(f"{error}:\n{chunk}") from error
    return members


# -- the store's side --------------------------------------------------------------------------
def data_triples(client: httpx.Client) -> list[ox.Triple]:
    """Every triple of the data: the dump's quads but those of the history graph."""
    response = client.get("/dumps/dataset.nq.gz")
    assert response.status_code == 200, response.text
    quads = ox.parse(gzip.decompress(response.content), format=ox.RdfFormat.N_QUADS)
    history = ox.NamedNode(HISTORY)
    return list(
        {ox.Triple(q.subject, q.predicate, q.object) for q in quads if q.graph_name != history}
    )


def descriptions(triples: list[ox.Triple]) -> dict[str, set[ox.Triple]]:
    """The subject-centred description of every IRI that is a subject: its triples and those
    of the blank nodes it refers to, through blank nodes."""
    about: dict[object, list[ox.Triple]] = {}
    for triple in triples:
        about.setdefault(triple.subject, []).append(triple)
    found = {}
    for subject in about:
        if not isinstance(subject, ox.NamedNode):
            continue
        description: set[ox.Triple] = set()
        todo, seen = [subject], {subject}
        while todo:
            for triple in about.get(todo.pop(), []):
                description.add(triple)
                if isinstance(triple.object, ox.BlankNode) and triple.object not in seen:
                    seen.add(triple.object)
                    todo.append(triple.object)
        found[subject.value] = description
    return found


def rebuilt(members: list[list[ox.Triple]]) -> tuple[dict[str, set[ox.Triple]], set[str]]:
    """What the client rebuilt: the latest version of each resource (the highest change, should
    two versions share the client's millisecond) without the envelope, and the deleted ones."""
    latest: dict[str, tuple[int, list[ox.Triple]]] = {}
    for triples in members:
        (change,) = [t for t in triples if t.predicate.value == PROV + "wasGeneratedBy"]
        number = int(change.object.value.rsplit("/", 1)[1])
        resource = change.subject.value
        if resource not in latest or latest[resource][0] < number:
            latest[resource] = (number, triples)
    kept, deleted = {}, set()
    for resource, (_, triples) in latest.items():
        node = ox.NamedNode(resource)
        if ox.Triple(node, ox.NamedNode(RDF_TYPE), ox.NamedNode(DELETION)) in triples:
            deleted.add(resource)
            continue
        kept[resource] = {
            t for t in triples if not (t.subject == node and t.predicate.value in ENVELOPE)
        }
    return kept, deleted


def graph(triples: set[ox.Triple]) -> Graph:
    text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return Graph().parse(data=text.decode(), format="nt")


# -- the writes --------------------------------------------------------------------------------
def write(client: httpx.Client, how: str, target: str | None, body: str | None) -> None:
    if how == "update":
        response = client.post("/sparql", content=body, headers=UPDATE)
    elif how == "post":
        response = client.post(
            "/graph-store", params={"graph": target}, content=body, headers=TURTLE
        )
    else:
        response = client.delete("/graph-store", params={"graph": target}, headers=AUTH)
    assert response.status_code in (200, 201, 204), response.text


@pytest.fixture(scope="module")
def written(module_writable: Server) -> Iterator[httpx.Client]:
    """The module's server after the series of writes."""
    with module_writable.client() as http:
        for name, how, target, body in WRITES:
            if not (REMOTE_ENGINE == "oxigraph" and "oxigraph serve cannot" in name):
                write(http, how, target, body)
        yield http


@pytest.fixture(scope="module")
def replicated(written: httpx.Client, module_writable: Server, ldes_client: Path) -> list:
    return replicate(ldes_client, module_writable.url + "/ldes")


def turtle(response: httpx.Response) -> Graph:
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.text, format="turtle")


def objects(found: Graph, subject: str, predicate: str) -> list[str]:
    return [str(o) for o in found.objects(URIRef(subject), URIRef(predicate))]


# -- replication -------------------------------------------------------------------------------
def test_the_client_rebuilds_every_resource(written: httpx.Client, replicated: list) -> None:
    """Every resource of the store, as the client rebuilt it. In remote-store mode the stream
    starts at the first change made through the server (the content pushed before it is not
    in its history): every resource those changes touched."""
    expected = descriptions(data_triples(written))
    kept, deleted = rebuilt(replicated)
    if REMOTE:
        assert {EX + name for name in ("alpha", "epsilon", "zeta")} <= set(kept)
        assert ID + "organisation/abb" in kept
        expected = {r: d for r, d in expected.items() if r in kept}
    assert set(kept) == set(expected), (
        f"missing: {sorted(set(expected) - set(kept))[:10]}, "
        f"extra: {sorted(set(kept) - set(expected))[:10]}"
    )
    differ = [r for r in expected if not isomorphic(graph(kept[r]), graph(expected[r]))]
    assert not differ, f"{len(differ)} resources differ, e.g. {differ[:5]}"
    assert {EX + "beta", EX + "gamma", EX + "delta"} <= deleted
    assert not deleted & set(expected)


def test_blank_node_structures_follow_their_resource(replicated: list) -> None:
    kept, _ = rebuilt(replicated)
    names = {t.object.value for t in kept[EX + "alpha"] if t.predicate.value == EX + "name"}
    assert names == {"inner", "deeper" if REMOTE_ENGINE == "oxigraph" else "deeper still"}
    assert (
        ox.Triple(
            ox.NamedNode(ID + "organisation/abb"),
            ox.NamedNode(EX + "note"),
            ox.Literal("touched by the LDES test"),
        )
        in kept[ID + "organisation/abb"]
    )


# -- the documents -----------------------------------------------------------------------------
def test_the_stream_says_how_to_read_its_members(written: httpx.Client) -> None:
    response = written.get("/ldes")
    found = turtle(response)
    stream = str(written.base_url).rstrip("/") + "/ldes"
    assert objects(found, stream, RDF_TYPE) == [LDES + "EventStream"]
    assert objects(found, stream, LDES + "versionOfPath") == [DCTERMS + "isVersionOf"]
    assert objects(found, stream, LDES + "timestampPath") == [PROV + "generatedAtTime"]
    assert objects(found, stream, LDES + "versionDeletePath") == [RDF_TYPE]
    assert objects(found, stream, LDES + "versionDeleteObject") == [DELETION]
    assert objects(found, stream, LDES + "transactionPath") == [PROV + "wasGeneratedBy"]
    assert objects(found, stream, LDES + "transactionFinalizedPath") == [SRG + "completesChange"]
    assert objects(found, stream, TREE + "view") == [stream + "/root"]
    assert "max-age" in response.headers["cache-control"]
    assert "immutable" not in response.headers["cache-control"]


def pages(client: httpx.Client) -> tuple[Graph, list[tuple[str, dict[str, str]]]]:
    """The root node, and its relations: (page, {relation type: value})."""
    found = turtle(client.get("/ldes/root"))
    relations: dict[str, dict[str, str]] = {}
    for row in found.query(
        f"""SELECT ?node ?type ?value WHERE {{
        ?root <{TREE}relation> ?r . ?r a ?type ; <{TREE}node> ?node ; <{TREE}value> ?value ;
            <{TREE}path> <{PROV}generatedAtTime> }}"""
    ):
        relations.setdefault(str(row.node), {})[str(row.type)] = str(row.value)
    ordered = sorted(relations.items(), key=lambda item: int(item[0].rsplit("/", 1)[1]))
    return found, ordered


def test_pages_are_bounded_in_time_and_full_ones_immutable(written: httpx.Client) -> None:
    root, ordered = pages(written)
    assert len(ordered) >= (1 if REMOTE else 3)  # the build's members alone fill two pages
    retention = root.query(
        f"SELECT ?p WHERE {{ ?root <{LDES}retentionPolicy> ?p . ?p a <{LDES}RetentionPolicy> }}"
    )
    assert len(retention) == 1
    previous = ""
    for index, (node, bounds) in enumerate(ordered):
        newest = index == len(ordered) - 1
        response = written.get(node)
        page = turtle(response)
        times = sorted(str(t) for t in page.objects(None, URIRef(PROV + "generatedAtTime")))
        assert times[0] == bounds[TREE + "GreaterThanOrEqualToRelation"] >= previous
        immutable = objects(page, node, LDES + "immutable")
        if newest:
            assert TREE + "LessThanOrEqualToRelation" not in bounds
            assert immutable == []
            assert "immutable" not in response.headers["cache-control"]
        else:
            assert times[-1] == bounds[TREE + "LessThanOrEqualToRelation"]
            assert immutable == ["true"]
            assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["etag"]
        again = written.get(node, headers={"if-none-match": response.headers["etag"]})
        assert again.status_code == 304
        previous = times[-1]


def members_of(client: httpx.Client) -> list[tuple[str, Graph]]:
    """Every page in order, with its member IRIs in the order of the page."""
    _, ordered = pages(client)
    found = []
    for node, _ in ordered:
        page = turtle(client.get(node))
        listed = [str(m) for m in page.objects(None, URIRef(TREE + "member"))]
        found += [(member, page) for member in listed]
    return found


def test_each_change_is_one_transaction_and_deletions_are_marked(written: httpx.Client) -> None:
    members = members_of(written)
    by_change: dict[str, list[str]] = {}
    for member, page in members:
        (change,) = objects(page, member, PROV + "wasGeneratedBy")
        by_change.setdefault(change, []).append(member)
        assert objects(page, member, DCTERMS + "isVersionOf")
        assert member.startswith(change + "/member/")
    for change, listed in by_change.items():
        finalized = [
            m for m, page in members if m in listed and objects(page, m, SRG + "completesChange")
        ]
        assert finalized == [listed[-1]], change
    if not REMOTE:
        build = by_change[ID + "change/1"]
        assert len(build) > 250  # split over pages; one transaction all the same
    deletions = {
        objects(page, m, DCTERMS + "isVersionOf")[0]
        for m, page in members
        if DELETION in objects(page, m, RDF_TYPE)
    }
    assert deletions == {EX + "beta", EX + "gamma", EX + "delta"}
    versions_of = {objects(page, m, DCTERMS + "isVersionOf")[0] for m, page in members}
    assert not any(v.startswith((ID + "change/", ID + "agent/")) for v in versions_of)


@pytest.mark.parametrize(
    "accept",
    ["application/ld+json", "application/n-triples", "application/trig", "application/n-quads"],
)
def test_pages_in_other_formats(written: httpx.Client, accept: str) -> None:
    _, ordered = pages(written)
    response = written.get(ordered[0][0], headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    fmt = ox.RdfFormat.from_media_type(accept)
    member = ox.NamedNode(TREE + "member")
    listed = [q for q in ox.parse(response.content, format=fmt) if q.predicate == member]
    assert len(listed) == 250 or (REMOTE and listed)
    assert written.get("/ldes/root", headers={"accept": "text/csv"}).status_code == 406


def test_a_client_prunes_pages_by_time(
    written: httpx.Client, module_writable: Server, ldes_client: Path
) -> None:
    """`ldes-client --after T` reads only the pages whose time bounds reach past T."""
    _, ordered = pages(written)
    bounded = [(page, b) for page, b in ordered if TREE + "LessThanOrEqualToRelation" in b]
    if not bounded:
        pytest.skip("a single (open) page: nothing to prune")
    first_page, bounds = bounded[0]
    end = datetime.fromisoformat(bounds[TREE + "LessThanOrEqualToRelation"])
    after = (end + timedelta(milliseconds=1)).isoformat().replace("+00:00", "Z")
    seen = len(module_writable.log)
    done = run_client(ldes_client, "--after", after, module_writable.url + "/ldes")
    fetched: set[str] = set()
    for _ in range(50):  # the access log's lines come after the answers
        lines = [line for line in module_writable.log[seen:] if line.startswith('{"method"')]
        fetched = {json.loads(line)["path"] for line in lines}
        if path_of(ordered[-1][0]) in fetched:
            break
        time.sleep(0.1)
    assert path_of(ordered[-1][0]) in fetched
    assert path_of(first_page) not in fetched
    times = [line.split('"')[1] for line in done.stdout.splitlines() if "generatedAtTime" in line]
    assert times and all(datetime.fromisoformat(t) > end for t in times)


def test_unknown_pages(written: httpx.Client) -> None:
    _, ordered = pages(written)
    token = ordered[0][0].rsplit("/", 2)[1]
    assert written.get(f"/ldes/{token}/{len(ordered) + 5}").status_code == 404
    assert written.get("/ldes/0123abcd/1").status_code == 410


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.mark.skipif(REMOTE, reason="srg purge rewrites the embedded store's log")
def test_a_restart_keeps_the_pages_and_a_purge_makes_them_anew(
    writable: Server, tmp_path: Path, ldes_client: Path
) -> None:
    secret = f'<{EX}secret> <{EX}label> "a secret"'
    with writable.client() as http:
        write(http, "update", None, f"INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ {secret} }} }}")
        write(http, "update", None, f"DELETE DATA {{ GRAPH <{TEST_GRAPH}> {{ {secret} }} }}")
        _, before = pages(http)
        assert "a secret" in http.get(before[-1][0]).text
    state = writable.store.with_name(writable.store.name + ".ldes") / "state.json"
    written = state.stat().st_mtime_ns
    writable.stop()
    again = Server(writable.store, TOKEN).start()
    try:
        with again.client() as http:
            _, kept = pages(http)
            assert [path_of(p) for p, _ in kept] == [path_of(p) for p, _ in before]
            assert state.stat().st_mtime_ns == written  # read as they were, not made again
    finally:
        again.stop()
    statements = tmp_path / "secret.nq"
    statements.write_text(f"{secret} <{TEST_GRAPH}> .\n", encoding="utf-8")
    done = run_srg("purge", "--statements", str(statements), "--note", "test", store=writable.store)
    assert done.returncode == 0, done.stderr
    purged = Server(writable.store, TOKEN).start()
    try:
        with purged.client() as http:
            _, after = pages(http)
            assert path_of(after[0][0]) != path_of(before[0][0])  # a new token
            assert http.get(path_of(before[0][0])).status_code == 410
            assert all("a secret" not in http.get(page).text for page, _ in after)
            expected = descriptions(data_triples(http))
            kept_now, _ = rebuilt(replicate(ldes_client, purged.url + "/ldes"))
            assert set(kept_now) == set(expected)
    finally:
        purged.stop()
