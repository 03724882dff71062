"""Side-by-side run: the product, oxigraph serve (memory, disk) and rdflib-endpoint, interleaved.

    python bench/run.py /tmp/bench-1m.nq --rounds 5 --out bench/results

Every server serves the same quads (seed + generated) on a free loopback port. Rounds are
interleaved: in each round every server answers one pass of the mix per client, in an order
that rotates, so drift of the machine affects all of them alike. rdflib-endpoint is 25-55x
slower, so it takes part in the first `--rdflib-rounds` rounds only, with a per-request cap.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from importlib import metadata
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import servers
from bench.load import Stats, load_queries, run
from bench.prepare import prepare
from bench.report import markdown

LEVELS = (1, 8)


NAMES = ("product", "oxigraph-memory", "oxigraph-disk", "rdflib-endpoint")


def start_all(
    prepared_store: Path, nquads: Path, workdir: Path, names: list[str]
) -> list[servers.Server]:
    disk = workdir / "oxigraph-disk"
    shutil.rmtree(disk, ignore_errors=True)
    makers = {
        "product": lambda: servers.product(prepared_store),
        "oxigraph-memory": lambda: servers.oxigraph_memory(nquads),
        "oxigraph-disk": lambda: servers.oxigraph_disk(nquads, disk),
        "rdflib-endpoint": lambda: servers.rdflib_endpoint(nquads),
    }
    started = []
    for name in names:
        server = makers[name]()
        started.append(server)
        server.start(workdir)
        print(
            f"{server.name}: ready in {server.ready_s} s, PSS {server.pss_mb()} MiB, "
            f"RSS {server.rss_mb()} MiB",
            flush=True,
        )
    return started


def interleave(
    started: list[servers.Server],
    expected: dict[str, int],
    args: argparse.Namespace,
    deadline: float,
) -> dict[str, dict[int, Stats]]:
    queries = load_queries()
    stats = {s.name: {level: Stats() for level in LEVELS} for s in started}
    for level in LEVELS:
        for round_no in range(args.rounds):
            if time.perf_counter() > deadline:
                print("time budget spent: stopping early", flush=True)
                return stats
            shift = round_no % len(started)
            for server in started[shift:] + started[:shift]:
                slow = server.name == "rdflib-endpoint"
                if slow and round_no >= args.rdflib_rounds:
                    continue
                timeout = args.rdflib_timeout if slow else 60.0
                budget = args.rdflib_seconds if slow else None
                result = run(server.url, queries, expected, level, 1, timeout, budget)
                stats[server.name][level].merge(result)
            print(f"c={level} round {round_no + 1}/{args.rounds} done", flush=True)
    return stats


def memory(server: servers.Server, when: str) -> dict[str, float]:
    """PSS (shared pages split among the processes that share them) and RSS, in MiB."""
    return {f"pss_mb_{when}": server.pss_mb(), f"rss_mb_{when}": server.rss_mb()}


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        line.split(":", 1)[1].strip()
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    versions = {
        p: metadata.version(p)
        for p in ("pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint", "fastapi", "uvicorn")
    }
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        **versions,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="a file written by bench/generate.py")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per level")
    parser.add_argument("--rdflib-rounds", type=int, default=1, help="rounds for rdflib-endpoint")
    parser.add_argument("--rdflib-timeout", type=float, default=30.0, help="its cap per request")
    parser.add_argument(
        "--rdflib-seconds", type=float, default=60.0, help="its time per pass (rest skipped)"
    )
    parser.add_argument(
        "--servers", nargs="+", choices=NAMES, default=list(NAMES), help="which servers to run"
    )
    parser.add_argument("--budget", type=float, default=540.0, help="seconds for the whole run")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/srg-bench"))
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    prepared = prepare(args.data, args.workdir, load_queries())
    print(f"prepared {prepared.triples} quads: {prepared.seconds}", flush=True)
    started: list[servers.Server] = []
    try:
        started = start_all(prepared.store, prepared.nquads, args.workdir, args.servers)
        ready = {s.name: {"ready_s": s.ready_s, **memory(s, "ready")} for s in started}
        stats = interleave(started, prepared.expected, args, began + args.budget)
        for s in started:
            ready[s.name].update(memory(s, "after"))
    finally:
        for server in started:
            server.stop()
    results = {
        "data": str(args.data),
        "quads": prepared.triples,
        "prepare_s": prepared.seconds,
        "rounds": args.rounds,
        "rdflib_rounds": args.rdflib_rounds,
        "rdflib_timeout_s": args.rdflib_timeout,
        "rdflib_seconds": args.rdflib_seconds,
        "machine": machine(),
        "wall_s": round(time.perf_counter() - began, 1),
        "servers": {
            name: {**ready[name], **{f"c{lv}": st[lv].summary() for lv in LEVELS}}
            for name, st in stats.items()
        },
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"{args.data.name.split('.')[0]}"
    (args.out / f"{stem}.json").write_text(json.dumps(results, indent=1) + "\n")
    (args.out / f"{stem}.md").write_text(markdown(results))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
