"""The W3C SPARQL 1.1 test suite through the HTTP endpoint, as an outside client (issue 14).

Vendored in `tests/w3c/sparql11/` (see `tests/w3c/README.md`); the harness is `w3c_suite.py`.
Two real `srg serve` processes run on stores built from an empty source tree (no ontology,
shapes or data of the project, so the default graph holds only what the tests put there):

- the query server holds every data file of the query tests in a named graph of the file's URL
  (loaded once, by Graph Store PUT); each query evaluation test runs twice, its dataset given
  by `default-graph-uri`/`named-graph-uri` (`protocol`) and by FROM/FROM NAMED added to the
  query text (`from`); positive syntax queries must be accepted, negative ones refused (400);
- the update server is emptied (`DROP ALL`) and loaded (Graph Store PUT of the default and the
  named graphs) before each update evaluation test, whose whole dataset is then compared with
  the expected one (N-Quads dump); update syntax tests run there too, on an empty store.

SERVICE and LOAD are refused on purpose (400 with a policy message): a positive syntax test
using them passes when refused with that message (not with a syntax error), and so do the
LOAD SILENT evaluation tests (with the dataset unchanged).

Known failures are listed, never silently skipped:
- `w3c/engine-failures.txt`: the engine's own (pyoxigraph); `xfail(strict=True)`, and
  `test_engine_failure_is_oxigraph_serve_s` checks that `oxigraph serve` fails each of them the
  same way. When the engine is upgraded and passes one, the strict xfail fails: shrink the list.
The product's own failures found when the suite was added (FROM ignored, a missing graph or
an empty update refused with 400, two remote-store limits) are fixed: every other test passes,
embedded and in remote-store mode.
"""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import TOKEN
from server import OXIGRAPH, Server
from w3c_suite import (
    EMPTY,
    HERE,
    Case,
    Endpoint,
    listed,
    load_suite,
    read_graph_file,
    read_list,
    run,
    variants,
)

from srg_graph.store.history_graph import HISTORY

CASES = load_suite()
_, ENGINE = read_list(HERE / "engine-failures.txt")


def _param(case: Case, variant: str) -> object:
    marks: list[pytest.MarkDecorator] = []
    if reason := listed(ENGINE, case, variant):
        marks.append(pytest.mark.xfail(strict=True, reason=f"engine: {reason}"))
    name = case.short + (f"/{variant}" if variant else "")
    return pytest.param(case, variant, id=name, marks=marks)


def _params(kinds: set[str]) -> list[object]:
    return [_param(c, v) for c in CASES if c.kind in kinds for v in variants(c)]


def _srg_endpoint(server: Server) -> Endpoint:
    def dump(http: httpx.Client) -> bytes:
        answer = http.get(f"{server.url}/dumps/dataset.nq.gz")
        assert answer.status_code == 200, answer.text
        return gzip.decompress(answer.content)  # a .nq.gz file, not a content coding

    return Endpoint(
        f"{server.url}/sparql",
        f"{server.url}/sparql",
        f"{server.url}/graph-store",
        dump,
        {"Authorization": f"Bearer {TOKEN}"},
        (HISTORY,),
    )


def _empty_store(directory: Path) -> tuple[Path, Path]:
    """A source tree with nothing in it, and the store `srg build` makes of it."""
    root, store = directory / "root", directory / "store"
    for folder in ("ontology", "shapes", "data"):
        (root / folder).mkdir(parents=True)
    env = {**os.environ, "SRG_ROOT": str(root), "SRG_STORE": str(store)}
    command = [sys.executable, "-m", "srg_graph", "build"]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
    return root, store


def _serve(directory: Path) -> Server:
    root, store = _empty_store(directory)
    return Server(store, TOKEN, SRG_ROOT=str(root)).start()


def _load_query_data(endpoint: Endpoint) -> None:
    """Every data file of the query tests, once, in the named graph of its URL."""
    files = {url for c in CASES if c.kind == "query" for url in c.data}
    files |= {url for c in CASES if c.kind == "query" for _, url in c.graph_data}
    endpoint.put(EMPTY, [])
    for url in sorted(files):
        endpoint.put(url, read_graph_file(url))


