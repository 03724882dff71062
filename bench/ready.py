"""Ready times only: the product and in-memory `oxigraph serve` started in turn, as `run.py`
starts them (pinned to one core; ready when a first query is answered, oxigraph's after the
data is POSTed to it), without the query passes. For a scale whose full run takes long.

    python -m bench.ready --workdir /tmp/b18/10m --rounds 3 --out bench/results/ready-10m.json

`--workdir` is a scale's directory of `run.py` (`product-store/`, `dataset.nq`). A benchmark,
not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from bench import servers
from bench.report import emit

NAMES = ("product", "oxigraph-memory")


def started(name: str, workdir: Path, core: int) -> servers.Server:
    if name == "product":
        return servers.product(workdir / "product-store", core, timeout=60)
    return servers.oxigraph_memory(workdir / "dataset.nq", core)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True, help="a scale's directory")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--core", type=int, default=1, help="the core the servers run on")
    parser.add_argument("--out", type=Path, help="write the results here (JSON)")
    args = parser.parse_args(argv)
    logs = args.workdir / "ready-logs"
    logs.mkdir(exist_ok=True)
    result: dict = {"date": time.strftime("%Y-%m-%d"), "runs": {name: [] for name in NAMES}}
    for round_no in range(args.rounds):
        for name in NAMES if round_no % 2 == 0 else NAMES[::-1]:  # who goes first alternates
            server = started(name, args.workdir, args.core)
            try:
                server.start(logs)
            finally:
                server.stop()
            run = {"ready_s": server.ready_s, "load": round(os.getloadavg()[0], 2)}
            result["runs"][name].append(run)
            print(name, run, flush=True)
    result["median_ready_s"] = {
        name: statistics.median(run["ready_s"] for run in runs)
        for name, runs in result["runs"].items()
    }
    emit(result, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
