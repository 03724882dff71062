"""The history's costs at scale (issue 15): a validated write, the disk, the ready time.

    .venv/bin/python -m bench.history_costs /tmp/bench-1m.nq --workdir /tmp/history-costs \\
        [--changes 10000] [--ready-rounds 3] [--writes 21] [--out FILE.json]

Three stores in the workdir, made once and kept for the next run:
- `base`: `srg build` of the seed (change 1) and `srg load` of the generated file (change 2),
  as `bench.history` makes them: the store without the history of small changes;
- `history`: a copy of `base`, then `--changes` small changes committed one by one
  (`bench.history.commit_changes`);
- `compacted`: a copy of `history` after `srg compact`.

What it measures:
- disk: the bytes of each store, by file: the snapshot directory and everything beside it
  named after it (the log `store.wal`, the lock, the LDES pages `store.ldes/` if made);
- the start's phases, timed in this process on each store as the query worker does them: the
  snapshot's checksums, loading its dump, reading the log, replaying it; and what the server
  does beside them (the history's index, the checks' reaches);
- ready: `srg serve` timed from its launch until `/health` answers 200, then until a first
  query answers, `--ready-rounds` times per store, in rotating order (with `--against
  CHECKOUT`, that checkout's code serves `base` and `history` in the same rotation);
- write: `srg serve` on `base` and on `history` at once (a write token in `SRG_WRITE_TOKENS`),
  each left to settle after its start (the history's index is read on a thread), then
  `--writes` SPARQL Update POSTs to each, alternating which store goes first: an `INSERT DATA`
  of a membership (`bench.write.membership_triples`), validated, logged with fsync and applied,
  timed as the client sees it (the whole HTTP request). The medians and their ratio.

The writes add changes to both stores (2 x `--writes` + warm-up): the disk and ready numbers
are taken before them. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.compare import READY
from bench.history import commit_changes, prepare_base
from bench.report import emit
from bench.write import WRITES, membership_triples
from srg_graph.dataset import embedded, history, wal
from srg_graph.dataset.changelog import ChangeLog
from srg_graph.store import GraphStore, snapshot
from srg_graph.validation.incremental import check_reaches

TOKEN = "bench-write-token"
STORES = ("base", "history", "compacted")
PROBE = "ASK { ?s ?p ?o }"


def copy_store(source: Path, target: Path) -> None:
    """The snapshot directory and the files beside it: its log, the sources of its build."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, target)
    for beside in source.parent.glob(source.name + ".*"):  # the log, the sources of the build
        if beside.is_file() and beside.suffix != ".lock":
            shutil.copy(beside, target.with_name(target.name + beside.name[len(source.name) :]))


def make_stores(generated: Path, workdir: Path, changes: int) -> dict:
    """The three stores (see the module's docstring), those missing only; seconds of each step."""
    seconds: dict = {}
    base, kept, compacted = (workdir / name / "store" for name in STORES)
    if not base.exists():
        seconds |= prepare_base(generated, base)
    if not kept.exists():
        copy_store(base, kept)
        seconds["commit_changes"] = commit_changes(kept, changes)
    if not compacted.exists():
        copy_store(kept, compacted)
        clock = time.perf_counter()
        srg("compact", "--store", str(compacted))
        seconds["compact"] = round(time.perf_counter() - clock, 1)
    return seconds


def srg(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "srg_graph.cli", *args], check=True)


def tree_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def disk(store: Path) -> dict:
    """The store's bytes: its snapshot's files and what lies beside it, named after it."""
    files = {f"{store.name}/{p.name}": tree_bytes(p) for p in sorted(store.iterdir())}
    files |= {p.name: tree_bytes(p) for p in sorted(store.parent.glob(store.name + ".*"))}
    return {"files": files, "total_mb": round(sum(files.values()) / 1e6, 1)}


