"""Load driver: send the analyst query mix to a SPARQL endpoint and check every answer.

    python bench/load.py http://127.0.0.1:7878/query --expected /tmp/bench-100k.expected.json

Standard protocol: POST of an `application/x-www-form-urlencoded` `query=`; SELECT asks for
`application/sparql-results+json`, CONSTRUCT/DESCRIBE for `text/turtle`. An answer counts as
correct when the status is 200, the body parses and its row (or distinct triple) count equals
the reference count (`check: nonempty` queries: at least one). Only loopback targets; every
run is bounded in requests and seconds.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import re
import socket
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox

QUERIES = Path(__file__).resolve().parent / "queries"
ACCEPT = {"select": "application/sparql-results+json", "graph": "text/turtle"}
MAX_REQUESTS = 100_000


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


Outcome = tuple[float | None, str | None]


@dataclass
class Stats:
    """Latencies (seconds) of every answer, the failures, what was skipped, the wall time.

    Throughput counts every answer that came back (a wrong one too: it was work done); the
    failures are listed beside it.
    """

    latencies: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    wall: float = 0.0

    def merge(self, other: Stats) -> None:
        self.latencies += other.latencies
        self.wall += other.wall
        self.skipped += other.skipped
        for key, n in other.failures.items():
            self.failures[key] = self.failures.get(key, 0) + n

    def add(self, outcome: Outcome | None) -> None:
        if outcome is None:
            self.skipped += 1
            return
        latency, problem = outcome
        if latency is not None:
            self.latencies.append(latency)
        if problem is not None:
            self.failures[problem] = self.failures.get(problem, 0) + 1

    def summary(self) -> dict[str, float | int | dict[str, int]]:
        lat = sorted(self.latencies)
        q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else lat * 99
        return {
            "answers": len(lat),
            "failures": dict(self.failures),
            "skipped": self.skipped,
            "qps": round(len(lat) / self.wall, 2) if self.wall else 0.0,
            "p50_ms": round(q[49] * 1000, 1) if q else 0.0,
            "p95_ms": round(q[94] * 1000, 1) if q else 0.0,
            "p99_ms": round(q[98] * 1000, 1) if q else 0.0,
        }


def ask(client: httpx.Client, url: str, query: Query, expected: dict[str, int]) -> Outcome:
    """The latency of an answer (None when none came back) and what was wrong with it."""
    start = time.perf_counter()
    try:
        response = client.post(
            url, data={"query": query.text}, headers={"Accept": ACCEPT[query.kind]}
        )
        body = response.read()
    except httpx.HTTPError as error:
        return None, f"{query.name}: {type(error).__name__}"
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        return elapsed, f"{query.name}: HTTP {response.status_code}"
    try:
        rows = count(query.kind, body)
    except (ValueError, KeyError, SyntaxError):
        kind = response.headers.get("content-type", "?")
        return elapsed, f"{query.name}: does not parse as asked ({kind})"
    want = expected.get(query.name, rows)
    if rows > 0 if query.check == "nonempty" else rows == want:
        return elapsed, None
    return elapsed, f"{query.name}: {rows} rows, expected {want}"


def run(
    url: str,
    queries: list[Query],
    expected: dict[str, int],
    concurrency: int,
    passes: int = 1,
    timeout: float = 60.0,
    budget: float | None = None,
) -> Stats:
    """Each of `concurrency` clients sends the whole mix `passes` times; bounded in count and
    time: requests not yet sent after `budget` seconds (default: `timeout` per query) are
    skipped."""
    require_loopback(url)
    jobs = [q for _ in range(passes * concurrency) for q in queries][:MAX_REQUESTS]
    deadline = time.perf_counter() + (budget or timeout * len(queries) * passes)
    stats = Stats()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    with httpx.Client(timeout=timeout, limits=limits) as client:

        def one(query: Query) -> Outcome | None:
            if time.perf_counter() > deadline:
                return None
            return ask(client, url, query, expected)

        with ThreadPoolExecutor(concurrency) as pool:
            start = time.perf_counter()
            outcomes = list(pool.map(one, jobs))
            stats.wall = time.perf_counter() - start
    for outcome in outcomes:
        stats.add(outcome)
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the SPARQL query endpoint, e.g. http://127.0.0.1:8000/sparql")
    parser.add_argument("--expected", type=Path, help="reference row counts (JSON from run.py)")
    parser.add_argument("--passes", type=int, default=3, help="passes over the mix per client")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    args = parser.parse_args(argv)
    expected = json.loads(args.expected.read_text()) if args.expected else {}
    queries = load_queries()
    for level in args.concurrency:
        stats = run(args.url, queries, expected, level, args.passes, args.timeout)
        print(json.dumps({"concurrency": level, **stats.summary()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
