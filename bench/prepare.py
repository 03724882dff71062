"""Turn a generated file into what every server of a run serves: the same quads.

    python -m bench.prepare --data /tmp/bench-1m.nq --workdir DIR    # or --data none: the seed

The dataset is the seed (ontology, shapes, data, as `srg build` loads them) plus the
generated N-Quads with their named graphs. It becomes
- `DIR/product-store`: the product's snapshot, written the way `srg build` writes it (its
  dump and on-disk store, `build.write_snapshot`) without the SHACL step;
- `DIR/dataset.nq`: one N-Quads file for the peers: the seed's quads, then the generated file
  copied as it is;
- `DIR/expected.json`: the reference counts of the mix, from the same in-memory engine,
  through the product's own `answer` and the load driver's `count`;
- `DIR/prepare.json`: the quads and the seconds of each step.

At 10M triples: no quad passes through Python on the way in (the engine's bulk loader reads
the file) and the peers' file is a copy, so what is held is the engine's in-memory store
(about 3.5 GB). `run.py` runs this as a process of its own, so that memory is given back
before the servers start.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import Query, count, load_queries
from srg_graph.config import Settings
from srg_graph.dataset.build import source_store, write_snapshot
from srg_graph.store import GraphStore, QueryRequest, answer

STORE, NQUADS, EXPECTED, TIMES = "product-store", "dataset.nq", "expected.json", "prepare.json"


@dataclass(frozen=True)
class Prepared:
    store: Path
    nquads: Path
    triples: int
    expected: dict[str, int]
    seconds: dict[str, float]


def write_peers_file(seed: GraphStore, generated: Path | None, target: Path) -> None:
    """The seed's quads, then the generated file's bytes (N-Quads concatenate)."""
    with target.open("wb") as out:
        out.write(seed.dump("nquads"))
        if generated is not None:
            with generated.open("rb") as data:
                shutil.copyfileobj(data, out, 1 << 24)


def reference(store: GraphStore, queries: list[Query]) -> dict[str, int]:
    """The row (or distinct triple) count of every query, from the in-memory engine."""
    counts = {}
    for query in queries:
        fmt = "json" if query.kind == "select" else "turtle"
        body = answer(store, QueryRequest(query.text, fmt, max_rows=10**8, max_bytes=10**11)).body
        counts[query.name] = count(query.kind, body)
    return counts


def dataset(generated: Path) -> GraphStore:
    """The seed's sources plus the generated quads (named graphs kept), in memory."""
    store = source_store(Settings().root)
    store.bulk_load(generated, None)
    return store


def prepare(generated: Path | None, workdir: Path, queries: list[Query]) -> Prepared:
    seconds, clock = {}, time.perf_counter()
    workdir.mkdir(parents=True, exist_ok=True)
    target, nquads = workdir / STORE, workdir / NQUADS
    store = source_store(Settings().root)
    write_peers_file(store, generated, nquads)
    seconds["peers_file"] = round(time.perf_counter() - clock, 2)
    clock = time.perf_counter()
    if generated is not None:
        store.bulk_load(generated, None)  # quads keep their graphs
    seconds["parse"] = round(time.perf_counter() - clock, 2)
    clock = time.perf_counter()
    write_snapshot(store, target)
    seconds["product_store_write"] = round(time.perf_counter() - clock, 2)
    clock = time.perf_counter()
    expected = reference(store, queries)
    seconds["reference_queries"] = round(time.perf_counter() - clock, 2)
    (workdir / EXPECTED).write_text(json.dumps(expected, indent=1))
    prepared = Prepared(target, nquads, len(store), expected, seconds)
    (workdir / TIMES).write_text(json.dumps({"quads": prepared.triples, "seconds": seconds}))
    return prepared


def prepared(workdir: Path) -> Prepared:
    """What an earlier `prepare` left in `workdir`."""
    times = json.loads((workdir / TIMES).read_text())
    expected = json.loads((workdir / EXPECTED).read_text())
    return Prepared(workdir / STORE, workdir / NQUADS, times["quads"], expected, times["seconds"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="a file of bench/generate.py, or none")
    parser.add_argument("--workdir", type=Path, required=True)
    args = parser.parse_args(argv)
    data = None if args.data == "none" else Path(args.data)
    done = prepare(data, args.workdir, load_queries())
    print(json.dumps({"quads": done.triples, "seconds": done.seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
