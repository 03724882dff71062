"""The store in the query worker: the server's only copy of the dataset, read through pipes.

Every read of `WorkerStore` must answer exactly what the same `GraphStore` method answers in
process (blank node labels, empty graphs, literals with tabs and quotes, the errors it
raises), a committed delta must be seen by the next read and by a worker that loads the
dataset again, and a dataset that cannot be loaded must stop the server at start with the
reason.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from server import run_srg

from srg_graph.dataset.build import write_snapshot
from srg_graph.dataset.embedded import Dataset, open_log
from srg_graph.errors import QueryTimeout, SourceError, SrgError, Unavailable
from srg_graph.runtime.pool import QueryPool
from srg_graph.store import Delta, GraphStore, QueryRequest, WorkerStore
from srg_graph.store.history_graph import HISTORY
from srg_graph.store.snapshot import GROUND, INDEX
from srg_graph.web.errors import status_of

ID = "https://w3id.org/srg/id/"
GRAPH = "https://w3id.org/srg/graph/"
EX = "http://example.org/"
ODD = f'<{EX}odd> <{EX}p> "tab\\tnewline\\n\\"quoted\\" é"@nl-BE <{EX}g> .\n'
EMPTY = f"{EX}empty"


@pytest.fixture(scope="module")
def local(generated: GraphStore) -> GraphStore:
    """The generated store (with blank nodes) plus an odd literal and an empty graph."""
    store = generated.copy()
    store.apply(Delta(b"", ODD.encode(), created=(EMPTY,)))
    return store


@pytest.fixture(scope="module")
def snapshot(local: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("worker-store") / "store"
    write_snapshot(local, target)
    return target


def pool_of(snapshot: Path) -> QueryPool:
    return QueryPool(snapshot, open_log(snapshot), 2, timeout=10, queue_timeout=10)


@pytest.fixture(scope="module")
def worker(snapshot: Path) -> Iterator[WorkerStore]:
    pool = pool_of(snapshot)
    pool.loaded()
    yield WorkerStore(pool)
    pool.close()


def a_blank_node(store: GraphStore) -> ox.BlankNode:
    (row,) = store.query("SELECT ?b WHERE { ?b ?p ?o FILTER(isBlank(?b)) } LIMIT 1")
    return row["b"]


def solutions(result: Any) -> tuple[list[str], list[list[str]]]:
    names = [v.value for v in result.variables]
    return names, sorted([str(row[name]) for name in names] for row in result)


QUERIES = [
    f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(?s = <{EX}odd>) }}",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT ?b ?p ?o WHERE { ?b ?p ?o FILTER(isBlank(?b)) }",
    "SELECT * WHERE {}",
    "SELECT ?x WHERE { FILTER(false) }",
    f"SELECT ?o ?u WHERE {{ <{ID}body/klankbordgroep> ?p ?o OPTIONAL {{ ?o <{EX}none> ?u }} }}",
]


@pytest.mark.parametrize("text", QUERIES)
def test_select_answers_equal_the_store_in_process(
    worker: WorkerStore, local: GraphStore, text: str
) -> None:
    assert solutions(worker.evaluate(text)) == solutions(local.evaluate(text))


def test_ask_construct_describe_and_bound_terms_equal(
    worker: WorkerStore, local: GraphStore
) -> None:
    for text in ("ASK { ?s ?p ?o }", f"ASK {{ <{EX}nothing> ?p ?o }}"):
        assert bool(worker.evaluate(text)) is bool(local.evaluate(text))
    for text in (
        "CONSTRUCT { ?b ?p ?o } WHERE { ?b ?p ?o FILTER(isBlank(?b)) }",
        f"DESCRIBE <{ID}body/klankbordgroep>",
    ):
        assert set(worker.evaluate(text)) == set(local.evaluate(text))
    blank = a_blank_node(local)
    text = "SELECT ?b ?p ?o WHERE { ?b ?p ?o }"
    assert solutions(worker.solutions(text, {"b": blank})) == solutions(
        local.solutions(text, {"b": blank})
    )
    graphs = {"default_graph": [f"{GRAPH}bodies"], "named_graphs": [EMPTY]}
    text = "SELECT ?s WHERE { ?s a ?class }"
    assert solutions(worker.evaluate(text, **graphs)) == solutions(local.evaluate(text, **graphs))


def test_quads_graphs_and_sizes_equal(worker: WorkerStore, local: GraphStore) -> None:
    body, blank = ox.NamedNode(f"{ID}body/klankbordgroep"), a_blank_node(local)
    assert set(worker.quads(body)) == set(local.quads(body))
    assert set(worker.quads(blank)) == set(local.quads(blank))
    assert set(worker.quads(graph=ox.DefaultGraph())) == set(local.quads(graph=ox.DefaultGraph()))
    nodes = [body, blank, ox.Literal("x")]
    assert sorted(map(str, worker.around(nodes))) == sorted(map(str, local.around(nodes)))
    some = local.quads(blank)[0]
    assert worker.contains(some)
    assert not worker.contains(ox.Quad(some.subject, some.predicate, ox.Literal("no")))
    assert worker.has_graph(EMPTY) and not worker.has_graph(f"{EX}nothing")
    assert worker.graph_names() == local.graph_names()
    assert len(worker) == len(local)


def parsed(data: bytes, fmt: ox.RdfFormat) -> set[ox.Quad]:
    """The statements of a serialisation (the order of the statements is the store's own)."""
    return set(ox.parse(data, format=fmt))


def test_serialisations_and_copy_equal(worker: WorkerStore, local: GraphStore) -> None:
    graph, turtle, nquads = f"{GRAPH}bodies", ox.RdfFormat.TURTLE, ox.RdfFormat.N_QUADS
    assert parsed(worker.graph_bytes(graph, "turtle", 10**7), turtle) == parsed(
        local.graph_bytes(graph, "turtle", 10**7), turtle
    )
    both = [graph, None]
    ntriples = ox.RdfFormat.N_TRIPLES
    assert parsed(worker.ntriples(both), ntriples) == parsed(local.ntriples(both), ntriples)
    assert parsed(worker.dump("nquads"), nquads) == parsed(local.dump("nquads"), nquads)
    assert parsed(worker.dump("turtle", [graph]), turtle) == parsed(
        local.dump("turtle", [graph]), turtle
    )
    copied = worker.copy()
    assert set(copied.quads()) == set(local.quads())
    assert copied.graph_names() == local.graph_names()


def test_errors_are_raised_as_in_process(worker: WorkerStore) -> None:
    with pytest.raises(SyntaxError):
        worker.evaluate("SELECT WHERE {")
    with pytest.raises(ValueError):
        worker.has_graph("not an IRI")
    with pytest.raises(SrgError) as over:
        worker.graph_bytes(f"{GRAPH}bodies", "turtle", 10)
    assert status_of(over.value) == 422


def test_a_commit_is_read_at_once_and_loaded_by_the_next_worker(
    local: GraphStore, tmp_path: Path
) -> None:
    snapshot = tmp_path / "store"
    write_snapshot(local, snapshot)
    pool = pool_of(snapshot)
    try:
        data = Dataset(snapshot, WorkerStore(pool), pool.committed)
        quad = f'<{EX}new> <{EX}p> "committed" <{EX}g> .\n'
        data.commit(Delta(b"", quad.encode()))
        assert data.store.ask(f'ASK {{ <{EX}new> <{EX}p> "committed" }}')
        pool._stop(pool.worker)  # as at a time limit: the successor loads snapshot and log
        assert data.store.ask(f'ASK {{ <{EX}new> <{EX}p> "committed" }}')
        described = len(data.store.quads(graph=ox.NamedNode(HISTORY)))  # the change, as data
        assert described and len(data.store) - described == len(local) + 1
    finally:
        pool.close()


def test_reads_outlast_the_time_limit_that_stops_queries(snapshot: Path) -> None:
    """The server's own reads (a dump at a million triples takes longer than a query may)
    are not stopped at the time limit; a user's query on the same worker is."""
    pool = QueryPool(snapshot, open_log(snapshot), 2, timeout=0.001, queue_timeout=10)
    try:
        pool.loaded()
        worker, store = pool.worker, WorkerStore(pool)
        started = time.monotonic()
        dump = store.dump("turtle")
        assert time.monotonic() - started > pool.timeout  # else this proves nothing
        assert dump and pool.worker is worker and worker.alive
        with pytest.raises(QueryTimeout):
            pool.run(QueryRequest("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", "json"))
    finally:
        pool.close()


def test_a_query_lost_twice_to_other_queries_time_limits_is_unavailable(snapshot: Path) -> None:
    """A query on a worker stopped to end another query past the time limit runs again on
    the next worker; stopped there too for the same reason, it was a 500 ("made its worker
    stop", as for a query that crashes its worker): it is `Unavailable` (503, try again)."""
    pool = QueryPool(snapshot, open_log(snapshot), 2, timeout=120, queue_timeout=10)
    outcome: list[BaseException] = []

    def long_query() -> None:
        try:
            pool.run(QueryRequest("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }", "json"))
        except Exception as error:
            outcome.append(error)

    try:
        pool.loaded()
        thread = threading.Thread(target=long_query)
        thread.start()
        for _ in range(2):
            worker = pool.worker
            while worker.running == 0:  # the query is on it (again)
                assert thread.is_alive(), "the query ended before its worker was stopped"
                time.sleep(0.01)
            worker.over_time = True  # as `_timed_out` marks it, for another request
            pool._stop(worker)
        thread.join(120)
        (error,) = outcome
        assert isinstance(error, Unavailable) and "try again" in str(error), error
    finally:
        pool.close()


def test_a_dataset_that_cannot_be_loaded_stops_the_start(local: GraphStore, tmp_path: Path) -> None:
    snapshot = tmp_path / "store"
    write_snapshot(local, snapshot)
    (snapshot / GROUND).write_bytes(b"<broken")
    pool = pool_of(snapshot)
    try:
        with pytest.raises(SourceError, match="could not be loaded"):
            pool.loaded()
        with pytest.raises(match="could not be loaded"):
            WorkerStore(pool).graph_names()
    finally:
        pool.close()


def test_serve_on_a_dataset_that_cannot_be_loaded_exits_two_with_the_reason(
    local: GraphStore, tmp_path: Path
) -> None:
    snapshot = tmp_path / "store"
    write_snapshot(local, snapshot)
    (snapshot / GROUND).write_bytes(b"<broken")
    # An index without checksums (as written before them), so that the engine reads the file
    # and fails; a checksum mismatch is refused before (tests/test_faults.py).
    index = json.loads((snapshot / INDEX).read_text())
    del index["files"], index["checksum"]
    (snapshot / INDEX).write_text(json.dumps(index))
    done = run_srg("serve", "--port", "0", store=snapshot)
    assert done.returncode == 2
    assert "the dataset could not be loaded" in done.stderr and "dump.nq, line 1" in done.stderr


def counting_deltas(store: GraphStore) -> list[Delta]:
    """Deltas that add what is there, remove what is not, repeat a quad, carry blank nodes,
    drop a graph with quads and create an empty one."""
    new = f'<{EX}counted> <{EX}p> "one" <{EX}g> .\n'.encode()
    blank = f'_:counted <{EX}p> "blank" <{EX}g> .\n_:counted <{EX}q> _:other <{EX}g> .\n'.encode()
    some = store.quads()[0]
    held = ox.serialize([some], format=ox.RdfFormat.N_QUADS) or b""
    dropped = next(
        g for g in store.graph_names() if g != HISTORY and store.quads(graph=ox.NamedNode(g))
    )
    return [
        Delta(b"", new + new),
        Delta(b"", new + held),
        Delta(f'<{EX}absent> <{EX}p> "x" .\n'.encode(), b""),
        Delta(b"", blank),
        Delta(held + held + new, b""),
        Delta(b"", b"", dropped=(dropped,), created=(f"{EX}created",)),
    ]


def test_a_delta_counts_what_it_adds_and_removes(local: GraphStore) -> None:
    store = local.copy()
    for delta in counting_deltas(store):
        before = len(store)
        assert store.apply(delta, counted=True) == len(store) - before


def test_the_worker_keeps_its_count_of_quads_across_commits(
    local: GraphStore, tmp_path: Path
) -> None:
    """`/health`'s count: the engine counts quads one by one (1.3 s at ten million), so the
    worker counts once and then adds what each delta adds; a successor, counting afresh from
    the snapshot and the log, must find the same number."""
    snapshot = tmp_path / "store"
    write_snapshot(local, snapshot)
    pool = pool_of(snapshot)
    try:
        data = Dataset(snapshot, WorkerStore(pool), pool.committed)
        assert len(data.store) == len(local)
        for delta in counting_deltas(local.copy()):
            data.commit(delta)
        kept = len(data.store)
        pool._stop(pool.worker)  # the successor loads the snapshot and the log, and counts
        assert len(data.store) == kept != len(local)
    finally:
        pool.close()
