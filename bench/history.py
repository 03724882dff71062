"""Time travel at scale: the analyst mix at an early version against the current data.

    .venv/bin/python -m bench.history /tmp/bench-1m.nq --workdir /tmp/history-1m \\
        [--changes 10000] [--early 10] [--rounds 5]

The store has a history the way the product makes one: `srg build` of the seed (change 1),
`srg load` of the generated file (change 2, validated, folded into the snapshot), then
`--changes` small changes (an alternative label of an organisation added, the one of the
round before removed), each logged durably as a change of the history by `Dataset.commit`
in this process (not validated one by one through a server: that would take an hour and
measure the writes, not time travel). The store is kept in the workdir for the next run.

Then `srg serve` (its defaults: one query worker, 2 past versions kept) answers, for each
query of the mix, `--rounds` times in alternation: the query on the current data, and the
same with `version=N` for the early version N (`--early`, by default the change just after
the load); the first query at N is timed apart (it makes the version). Also a version in
the middle of the history, and the history's own requests (`/changes`, `/changes/{n}`, the
first of which reads the index of the log). A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.compare import serve as serve_checkout
from bench.load import ACCEPT, Query, count, load_queries
from bench.report import emit
from srg_graph.config import Settings
from srg_graph.dataset.build import build
from srg_graph.dataset.bulk_load import load_files
from srg_graph.dataset.embedded import Dataset
from srg_graph.dataset.history import Meta
from srg_graph.store import Delta

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/srg/id/"
ORGANISATIONS = "https://w3id.org/srg/graph/bench-organisations"
ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
CHOSEN = (
    "SELECT ?s WHERE { GRAPH <https://w3id.org/srg/graph/bench-organisations> "
    "{ ?s a <http://www.w3.org/ns/org#Organization> } } ORDER BY ?s LIMIT 500"
)


def rss_tree(pid: int) -> float:
    """The resident memory of a process and its descendants, in MiB (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * 4096
            for task in Path(f"/proc/{current}/task").glob("*/children"):
                todo += [int(child) for child in task.read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return round(total / 2**20, 1)


def alias(subject: str, round_: int) -> bytes:
    return f'<{subject}> {ALT} "alias {round_}"@nl <{ORGANISATIONS}> .\n'.encode()


def prepare_base(generated: Path, store: Path) -> dict[str, float]:
    """`srg build` of the seed (change 1), `srg load` of the generated file (change 2);
    seconds of each step."""
    seconds: dict[str, float] = {}
    settings = Settings(store=store)
    clock = time.perf_counter()
    build(settings, meta=Meta("bench", "the seed", "build"))
    seconds["build_seed"] = round(time.perf_counter() - clock, 1)
    clock = time.perf_counter()
    load_files(store, [generated], meta=Meta("bench", "the generated data", "load"))
    seconds["load_generated"] = round(time.perf_counter() - clock, 1)
    return seconds


def commit_changes(store: Path, changes: int) -> float:
    """`changes` small changes, each logged durably by `Dataset.commit` (see the module's
    docstring); seconds."""
    clock = time.perf_counter()
    data = Dataset.recovered(store)
    subjects = [row["s"] for row in data.store.rows(CHOSEN)]
    for number in range(changes):
        subject = subjects[number % len(subjects)]
        previous = number - len(subjects)
        removed = alias(subject, previous) if previous >= 0 else b""
        delta = Delta(removed, alias(subject, number), frozenset({ORGANISATIONS}))
        data.commit(delta, Meta("bench", f"alias {number}"))
    data.close()
    return round(time.perf_counter() - clock, 1)


def prepare(generated: Path, store: Path, changes: int) -> dict[str, float]:
    """The store with its history (see the module's docstring); seconds of each step."""
    seconds = prepare_base(generated, store)
    seconds["commit_changes"] = commit_changes(store, changes)
    return seconds


def serve(store: Path) -> tuple[subprocess.Popen[str], str]:
    """`srg serve` of this checkout on `store`, and its base URL."""
    process, endpoint = serve_checkout(ROOT, store, [])
    return process, endpoint.removesuffix("/sparql")


def timed(http: httpx.Client, query: Query, version: int | None) -> tuple[float, int]:
    data = {"query": query.text} | ({} if version is None else {"version": str(version)})
    start = time.perf_counter()
    response = http.post("/sparql", data=data, headers={"Accept": ACCEPT[query.kind]})
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{query.name} at {version}: {response.status_code} {response.text}")
    return elapsed, count(query.kind, response.content)


def get(http: httpx.Client, path: str, **headers: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = http.get(path, headers=headers)
    response.raise_for_status()
    return round(time.perf_counter() - start, 3), len(response.content)


def compare(http: httpx.Client, queries: list[Query], version: int, rounds: int) -> dict:
    """Per query: the median latency on the current data and at `version`, alternating."""
    rows = {}
    for query in queries:
        now, then, counts = [], [], set()
        for number in range(rounds):
            order = (None, version) if number % 2 == 0 else (version, None)
            for at in order:
                elapsed, found = timed(http, query, at)
                (now if at is None else then).append(elapsed)
                counts.add((at is None, found))
        current, past = statistics.median(now), statistics.median(then)
        rows[query.name] = {
            "current_ms": round(current * 1000, 1),
            "version_ms": round(past * 1000, 1),
            "ratio": round(past / current, 2),
            "rows": sorted(counts),
        }
    total_now = sum(r["current_ms"] for r in rows.values())
    total_then = sum(r["version_ms"] for r in rows.values())
    rows["(sum of medians)"] = {
        "current_ms": round(total_now, 1),
        "version_ms": round(total_then, 1),
        "ratio": round(total_then / total_now, 2),
    }
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("generated", type=Path, help="bench/generate.py output (N-Quads)")
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--early", type=int, default=3, help="the early version to query")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, help="write the results here (JSON)")
    args = parser.parse_args(argv)
    store = args.workdir / "store"
    result: dict = {"changes": args.changes, "early": args.early}
    if not store.exists():
        args.workdir.mkdir(parents=True, exist_ok=True)
        result["prepare_s"] = prepare(args.generated, store, args.changes)
    clock = time.perf_counter()
    process, url = serve(store)
    result["ready_s"] = round(time.perf_counter() - clock, 1)
    queries = load_queries()
    try:
        with httpx.Client(base_url=url, timeout=600) as http:
            health = http.get("/health").json()
            current = health["version_number"]
            result |= {"quads": health["quads"], "version": current}
            result["rss_mb_start"] = rss_tree(process.pid)
            result["changes_first_s"], _ = get(http, "/changes")  # the index of the log
            result["changes_again_s"], _ = get(http, "/changes")
            result["change_patch_s"], _ = get(http, f"/changes/{args.early}")
            chosen = http.get("/sparql", params={"query": CHOSEN + " OFFSET 7"}).json()
            page = "/doc/" + chosen["results"]["bindings"][0]["s"]["value"].removeprefix(ID)
            result["resource_page_s"], _ = get(http, page, Accept="text/html")
            result["timemap_s"], _ = get(http, page.replace("/doc/", "/timemap/"))
            for name, version in (("early", args.early), ("middle", current // 2)):
                first, _ = timed(http, queries[0], version)
                result[f"{name}_first_query_s"] = round(first, 2)
            result["rss_mb_two_versions"] = rss_tree(process.pid)
            result["memento_page_s"], _ = get(
                http, f"{page}?version={args.early}", Accept="text/html"
            )
            result["mix"] = compare(http, queries, args.early, args.rounds)
    finally:
        process.terminate()
        process.wait(30)
    emit(result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
