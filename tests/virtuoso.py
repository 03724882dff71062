"""A private OpenLink Virtuoso (open source, Debian's `virtuoso-opensource`) per store, for
remote-store mode on a second engine: `SRG_TEST_REMOTE=virtuoso` (tests/server.py).

Each instance has a database directory of its own beside the store (`<store>-virtuoso`), a
`virtuoso.ini` written here on every start (free ports on 127.0.0.1 for SQL and HTTP, file
access limited to that directory, no plug-ins, no anytime-query cut-off), and never the
package's system service (scripts/install-virtuoso.sh keeps that off). On a fresh database
the SPARQL user (the anonymous `/sparql` endpoint) is granted SPARQL_UPDATE through `isql`,
which also opens the Graph Store endpoint `/sparql-graph-crud` to writes; then the store is
copied in with `srg push`. A query without FROM sees every graph: Virtuoso's default graph is
the union of its graphs, as `oxigraph serve --union-default-graph`.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx
from server import RemoteStoreServer, free_port, run_srg

from srg_graph.store import RemoteStore

VIRTUOSO = Path("/usr/bin/virtuoso-t")
ISQL = Path("/usr/bin/isql-vt")
INSTALL = "run ./scripts/install-virtuoso.sh (as root) first"

INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
; every row and every triple of an answer: no cut-off at 10,000 rows
ResultSetMaxRows = 100000000
; no time limit of its own: srg gives up at its query time limit and closes the connection,
; which stops the query (a limit here would answer a part of the result: srg reads it as 503)
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""

# What a fresh database needs: SPARQL Update on /sparql and writes on /sparql-graph-crud.
SETUP = 'GRANT SPARQL_UPDATE TO "SPARQL";'


# What Virtuoso 7.2 cannot do, by test (a test id, or a test function for all its cases):
# these are expected to fail under SRG_TEST_REMOTE=virtuoso (tests/conftest.py), strictly.
EMPTY_GRAPHS = "Virtuoso keeps no empty named graph: a graph exists while it holds triples"
WRONG = "Virtuoso 7.2 answers a product query wrongly"
ENGINE_BINDS = (
    "tests/test_named_queries.py::test_the_server_answers_a_named_query_as_the_engine_binds_it"
)
LIMITS: dict[str, str] = {
    "tests/test_graph_store.py::test_put_empty_graph_creates_an_empty_graph": EMPTY_GRAPHS,
    "tests/test_query_api.py::test_every_example_url_answers[reporting-chain]": (
        "Virtuoso 7.2 cannot compile reporting-chain.rq (Internal error, ssl refd before set)"
    ),
    f"{ENGINE_BINDS}[reporting-chain]": (
        "Virtuoso 7.2 cannot compile reporting-chain.rq (Internal error, unknown table)"
    ),
    "tests/test_writes.py::test_violating_update_report_as_turtle": (
        "Virtuoso 7.2 cannot run fast-validation-path.rq, which copies a blank-node path into "
        "the report (Unsupported case in CONVERT: a literal reached by the any-path)"
    ),
    "tests/test_mappings.py::test_coverage_answers_change_as_mappings_are_imported": (
        f"{WRONG}: vloca-coverage.rq counts no mapped resource"
    ),
    "tests/test_validate_endpoint.py::test_get_json_is_the_report_of_the_seed": (
        f"{WRONG}: the checks LeadIsOrganization and WerkbankLeadFlemish (a zero-length "
        "path inside MINUS, a join of two subqueries) differ from pySHACL's results"
    ),
    "tests/test_validate_endpoint.py::test_get_turtle_is_a_standard_validation_report": (
        f"{WRONG}: as the JSON report of the seed"
    ),
    "tests/test_shape_writes.py::test_the_unchanged_seed_conforms": (
        f"{WRONG}: as the JSON report of the seed"
    ),
}
# Not run on Virtuoso, for the reason given: by test id, or a test file for all its tests.
NOT_RUN: dict[str, str] = {
    # the W3C suites hold the engine to the standard, which Virtuoso 7.2 departs from in about
    # 180 of their cases (functions 56, property paths 44, aggregates 31, syntax it accepts
    # or refuses 17, casts, CSV/TSV results, ...); the other files run the product's queries
    "tests/test_w3c_sparql.py": "the W3C SPARQL 1.1 suites test the engine, and Virtuoso 7.2 "
    "is not a conforming one (about 180 of their cases fail on it)",
    # the query time limit cannot stop a query in Virtuoso (closing the connection does,
    # later), and every query after a heavy one waits for it
    "tests/test_limits.py::test_burst_of_40_concurrent_queries_never_drops_a_connection": (
        "Virtuoso 7.2 answers 5 concurrent COUNT queries in seconds each (70 ms alone), so "
        "40 at once all go past the query time limit"
    ),
}
# Not run on Virtuoso, by fixture (every test that uses it), for the reason given.
NOT_RUN_FIXTURES: dict[str, str] = {
    "limited": "the server's 2 s query time limit is within Virtuoso's time to compile a query "
    "of a new form on a busy machine (1-3 s), so its light queries time out now and then; "
    "a heavy query holds Virtuoso past the limit (srg cannot stop a query there)",
}


def available() -> bool:
    return VIRTUOSO.exists() and ISQL.exists()


class VirtuosoServer(RemoteStoreServer):
    """A private `virtuoso-t` holding a copy of a store, made beside it on first use."""

    def __init__(self, store: Path):
        if not available():
            raise RuntimeError(f"Virtuoso is not installed: {INSTALL}")
        self.location = store.with_name(store.name + "-virtuoso")
        fresh = not self.location.exists()
        self.location.mkdir(parents=True, exist_ok=True)
        self.sql_port, http_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{http_port}"
        ini = self.location / "virtuoso.ini"
        ini.write_text(
            INI.format(dir=self.location, sql_port=self.sql_port, http_port=http_port), "utf-8"
        )
        command = [str(VIRTUOSO), "+foreground", "+configfile", str(ini)]
        self.process = subprocess.Popen(
            command, cwd=self.location, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self._wait()
        if fresh:
            self.isql(SETUP)
            pushed = run_srg("push", "--gsp-endpoint", self.gsp, store=store)
            if pushed.returncode != 0:
                self.stop()
                raise RuntimeError(f"srg push failed: {pushed.stderr}")
        self._warm_up()

    @property
    def gsp(self) -> str:
        return f"{self.url}/sparql-graph-crud"

    def _wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                httpx.get(f"{self.url}/sparql", params={"query": "ASK {}"}, timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        log = self.location / "virtuoso.log"
        tail = log.read_text("utf-8", "replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"virtuoso-t did not start:\n{tail}")

    def _warm_up(self) -> None:
        """A first query over the data: Virtuoso takes seconds over its first one after a
        start, which would be over the tests' tight query time limits."""
        store = RemoteStore(*self.endpoints(), timeout=120)
        try:
            store.graph_names()
            store.ask("ASK { ?s ?p ?o }")
        finally:
            store.close()

    def isql(self, sql: str) -> str:
        """Run SQL statements as the DBA of this private instance (loopback only)."""
        command = [str(ISQL), f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={sql}"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql failed on {sql!r}: {done.stdout}{done.stderr}")
        return done.stdout

    def endpoints(self) -> tuple[str, str, str]:
        return f"{self.url}/sparql", f"{self.url}/sparql", self.gsp

    def remove(self) -> None:
        """Stop the instance and delete its database."""
        self.stop()
        shutil.rmtree(self.location, ignore_errors=True)
