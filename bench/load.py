"""Load driver: send the analyst query mix to a SPARQL endpoint and check every answer.

    python bench/load.py http://127.0.0.1:7878/query --expected /tmp/srg-bench/expected.json

Standard protocol: POST of an `application/x-www-form-urlencoded` `query=`; SELECT asks for
`application/sparql-results+json`, CONSTRUCT/DESCRIBE for `text/turtle`. Two modes:
- `repeated`: the mix's texts as they are, sent again and again (an exact-answer cache helps);
- `cold`: every request's text made unique by a first line `# request <run>-<counter>`, a
  comment, so the answer is the same and no cache keyed on the text can help.

An answer is correct when the status is 200, the body parses and its row (or distinct triple)
count equals the reference count (`check: nonempty` queries: at least one row when the
reference has one). Parsing costs the client far more than the server takes to answer a
cached query, so each query's answer is checked in full only until it has been seen right
once (per `Checker`, that is per server and round); a later answer with the same status and
body digest is the same answer, any other is checked in full again (a wrong one fails).
Only loopback targets; every pass is bounded in requests and seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import itertools
import json
import re
import secrets
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import wire

QUERIES = Path(__file__).resolve().parent / "queries"
ACCEPT = {"select": "application/sparql-results+json", "graph": "text/turtle"}
MODES = ("cold", "repeated")
MAX_REQUESTS = 1_000_000  # per pass, whatever the time bound says


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    kind: str  # "select" or "graph"
    check: str  # "rows" (equal to the reference) or "nonempty"


def load_queries(folder: Path = QUERIES) -> list[Query]:
    found = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        kind = "graph" if re.search(r"^\s*(CONSTRUCT|DESCRIBE)\b", body, re.M | re.I) else "select"
        check = "nonempty" if re.search(r"^# check: nonempty", text, re.M) else "rows"
        found.append(Query(path.stem, text, kind, check))
    return found


def count(kind: str, body: bytes) -> int:
    """Rows of a SPARQL JSON result, or distinct triples of a Turtle document."""
    if kind == "select":
        return len(json.loads(body)["results"]["bindings"])
    return len(set(ox.parse(body, ox.RdfFormat.TURTLE)))


def require_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise SystemExit(f"refusing {url}: only loopback targets are benchmarked")


def rows_problem(query: Query, rows: int, want: int | None) -> str | None:
    """What is wrong with `rows` answers to `query` given the reference count, if anything."""
    if query.check == "nonempty":
        right = rows > 0 if want is None or want > 0 else rows == 0
    else:
        right = want is None or rows == want
    return None if right else f"{query.name}: {rows} rows, expected {want}"


class Checker:
    """Judges answers against the reference counts; remembers the digests of right ones."""

    def __init__(self, expected: dict[str, int]):
        self.expected = expected
        self.right: dict[str, set[bytes]] = {}
        self.full_checks = 0

    def problem(self, query: Query, answer: wire.Response) -> str | None:
        if answer.status != 200:
            return f"{query.name}: HTTP {answer.status}"
        digest = hashlib.blake2b(answer.body, digest_size=16).digest()
        known = self.right.setdefault(query.name, set())
        if digest in known:
            return None
        self.full_checks += 1
        try:
            rows = count(query.kind, answer.body)
        except (ValueError, KeyError, TypeError, SyntaxError):
            return f"{query.name}: does not parse as asked ({answer.content_type or '?'})"
        problem = rows_problem(query, rows, self.expected.get(query.name))
        if problem is None:
            known.add(digest)
        return problem


class Texts:
    """The request bytes of every query: made once for `repeated`; for `cold`, the query's
    form body with a unique comment line in front (the counter is shared by all clients)."""

    def __init__(self, url: str, queries: list[Query]):
        self.where = wire.target(url)
        self.run = secrets.token_hex(4)
        self.counter = itertools.count()
        self.repeated = [
            wire.request(self.where, wire.form_body(q.text), ACCEPT[q.kind]) for q in queries
        ]
        # The form encoding of "# request R-N\n" + text is that of the line, then of the
        # text; both encoded ahead, so a cold request costs the client a few microseconds more.
        line = wire.form_body(f"# request {self.run}-")
        self.cold = [
            (line, b"%0A" + wire.form_body(q.text).removeprefix(b"query="), ACCEPT[q.kind])
            for q in queries
        ]

    def raw(self, index: int, mode: str) -> bytes:
        if mode == "repeated":
            return self.repeated[index]
        line, rest, accept = self.cold[index]
        body = b"%b%d%b" % (line, next(self.counter), rest)
        return wire.request(self.where, body, accept)


@dataclass
class Stats:
    """Latencies (seconds) of every answer, the failures, the requests cut by the time cap,
    the wall time and the client's own CPU time.

    Throughput counts every answer that came back (a wrong one too: it was work done); the
    failures are listed beside it.
    """

    latencies: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    wall: float = 0.0
    client_cpu: float = 0.0

    def merge(self, other: Stats) -> None:
        self.latencies += other.latencies
        self.wall += other.wall
        self.client_cpu += other.client_cpu
        self.skipped += other.skipped
        for key, n in other.failures.items():
            self.failures[key] = self.failures.get(key, 0) + n

    def fail(self, problem: str) -> None:
        self.failures[problem] = self.failures.get(problem, 0) + 1

    def summary(self) -> dict[str, float | int | dict[str, int]]:
        lat = sorted(self.latencies)
        q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else lat * 99
        return {
            "answers": len(lat),
            "failures": dict(self.failures),
            "skipped": self.skipped,
            "qps": round(len(lat) / self.wall, 2) if self.wall else 0.0,
            "p50_ms": round(q[49] * 1000, 2) if q else 0.0,
            "p95_ms": round(q[94] * 1000, 2) if q else 0.0,
            "p99_ms": round(q[98] * 1000, 2) if q else 0.0,
            "wall_s": round(self.wall, 2),
            # the client's CPU per second of the pass: near 1.0 it, not the server, was the limit
            "client_cpu_share": round(self.client_cpu / self.wall, 3) if self.wall else 0.0,
            "client_us_per_answer": round(self.client_cpu / len(lat) * 1e6, 1) if lat else 0.0,
        }


@dataclass(frozen=True)
class Bounds:
    """How long a pass runs: each client sends whole passes over the mix until `seconds`
    have gone by (at least one, at most `mixes`), and no request after `cap` seconds (the
    rest of its mix is counted as skipped); `timeout` is per request."""

    seconds: float = 0.0
    cap: float = 60.0
    mixes: int = 1_000_000
    timeout: float = 60.0


def client(
    connection: wire.Connection,
    order: list[int],
    send: Callable[[wire.Connection, int, Stats], None],
    bounds: Bounds,
    began: float,
    stats: Stats,
) -> None:
    """One client: whole mixes in its own order until the bounds say stop."""
    soft, hard = began + bounds.seconds, began + bounds.cap
    clock, mixes = time.perf_counter, 0
    while True:
        for done, index in enumerate(order):
            if clock() > hard:
                stats.skipped += len(order) - done
                return
            send(connection, index, stats)
        mixes += 1
        if mixes >= bounds.mixes or clock() > soft:
            return


def timed_pass(
    url: str,
    queries: list[Query],
    checker: Checker,
    texts: Texts,
    mode: str,
    concurrency: int,
    bounds: Bounds,
    first: int = 0,
) -> Stats:
    """`concurrency` clients, each on its own keep-alive connection and starting the mix at
    its own place (client k at query `first + k`), send whole mixes within `bounds`; every
    answer judged by `checker`. A pass cut by the cap holds more of the queries a client
    starts with: give each round another `first`."""
    require_loopback(url)
    clock = time.perf_counter

    def send(connection: wire.Connection, index: int, stats: Stats) -> None:
        query, raw = queries[index], texts.raw(index, mode)
        start = clock()
        try:
            answer = connection.send(raw)
        except (OSError, ValueError) as error:
            stats.fail(f"{query.name}: {type(error).__name__}")
            return
        stats.latencies.append(clock() - start)
        problem = checker.problem(query, answer)
        if problem is not None:
            stats.fail(problem)

    n = len(queries)
    per_client = [Stats() for _ in range(concurrency)]
    connections = [wire.Connection(texts.where, bounds.timeout) for _ in range(concurrency)]
    cpu, began = time.process_time(), clock()
    threads = [
        threading.Thread(
            target=client,
            args=(
                connections[k],
                [(first + k + i) % n for i in range(n)],
                send,
                bounds,
                began,
                per_client[k],
            ),
        )
        for k in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Stats(wall=clock() - began, client_cpu=time.process_time() - cpu)
    for connection in connections:
        connection.close()
    for stats in per_client:
        total.merge(stats)
    return total


def run(
    url: str,
    queries: list[Query],
    expected: dict[str, int],
    concurrency: int,
    passes: int = 1,
    timeout: float = 60.0,
    budget: float | None = None,
) -> Stats:
    """Each of `concurrency` clients sends the whole mix `passes` times (repeated texts);
    requests not yet sent after `budget` seconds (default: `timeout` per query) are skipped."""
    cap = budget or timeout * len(queries) * passes
    bounds = Bounds(seconds=cap, cap=cap, mixes=passes, timeout=timeout)
    texts = Texts(url, queries)
    return timed_pass(url, queries, Checker(expected), texts, "repeated", concurrency, bounds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the SPARQL query endpoint, e.g. http://127.0.0.1:8000/sparql")
    parser.add_argument("--expected", type=Path, help="reference row counts (JSON from prepare)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per pass (whole mixes)")
    parser.add_argument("--cap", type=float, default=60.0, help="no request after this, per pass")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    args = parser.parse_args(argv)
    expected = json.loads(args.expected.read_text()) if args.expected else {}
    queries = load_queries()
    texts, checker = Texts(args.url, queries), Checker(expected)
    bounds = Bounds(args.seconds, args.cap, timeout=args.timeout)
    for mode in args.modes:
        for level in args.concurrency:
            stats = timed_pass(args.url, queries, checker, texts, mode, level, bounds)
            print(json.dumps({"mode": mode, "concurrency": level, **stats.summary()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
