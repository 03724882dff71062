"""Turn a generated file into what every server of a run serves: the same quads.

The dataset is the seed (ontology, shapes, data, as `srg build` loads them) plus the generated
N-Quads with their named graphs. It becomes the product's on-disk store (written the way
`srg build` writes it, without the SHACL step: pySHACL takes minutes at 1M triples) and one
N-Quads file for the peers. The reference counts come from the same in-memory engine, through
the product's own `answer` and the load driver's `count`.
"""

from __future__ import annotations

import gzip
import json
import time
from dataclasses import dataclass
from pathlib import Path

from bench.load import Query, count
from srg_graph.config import Settings
from srg_graph.dataset.build import _replace_store, source_store
from srg_graph.store import Delta, GraphStore, QueryRequest, answer


@dataclass(frozen=True)
class Prepared:
    store: Path
    nquads: Path
    triples: int
    expected: dict[str, int]
    seconds: dict[str, float]


def dataset(generated: Path) -> GraphStore:
    """The seed's sources plus the generated quads (named graphs kept), in memory."""
    store = source_store(Settings().root)
    data = generated.read_bytes()
    store.apply(Delta(b"", gzip.decompress(data) if generated.suffix == ".gz" else data))
    return store


def reference(store: GraphStore, queries: list[Query]) -> dict[str, int]:
    """The row (or distinct triple) count of every query, from the in-memory engine."""
    counts = {}
    for query in queries:
        fmt = "json" if query.kind == "select" else "turtle"
        body = answer(store, QueryRequest(query.text, fmt, max_rows=10**7, max_bytes=10**10)).body
        counts[query.name] = count(query.kind, body)
    return counts


def prepare(generated: Path, workdir: Path, queries: list[Query]) -> Prepared:
    seconds, clock = {}, time.perf_counter()
    store = dataset(generated)
    seconds["parse"] = round(time.perf_counter() - clock, 2)
    workdir.mkdir(parents=True, exist_ok=True)
    target, nquads = workdir / "product-store", workdir / "dataset.nq"
    clock = time.perf_counter()
    _replace_store(store, target)
    seconds["product_store_write"] = round(time.perf_counter() - clock, 2)
    nquads.write_bytes(store.dump("nquads"))
    clock = time.perf_counter()
    expected = reference(store, queries)
    seconds["reference_queries"] = round(time.perf_counter() - clock, 2)
    (workdir / "expected.json").write_text(json.dumps(expected, indent=1))
    return Prepared(target, nquads, len(store), expected, seconds)