@pytest.fixture(scope="module")
def queries(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    server = _serve(tmp_path_factory.mktemp("w3c-queries"))
    endpoint = _srg_endpoint(server)
    try:
        _load_query_data(endpoint)
        yield endpoint
    finally:
        endpoint.close()
        server.stop()


@pytest.fixture(scope="module")
def updates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    server = _serve(tmp_path_factory.mktemp("w3c-updates"))
    endpoint = _srg_endpoint(server)
    yield endpoint
    endpoint.close()
    server.stop()


def _check(case: Case, variant: str, queries: Endpoint, updates: Endpoint) -> None:
    outcome = run(case, variant, queries, updates)
    assert outcome.passed, f"{case.iri} {variant}\n{outcome.message}"


@pytest.mark.parametrize(("case", "variant"), _params({"syntax+", "syntax-"}))
def test_syntax(case: Case, variant: str, queries: Endpoint, updates: Endpoint) -> None:
    _check(case, variant, queries, updates)


@pytest.mark.parametrize(("case", "variant"), _params({"query"}))
def test_query_evaluation(case: Case, variant: str, queries: Endpoint, updates: Endpoint) -> None:
    _check(case, variant, queries, updates)


@pytest.mark.parametrize(("case", "variant"), _params({"update"}))
def test_update_evaluation(case: Case, variant: str, queries: Endpoint, updates: Endpoint) -> None:
    _check(case, variant, queries, updates)


# --- the engine's own failures, on `oxigraph serve` ------------------------------------------


class OxigraphServe:
    """`oxigraph serve` in memory, with its standard dataset (no union default graph)."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        command = [str(OXIGRAPH), "serve", "--bind", f"127.0.0.1:{port}"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{self.url}/query", params={"query": "ASK {}"}, timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("oxigraph serve did not start") from None
                time.sleep(0.05)

        def dump(http: httpx.Client) -> bytes:
            answer = http.get(f"{self.url}/store", headers={"Accept": "application/n-quads"})
            assert answer.status_code == 200, answer.text
            return answer.content

        self.endpoint = Endpoint(
            f"{self.url}/query", f"{self.url}/update", f"{self.url}/store", dump
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture(scope="module")
def oxigraph_queries() -> Iterator[Endpoint]:
    server = OxigraphServe()
    try:
        _load_query_data(server.endpoint)
        yield server.endpoint
    finally:
        server.endpoint.close()
        server.stop()


@pytest.fixture(scope="module")
def oxigraph_updates() -> Iterator[Endpoint]:
    server = OxigraphServe()
    yield server.endpoint
    server.endpoint.close()
    server.stop()


def _engine_params() -> list[object]:
    by_iri = {c.iri: c for c in CASES}
    params = []
    for (iri, variant), reason in sorted(ENGINE.items()):
        case = by_iri[iri]
        for each in variants(case) if variant == "*" else [variant]:
            name = case.short + (f"/{each}" if each else "")
            params.append(pytest.param(case, each, reason, id=name))
    return params


@pytest.mark.parametrize(("case", "variant", "reason"), _engine_params())
def test_engine_failure_is_oxigraph_serve_s(
    case: Case,
    variant: str,
    reason: str,
    queries: Endpoint,
    updates: Endpoint,
    oxigraph_queries: Endpoint,
    oxigraph_updates: Endpoint,
) -> None:
    """Each entry of the engine list fails on `oxigraph serve` itself, the same way as on the
    product (same status, same wrong answer): the failure is the engine's, not the product's."""
    ours = run(case, variant, queries, updates)
    theirs = run(case, variant, oxigraph_queries, oxigraph_updates)
    assert not theirs.passed, f"oxigraph serve passes {case.iri}: remove it from the list"
    assert ours.same_failure(theirs), (
        f"{reason}\nproduct: {ours.message}\noxigraph: {theirs.message}"
    )


def test_the_list_names_tests_of_the_suite() -> None:
    """Every listed failure is a test of the vendored suite."""
    known = {(c.iri, v) for c in CASES for v in variants(c)} | {(c.iri, "*") for c in CASES}
    assert set(ENGINE) <= known, sorted(set(ENGINE) - known)
    assert (HERE / "LICENSE.md").exists()
