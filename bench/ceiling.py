"""The load client's own ceiling: how many answers a second it could take on one core.

    python bench/ceiling.py [--seconds 5]

Serves the seed (about 5,000 quads: every answer of the mix small and fast) with in-memory
`oxigraph serve` on the servers' core, and sends the mix from the client's core: with the
lean client of `load.py` (cold and repeated, concurrency 1 and 8) and, for comparison, the
way the driver worked before (httpx, every answer parsed and counted). For each it prints
the answers per second reached, the client's CPU per answer and the share of its core it
used: the client's ceiling is one core's second over its CPU per answer. A reached rate far
below the ceiling, with a small share, means the server (or a busy machine) was the limit.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import servers
from bench.load import ACCEPT, MODES, Bounds, Checker, Query, Texts, count, load_queries, timed_pass
from bench.prepare import reference
from srg_graph.config import Settings
from srg_graph.dataset.build import source_store


def httpx_rate(url: str, queries: list[Query], concurrency: int, seconds: float) -> dict:
    """The old way: httpx, each answer parsed and counted; answers a second and CPU each."""
    answers: list[int] = []
    end = time.perf_counter() + seconds

    def client(k: int) -> None:
        with httpx.Client(timeout=60) as http:
            i = k
            while time.perf_counter() < end:
                query = queries[i % len(queries)]
                answer = http.post(
                    url, data={"query": query.text}, headers={"Accept": ACCEPT[query.kind]}
                )
                count(query.kind, answer.content)
                answers.append(1)
                i += 1

    cpu, began = time.process_time(), time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall, used = time.perf_counter() - began, time.process_time() - cpu
    return {
        "qps": round(len(answers) / wall, 1),
        "client_us_per_answer": round(used / len(answers) * 1e6, 1),
        "client_cpu_share": round(used / wall, 3),
    }


def row(what: str, level: int, found: dict) -> str:
    ceiling = 1e6 / found["client_us_per_answer"] if found["client_us_per_answer"] else 0
    return (
        f"| {what} | {level} | {found['qps']} | {found['client_us_per_answer']} "
        f"| {found['client_cpu_share']} | {ceiling:,.0f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement")
    parser.add_argument("--server-core", type=int, default=1)
    parser.add_argument("--client-core", type=int, default=0)
    args = parser.parse_args(argv)
    os.sched_setaffinity(0, {args.client_core})
    queries = load_queries()
    seed = source_store(Settings().root)
    expected = reference(seed, queries)
    with tempfile.TemporaryDirectory() as work:
        nquads = Path(work) / "seed.nq"
        nquads.write_bytes(seed.dump("nquads"))
        server = servers.oxigraph_memory(nquads, args.server_core)
        server.start(Path(work))
        lines = [
            f"oxigraph serve (memory) on core {args.server_core}, the seed "
            f"({len(seed)} quads), client on core {args.client_core}, load average "
            f"{os.getloadavg()[0]:.1f}; {args.seconds} s each.",
            "",
            "| client | c | answers/s | client µs/answer | client CPU share | ceiling answers/s |",
            "|---|---|---|---|---|---|",
        ]
        try:
            for level in (1, 8):
                texts, checker = Texts(server.url, queries), Checker(expected)
                bounds = Bounds(args.seconds, args.seconds * 4)
                for mode in MODES:
                    stats = timed_pass(server.url, queries, checker, texts, mode, level, bounds)
                    summary = stats.summary()
                    if summary["failures"]:
                        raise SystemExit(f"wrong answers: {summary['failures']}")
                    lines.append(row(f"lean, {mode}", level, summary))
                found = httpx_rate(server.url, queries, level, args.seconds)
                lines.append(row("httpx + every answer parsed", level, found))
        finally:
            server.stop()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
