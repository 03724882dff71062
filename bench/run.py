"""Side-by-side run at several scales: the product, oxigraph serve (memory, disk) and
rdflib-endpoint, interleaved, in two modes (cold, repeated), at concurrency 1 and 8.

    python bench/run.py --scales seed 100k 1m 10m --budget 3600

For each scale: the data is generated (or reused), prepared (the product's store, the peers'
N-Quads, the reference counts), the servers are started one after the other on one core
(the client runs on another), the rounds run (`rounds.py`), the servers are stopped; each
scale's tables are written to `--out` as `{name}-{scale}.{md,json}`, and a summary across
the scales as `{name}-summary.md` and `{name}.json`.
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
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import scales, servers, wrk
from bench.load import MODES, Bounds, load_queries
from bench.prepare import Prepared, prepared
from bench.report import scale_markdown, summary_markdown
from bench.rounds import LEVELS, SLOW, Measured, Plan, interleave

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("product", "oxigraph-memory", "oxigraph-disk", SLOW)


def prepare_scale(data: scales.Data, where: Path, core: int, reuse: bool) -> dict[str, Any]:
    """`bench/prepare.py` as a process of its own on the servers' core (its memory is given
    back before the servers start); its wall time and peak memory."""
    if reuse and (where / "prepare.json").is_file():
        return {"reused": True}
    where.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "bench.prepare", "--data", str(data.path or "none")]
    run = servers.timed([*command, "--workdir", str(where)], core, where / "prepare.log", ROOT)
    return {"wall_s": run.seconds, "peak_mb": run.peak_mb}


def srg_load(data: scales.Data, where: Path, core: int) -> dict[str, float]:
    """The product's own commands on an empty store: `srg build` (the seed), then `srg load`
    of the generated file (validated, logged, folded into a snapshot); seconds and peaks."""
    store = where / "srg-load-store"
    shutil.rmtree(store, ignore_errors=True)
    srg = str(servers.BIN / "srg")
    built = servers.timed(
        [srg, "build", "--store", str(store)], core, where / "srg-build.log", ROOT
    )
    found = {"build_s": built.seconds, "build_peak_mb": built.peak_mb}
    if data.path is not None:
        command = [srg, "load", "--store", str(store), str(data.path)]
        loaded = servers.timed(command, core, where / "srg-load.log", ROOT)
        found |= {"load_s": loaded.seconds, "load_peak_mb": loaded.peak_mb}
    shutil.rmtree(store, ignore_errors=True)
    return found


def start_all(
    ready: Prepared, where: Path, names: list[str], core: int, timeout: float
) -> list[servers.Server]:
    disk = where / "oxigraph-disk"
    shutil.rmtree(disk, ignore_errors=True)
    store_load = servers.Timed(
        round(ready.seconds["parse"] + ready.seconds["product_store_write"], 2), 0.0
    )
    makers = {
        "product": lambda: servers.product(ready.store, core, timeout, store_load),
        "oxigraph-memory": lambda: servers.oxigraph_memory(ready.nquads, core),
        "oxigraph-disk": lambda: servers.oxigraph_disk(ready.nquads, disk, core, where),
        SLOW: lambda: servers.rdflib_endpoint(ready.nquads, core),
    }
    started = []
    for name in names:
        server = makers[name]()
        started.append(server)
        server.start(where)
        print(
            f"  {server.name}: ready in {server.ready_s} s, PSS {server.pss_mb()} MiB, "
            f"RSS {server.rss_mb()} MiB",
            flush=True,
        )
    return started


def memory(server: servers.Server, when: str) -> dict[str, float]:
    """PSS (shared pages split among the processes that share them) and RSS, in MiB."""
    return {f"pss_mb_{when}": server.pss_mb(), f"rss_mb_{when}": server.rss_mb()}


def server_result(server: servers.Server, measured: Measured) -> dict[str, Any]:
    return {
        "load_s": server.load.seconds if server.load else None,
        "ready_s": server.ready_s,
        "pinned": server.pinned(),
        "verify": measured.verify.summary(),
        "full_checks": measured.full_checks,
        "waited_idle_s": round(measured.waited_s, 1),
        **{m: {f"c{c}": measured.passes[(m, c)].summary() for c in LEVELS} for m in MODES},
    }


def measure_scale(
    data: scales.Data, args: argparse.Namespace, budget_end: float, scales_left: int
) -> dict[str, Any]:
    began, load_before = time.perf_counter(), os.getloadavg()
    where = args.workdir / data.scale
    print(f"{data.scale}: {data.quads} generated quads; preparing", flush=True)
    preparing = prepare_scale(data, where, args.server_core, args.reuse_prepared)
    ready = prepared(where)
    print(f"  prepared {ready.triples} quads: {ready.seconds} {preparing}", flush=True)
    own = (
        srg_load(data, where, args.server_core)
        if scales.at_most(data.scale, args.srg_load_max)
        else None
    )
    names = [n for n in args.servers if n != SLOW or scales.at_most(data.scale, args.rdflib_max)]
    plan = Plan(
        args.rounds,
        Bounds(args.pass_seconds, args.pass_cap, timeout=args.timeout),
        Bounds(args.pass_seconds, args.rdflib_seconds, timeout=args.rdflib_timeout),
        args.rdflib_rounds,
        args.quiet_limit,
        wrk.mix_file(load_queries(), where) if args.client == "wrk" else None,
    )
    started: list[servers.Server] = []
    try:
        started = start_all(ready, where, names, args.server_core, args.timeout)
        servers.quiet(started, args.quiet_limit)
        at_ready = {s.name: memory(s, "ready") for s in started}
        now = time.perf_counter()
        deadline = now + max(0.0, budget_end - now) / scales_left
        measured, rounds = interleave(started, load_queries(), ready.expected, plan, deadline)
        result = {
            s.name: {**server_result(s, measured[s.name]), **at_ready[s.name], **memory(s, "after")}
            for s in started
        }
    finally:
        for server in started:
            server.stop()
    return {
        "scale": data.scale,
        "generated_quads": data.quads,
        "quads": ready.triples,
        "generate_s": data.generate_s,
        "prepare": {**preparing, "seconds": ready.seconds},
        "srg_load": own,
        "rounds": rounds,
        "plan": {
            "rounds": args.rounds,
            "pass_seconds": args.pass_seconds,
            "pass_cap_s": args.pass_cap,
            "timeout_s": args.timeout,
            "rdflib_rounds": args.rdflib_rounds,
            "rdflib_pass_cap_s": args.rdflib_seconds,
            "rdflib_timeout_s": args.rdflib_timeout,
            "server_core": args.server_core,
            "client_core": args.client_core,
            "client": args.client,
        },
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "wall_s": round(time.perf_counter() - began, 1),
        "servers": result,
    }


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


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--scales", nargs="+", default=["seed", "100k"], help="seed, 100k, 1m, 10m, ...")
    add("--servers", nargs="+", choices=NAMES, default=list(NAMES), help="which servers")
    add("--rounds", type=int, default=3, help="interleaved rounds per scale")
    add("--pass-seconds", type=float, default=5.0, help="a pass: whole mixes for this long")
    add("--pass-cap", type=float, default=60.0, help="a pass: no request after this")
    add(
        "--timeout", type=float, default=60.0, help="seconds per request (and the product's limits)"
    )
    add("--rdflib-max", default="100k", help="largest scale for rdflib-endpoint (or none)")
    add("--rdflib-rounds", type=int, default=1, help="rounds for rdflib-endpoint")
    add("--rdflib-timeout", type=float, default=30.0, help="its cap per request")
    add("--rdflib-seconds", type=float, default=30.0, help="its cap per pass (rest skipped)")
    add("--srg-load-max", default="1m", help="largest scale to time `srg load` at (or none)")
    add("--quiet-limit", type=float, default=60.0, help="most seconds to wait for idle servers")
    add("--budget", type=float, default=3600.0, help="seconds for the whole run (rounds stop)")
    add("--seed", type=int, default=7, help="random seed of the generated data")
    add("--server-core", type=int, default=1, help="the core every server (and load) runs on")
    add("--client-core", type=int, default=0, help="the core the load client runs on")
    add("--reuse-prepared", action="store_true", help="keep an earlier run's prepared data")
    add("--client", choices=("python", "wrk"), default="python", help="what sends timed passes")
    add("--workdir", type=Path, default=Path("/tmp/srg-bench-scales"))
    add("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    add("--name", default="scales", help="prefix of the result files")
    args = parser.parse_args(argv)
    for scale in args.scales:
        scales.triples(scale)  # a wrong name fails before anything runs
    if args.client == "wrk" and (missing := wrk.available()) is not None:
        parser.error(missing)
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    os.sched_setaffinity(0, {args.client_core})  # the threads made later inherit it
    began = time.perf_counter()
    budget_end = began + args.budget
    args.out.mkdir(parents=True, exist_ok=True)
    done = []
    for k, scale in enumerate(args.scales):
        data = scales.data(scale, args.seed, args.workdir / "data")
        result = measure_scale(data, args, budget_end, len(args.scales) - k)
        done.append(result)
        stem = f"{args.name}-{scale}"
        (args.out / f"{stem}.json").write_text(json.dumps(result, indent=1) + "\n")
        (args.out / f"{stem}.md").write_text(scale_markdown(result))
        print(scale_markdown(result), flush=True)
    whole = {"machine": machine(), "wall_s": round(time.perf_counter() - began, 1), "scales": done}
    (args.out / f"{args.name}.json").write_text(json.dumps(whole, indent=1) + "\n")
    (args.out / f"{args.name}-summary.md").write_text(summary_markdown(whole))
    print(summary_markdown(whole))
    return 0


if __name__ == "__main__":
    sys.exit(main())
