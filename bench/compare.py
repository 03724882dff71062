"""Two checkouts of the product side by side on the same data: is a change faster or slower?

    bench/compare.py OLD_CHECKOUT NEW_CHECKOUT --workdir DIR [--rounds 4] [--mode cold]
                     [--old-env NAME=VALUE ...] [--new-env NAME=VALUE ...]

`DIR` is what `bench/prepare.py` made (`product-store/`, `expected.json`). Each checkout
serves its own copy of the store with this virtual environment's Python and its own code
(`PYTHONPATH`) and settings (`--old-env`, `--new-env`: the same checkout twice compares
two settings); the analyst mix runs on both in rounds whose order alternates, at
concurrency 1 and 8, and the median throughput of each is printed. `--mode repeated` (the
default) sends the mix's texts as they are, `--mode cold` makes each request's text unique for
`--seconds` a pass (no cache can help). The servers run on `--server-core`, this client on
`--client-core` (as `run.py`). A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from statistics import median

from bench.load import MODES, Bounds, Checker, Texts, load_queries, run, timed_pass
from bench.servers import pinning

READY = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")


def serve(
    code: Path, store: Path, settings: list[str], core: int | None = None
) -> tuple[subprocess.Popen[str], str]:
    """`srg serve` of the checkout `code` on `store` with `NAME=VALUE` settings (on `core`),
    and its SPARQL endpoint."""
    env = {**os.environ, "PYTHONPATH": str(code), **dict(s.split("=", 1) for s in settings)}
    # as the `srg` command starts it (checkouts before the tenth session: `srg_graph.cli`)
    entry = "srg_graph" if (code / "srg_graph" / "__main__.py").is_file() else "srg_graph.cli"
    command = [sys.executable, "-m", entry, "serve", "--store", str(store), "--port", "0"]
    process = subprocess.Popen(
        command,
        cwd=code,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=pinning(core),
    )
    assert process.stderr is not None
    for line in process.stderr:
        found = READY.search(line)
        if found:
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return process, f"http://127.0.0.1:{found.group(1)}/sparql"
    raise SystemExit(f"{code}: the server did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkouts", nargs=2, type=Path, help="OLD and NEW checkouts")
    parser.add_argument("--workdir", type=Path, required=True, help="what prepare.py made")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--passes", type=int, default=2, help="passes over the mix per client")
    parser.add_argument("--old-env", nargs="*", default=[], help="NAME=VALUE for the old one")
    parser.add_argument("--new-env", nargs="*", default=[], help="NAME=VALUE for the new one")
    parser.add_argument("--mode", choices=MODES, default="repeated")
    parser.add_argument("--seconds", type=float, default=5.0, help="a cold pass's length")
    parser.add_argument("--server-core", type=int, default=1)
    parser.add_argument("--client-core", type=int, default=0)
    args = parser.parse_args(argv)
    os.sched_setaffinity(0, {args.client_core})
    queries = load_queries()
    expected = json.loads((args.workdir / "expected.json").read_text())
    servers = {}
    sides = zip(("old", "new"), args.checkouts, (args.old_env, args.new_env), strict=True)
    for name, code, settings in sides:
        store = args.workdir / f"compare-{name}-store"
        shutil.rmtree(store, ignore_errors=True)
        shutil.copytree(args.workdir / "product-store", store)
        servers[name] = serve(code.resolve(), store, settings, args.server_core)
    texts = {name: Texts(url, queries) for name, (_, url) in servers.items()}
    cold = Bounds(seconds=args.seconds)
    qps: dict[tuple[str, int], list[float]] = {(n, c): [] for n in servers for c in (1, 8)}
    try:
        for number in range(args.rounds):
            order = list(servers) if number % 2 == 0 else list(reversed(servers))
            for level in (1, 8):
                for name in order:
                    url = servers[name][1]
                    if args.mode == "cold":
                        stats = timed_pass(
                            url, queries, Checker(expected), texts[name], "cold", level, cold
                        )
                    else:
                        stats = run(url, queries, expected, level, args.passes)
                    qps[(name, level)].append(float(stats.summary()["qps"]))
    finally:
        for process, _ in servers.values():
            process.terminate()
    for level in (1, 8):
        old, new = median(qps[("old", level)]), median(qps[("new", level)])
        print(
            json.dumps(
                {
                    "concurrency": level,
                    "old_qps": old,
                    "new_qps": new,
                    "new/old": round(new / old, 2),
                    "rounds": qps[("new", level)],
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