def phases(store: Path) -> dict:
    """The start's work, step by step, in this process (see the module's docstring)."""
    took: dict = {}

    def step(name: str, work: Callable[[], Any]) -> Any:
        clock = time.perf_counter()
        result = work()
        took[name] = round(time.perf_counter() - clock, 2)
        return result

    step("verify_checksums_s", lambda: snapshot.verify(store))
    data = step("load_dump_s", lambda: snapshot.read_dump(store))  # verifies again: subtracted
    took["load_dump_s"] = round(took["load_dump_s"] - took["verify_checksums_s"], 2)
    log = embedded.log_path(store)
    base = embedded.snapshot_version(store)
    records = step("read_log_s", lambda: wal.read(log, base))
    took["replayed"] = len(records)

    step("replay_s", lambda: replay(data, records))
    took["log_mb"] = round(log.stat().st_size / 1e6, 1) if log.exists() else 0
    data = records = None  # free them before the next step
    step("history_index_s", lambda: ChangeLog(log).touching(""))
    step("check_reaches_s", check_reaches)
    return took


def replay(data: GraphStore, records: list[tuple[int, wal.Record]]) -> None:
    for number, record in records:
        data.apply(history.applied(history.decode(number, record.payload)))


class Serving:
    """`srg serve` on a store, its stderr's lines timed from the launch."""

    def __init__(self, store: Path, tokens: str = "", code: Path | None = None):
        env = os.environ | {"SRG_WRITE_TOKENS": tokens}
        if code is not None:  # another checkout's code (`--against`)
            env["PYTHONPATH"] = str(code)
        command = [sys.executable, "-m", "srg_graph", "serve", "--store", str(store)]
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [*command, "--port", "0"], stderr=subprocess.PIPE, text=True, env=env, cwd=code
        )
        self.url: str | None = None
        self.lines: list[tuple[float, str]] = []
        self.found = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append((round(time.perf_counter() - self.started, 2), line.rstrip()))
            found = READY.search(line)
            if found:
                self.url = f"http://127.0.0.1:{found.group(1)}"
                self.found.set()
        self.found.set()

    def ready(self, limit: float = 300) -> dict:
        """Seconds from the launch: `/health` 200, then a first query answered."""
        if not self.found.wait(limit) or self.url is None:
            raise SystemExit(f"the server did not start: {self.lines[-5:]}")
        with httpx.Client(base_url=self.url, timeout=limit) as http:
            while True:
                try:
                    if http.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.01)
            health_s = time.perf_counter() - self.started
            http.get("/sparql", params={"query": PROBE}).raise_for_status()
            query_s = time.perf_counter() - self.started
        listening = next(t for t, line in self.lines if READY.search(line))
        return {
            "listening_s": listening,
            "health_s": round(health_s, 2),
            "first_query_s": round(query_s, 2),
        }

    def settle(self, quiet: float = 0.05, limit: float = 120) -> float:
        """Wait until the server's process tree uses under `quiet` s of CPU in a second (its
        threads at start done); the seconds waited."""
        began = time.perf_counter()
        last = cpu_tree(self.process.pid)
        while time.perf_counter() - began < limit:
            time.sleep(1)
            now = cpu_tree(self.process.pid)
            if now - last < quiet:
                break
            last = now
        return round(time.perf_counter() - began, 1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(60)


def cpu_tree(pid: int) -> float:
    """User and system CPU seconds of a process and its descendants (from /proc)."""
    total, todo, tick = 0.0, [pid], os.sysconf("SC_CLK_TCK")
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").glob("*/children"):
                todo += [int(child) for child in task.read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def ready_rounds(stores: dict[str, tuple[Path, Path | None]], rounds: int) -> dict:
    """Each store served `rounds` times (by this checkout, or by the one given beside it),
    in rotating order."""
    names, result = list(stores), {name: [] for name in stores}
    for number in range(rounds):
        order = names[number % len(names) :] + names[: number % len(names)]
        for name in order:
            server = Serving(stores[name][0], code=stores[name][1])
            try:
                result[name].append(server.ready() | {"load": load()})
            finally:
                server.stop()
            print(name, result[name][-1], flush=True)
    for name, runs in result.items():
        result[name] = {
            "runs": runs,
            "median_health_s": round(statistics.median(r["health_s"] for r in runs), 2),
            "median_first_query_s": round(statistics.median(r["first_query_s"] for r in runs), 2),
        }
    return result


def sparql_term(term: tuple[str, str, str | None]) -> str:
    kind, value, extra = term
    if kind == "iri":
        return f"<{value}>"
    return json.dumps(value) + (extra or "")


def insert(n: int) -> str:
    triples = " ".join(" ".join(map(sparql_term, t)) + " ." for t in membership_triples(n))
    return f"INSERT DATA {{ GRAPH <{WRITES}> {{ {triples} }} }}"


def write(http: httpx.Client, n: int) -> float:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    clock = time.perf_counter()
    response = http.post("/sparql", content=insert(n), headers=headers)
    elapsed = time.perf_counter() - clock
    if response.status_code >= 300:
        raise SystemExit(f"write {n}: {response.status_code} {response.text[:500]}")
    return elapsed * 1000


def write_rounds(stores: dict[str, Path], runs: int, warm: int = 3) -> dict:
    """Validated small writes on two servers at once, alternating (see the module's docstring)."""
    servers = {name: Serving(stores[name], TOKEN) for name in stores}
    result: dict = {}
    try:
        clients = {}
        for name, server in servers.items():
            result[name] = {"ready": server.ready()}
        for name, server in servers.items():
            result[name]["settled_after_s"] = server.settle()
            clients[name] = httpx.Client(base_url=server.url, timeout=120)
        first = int(time.time())  # fresh subjects in each run of the benchmark
        for name, http in clients.items():
            result[name]["warm_ms"] = [round(write(http, first * 1000 + i), 1) for i in range(warm)]
        times: dict[str, list[float]] = {name: [] for name in stores}
        names = list(stores)
        for number in range(runs):
            order = names if number % 2 == 0 else names[::-1]
            for name in order:
                times[name].append(write(clients[name], first * 1000 + warm + number))
        for name, values in times.items():
            ordered = sorted(values)
            result[name] |= {
                "median_ms": round(statistics.median(values), 2),
                "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
                "runs_ms": [round(v, 2) for v in values],
            }
        for http in clients.values():
            http.close()
    finally:
        for server in servers.values():
            server.stop()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("generated", type=Path, help="bench/generate.py output (N-Quads)")
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--ready-rounds", type=int, default=3)
    parser.add_argument("--writes", type=int, default=21)
    parser.add_argument("--skip", nargs="*", default=[], choices=["phases", "ready", "write"])
    parser.add_argument("--out", type=Path, help="write the results here (JSON)")
    parser.add_argument(
        "--against", type=Path, help="another checkout: its ready time on the same stores too"
    )
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    stores = {name: args.workdir / name / "store" for name in STORES}
    result: dict = {"date": time.strftime("%Y-%m-%d"), "load_start": load()}
    result["prepare_s"] = make_stores(args.generated, args.workdir, args.changes)
    result["disk"] = {name: disk(store) for name, store in stores.items()}
    result["history_adds_mb"] = round(
        result["disk"]["history"]["total_mb"] - result["disk"]["base"]["total_mb"], 1
    )
    print(json.dumps(result, indent=1), flush=True)
    if "phases" not in args.skip:
        result["phases"] = {name: phases(path) | {"load": load()} for name, path in stores.items()}
        print(json.dumps(result["phases"], indent=1), flush=True)
    if "ready" not in args.skip:
        served: dict[str, tuple[Path, Path | None]] = {n: (p, None) for n, p in stores.items()}
        if args.against:  # (not `compacted`: the snapshots of this code leave out the history)
            served |= {f"{n}@against": (stores[n], args.against) for n in ("base", "history")}
        result["ready"] = ready_rounds(served, args.ready_rounds)
    if "write" not in args.skip:
        pair = {name: stores[name] for name in ("base", "history")}
        result["write"] = write_rounds(pair, args.writes) | {"load": load()}
        result["write"]["ratio"] = round(
            result["write"]["history"]["median_ms"] / result["write"]["base"]["median_ms"], 2
        )
    result["load_end"] = load()
    emit(result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
