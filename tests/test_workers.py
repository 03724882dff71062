"""Query workers: forked from the zygote, replaced at the time limit, never stale, never left.

The server forks its query worker (whose threads answer queries side by side, and which holds
the dataset, loaded from the snapshot and the log) from a single-threaded zygote. These tests
stop workers and the zygote the hard way and check that every query still sees every
committed write, and that no worker outlives its server.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import TOKEN, needs_network_namespaces, running_server
from server import REMOTE, Server

from srg_graph.config import Settings
from srg_graph.runtime.zygote import UNSAFE_FORK
from srg_graph.validation.report import Report

pytestmark = pytest.mark.skipif(REMOTE, reason="a remote store has no query workers")

AUTH = {"authorization": f"Bearer {TOKEN}"}
UPDATE = {"content-type": "application/sparql-update"}
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def triple(name: str) -> str:
    return f'<http://example.org/workers/{name}> <http://example.org/p> "o"'


@pytest.fixture
def timed(settings: Settings, seed_report: Report, tmp_path: Path) -> Iterator[Server]:
    """A writable server of its own whose queries are stopped after 2 s."""
    with running_server(settings, seed_report, tmp_path, SRG_QUERY_TIMEOUT="2") as running:
        yield running


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return found


def running(pid: int) -> bool:
    """Whether a process exists and has not ended (a zombie has ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def write(http: httpx.Client, name: str) -> None:
    response = http.post(
        "/sparql",
        content=f"INSERT DATA {{ {triple(name)} }}",
        headers={"content-type": "application/sparql-update", **AUTH},
    )
    assert response.status_code == 204, response.text


def has(http: httpx.Client, name: str) -> bool:
    response = http.get("/sparql", params={"query": f"ASK {{ {triple(name)} }}"})
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def time_out(http: httpx.Client) -> None:
    """A query past the time limit: its worker is killed and a new one forked."""
    response = http.post(
        "/sparql", content=HEAVY, headers={"content-type": "application/sparql-query"}
    )
    assert response.status_code == 503, response.text


def test_the_worker_is_forked_from_the_zygote(timed: Server) -> None:
    assert timed.process is not None
    (zygote,) = children(timed.process.pid)
    assert len(children(zygote)) == 1


def network(pid: int) -> str:
    return os.readlink(f"/proc/{pid}/ns/net")


def test_the_zygote_and_the_worker_have_no_network(timed: Server) -> None:
    """They live in a network namespace of their own (`runtime.isolation`)."""
    needs_network_namespaces()
    assert timed.process is not None
    (zygote,) = children(timed.process.pid)
    (worker,) = children(zygote)
    assert network(zygote) == network(worker) != network(timed.process.pid)


def test_a_spawned_zygote_and_its_workers_have_no_network_either(timed: Server) -> None:
    needs_network_namespaces()
    assert timed.process is not None
    (zygote,) = children(timed.process.pid)
    os.kill(zygote, signal.SIGKILL)
    with timed.client() as http:
        time_out(http)  # the next worker comes from a zygote spawned anew
        assert has(http, "none") is False
    workers = [w for child in children(timed.process.pid) for w in children(child)]
    assert workers and all(network(w) != network(timed.process.pid) for w in workers)


def test_the_zygote_is_forked_while_the_server_has_one_thread(timed: Server) -> None:
    """(Its memory limit's watcher thread starts after the fork: a fork waits for the other
    threads of the process to end, and a lock one of them held would stay locked.)"""
    assert timed.log and not [line for line in timed.log if UNSAFE_FORK in line]


def test_the_zygote_is_forked_with_one_thread_by_a_server_that_builds_its_store(
    tmp_path: Path,
) -> None:
    """Regression: `srg serve` on a store that was not there yet built it and then forked the
    zygote from a process that still ran the engine's background threads (RocksDB's, started
    by the build's on-disk store, which Python cannot stop), and logged UNSAFE_FORK. The
    zygote is now forked before the build; it forks working query workers all the same."""
    store = tmp_path / "new-store"
    running = Server(store, TOKEN, SRG_QUERY_TIMEOUT="2").start(timeout=120)
    try:
        assert [line for line in running.log if line.startswith("Built ")]
        assert not [line for line in running.log if UNSAFE_FORK in line]
        assert running.process is not None
        (zygote,) = children(running.process.pid)
        assert len(children(zygote)) == 1
        with running.client() as http:
            vloca = "<https://w3id.org/srg/id/werkbank/vloca>"
            answer = http.get("/sparql", params={"query": f"ASK {{ {vloca} ?p ?o }}"})
            assert answer.status_code == 200 and answer.json()["boolean"] is True
            write(http, "built")
            time_out(http)  # the next worker is forked from the same zygote
            assert has(http, "built")
        assert children(running.process.pid) == [zygote]
    finally:
        running.stop()
    assert not [line for line in running.log if UNSAFE_FORK in line]


def test_long_answers_keep_their_worker(timed: Server) -> None:
    """An answer longer than a pipe write (the worker sends it in two) is read whole: neither
    taken for a lost worker nor sent again to a new one."""
    assert timed.process is not None
    (zygote,) = children(timed.process.pid)
    (worker,) = children(zygote)
    with timed.client() as http:
        for number in range(20):
            text = f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {2000 + number}"  # each text anew
            answer = http.get("/sparql", params={"query": text})
            assert answer.status_code == 200 and len(answer.content) > 100_000
    assert children(zygote) == [worker]


def test_worker_killed_at_the_time_limit_is_replaced_and_sees_every_write(timed: Server) -> None:
    assert timed.process is not None
    (zygote,) = children(timed.process.pid)
    (worker,) = children(zygote)
    with timed.client() as http:
        write(http, "before")
        time_out(http)
        assert not running(worker)
        assert has(http, "before")
        write(http, "after")
        assert has(http, "after") and has(http, "before")
    assert children(zygote) != [worker]


def test_queries_in_flight_on_a_killed_worker_run_again(timed: Server) -> None:
    """Light queries sent without pause while another query is killed at the time limit
    all answer: one on the killed worker runs again on its successor."""
    statuses: list[int] = []
    stop = threading.Event()

    def light() -> None:
        with timed.client() as http:
            while not stop.is_set():
                statuses.append(
                    http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code
                )

    thread = threading.Thread(target=light)
    thread.start()
    try:
        with timed.client() as http:
            time_out(http)
            time_out(http)
    finally:
        stop.set()
        thread.join(30)
    assert statuses and set(statuses) == {200}


def test_a_lost_zygote_is_spawned_again(timed: Server) -> None:
    """Without its zygote the server starts a new one; the workers it forks load the snapshot
    and replay the log, so they see the writes made before and after the loss."""
    assert timed.process is not None
    (zygote,) = children(timed.process.pid)
    with timed.client() as http:
        write(http, "one")
        os.kill(zygote, signal.SIGKILL)
        write(http, "two")
        assert has(http, "one") and has(http, "two")  # the worker itself lives on
        time_out(http)
        assert has(http, "one") and has(http, "two")
        write(http, "three")
        assert has(http, "three")
        time_out(http)
        assert all(has(http, name) for name in ("one", "two", "three"))


def test_zygote_and_worker_end_with_a_killed_server(timed: Server) -> None:
    assert timed.process is not None
    (zygote,) = children(timed.process.pid)
    family = [zygote, *children(zygote)]
    timed.kill()
    deadline = time.monotonic() + 10
    while any(running(pid) for pid in family) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(running(pid) for pid in family)


def test_an_update_whose_where_follows_its_own_change_runs_on_a_copy(timed: Server) -> None:
    """The worker records an update's change without copying the dataset, except when a WHERE
    clause must see an earlier operation of the same request: then it runs on a copy."""
    subject = "<http://example.org/workers/sequential>"
    update = (
        f'INSERT DATA {{ {subject} <http://example.org/p> "1" }} ;\n'
        "DELETE { ?s <http://example.org/p> ?o } INSERT { ?s <http://example.org/q> ?o }\n"
        f"WHERE {{ ?s <http://example.org/p> ?o FILTER(?s = {subject}) }}"
    )
    with timed.client() as http:
        response = http.post(
            "/sparql",
            content=update,
            headers={"content-type": "application/sparql-update", **AUTH},
        )
        assert response.status_code == 204, response.text
        ask = (
            f'ASK {{ {subject} <http://example.org/q> "1" '
            f'FILTER NOT EXISTS {{ {subject} <http://example.org/p> "1" }} }}'
        )
        assert http.get("/sparql", params={"query": ask}).json()["boolean"]


def test_an_update_on_a_copy_keeps_the_empty_graphs(timed: Server) -> None:
    """The copy holds the empty named graphs too: its change dropped every one of them, and
    a CREATE of one that exists succeeded (found by a differential run against pyoxigraph)."""
    empty, headers = "<http://example.org/workers/empty>", {**AUTH, **UPDATE}
    sequential = (
        "INSERT DATA { GRAPH <http://example.org/workers/a> { <urn:x:s> <urn:x:p> 1 } } ;\n"
        "DELETE WHERE { GRAPH <http://example.org/workers/a> { ?s ?p 2 } }"
    )
    with timed.client() as http:
        assert (
            http.post("/sparql", content=f"CREATE GRAPH {empty}", headers=headers).status_code
            == 204
        )
        assert http.post("/sparql", content=sequential, headers=headers).status_code == 204
        graph = {"graph": empty.strip("<>")}
        assert http.get("/graph-store", params=graph).status_code == 200
        create = http.post(
            "/sparql", content=f"{sequential} ; CREATE GRAPH {empty}", headers=headers
        )
        assert create.status_code == 409, create.text
