"""Latency of a validated small write (one membership, one mapping) on a large store.

    .venv/bin/python bench/write.py /tmp/bench-1m.nq --runs 21

Loads the seed sources and the generated file into a dataset on a temporary snapshot, opens
it as `srg serve` does (`services.open_services`: the dataset in a query worker, read through
its pipes), then times `writes.apply_write` (record the delta, find the violations it brings
by running the checks on the focus nodes it can concern, log it durably with fsync, send it
to the worker) for each kind of write, and prints the median and p95; also a membership
without a role (refused, with its report). The first write of a process also works out the
checks' reaches from their text (`validation.incremental.check_reaches`), so it is timed apart,
before the runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from srg_graph.config import Settings
from srg_graph.dataset.build import source_store, write_snapshot
from srg_graph.dataset.embedded import Dataset
from srg_graph.dataset.writes import WriteRefused, apply_write
from srg_graph.model import mappings
from srg_graph.store import ChangeRecorder
from srg_graph.web.services import open_services

ID = "https://w3id.org/srg/id/"
ORG = "http://www.w3.org/ns/org#"


def iri(value: str) -> tuple[str, str, None]:
    return ("iri", value, None)


WRITES = "https://w3id.org/srg/graph/bench-writes"
Term = tuple[str, str, str | None]


def membership_triples(n: int, role: bool = True) -> list[tuple[Term, Term, Term]]:
    """A membership of an agency in a body (without its role: refused)."""
    node = iri(f"{ID}membership/bench-{'write' if role else 'refused'}-{n}")
    triples = [
        (node, iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), iri(ORG + "Membership")),
        (node, iri(ORG + "member"), iri(f"{ID}organisation/vlaio")),
        (node, iri(ORG + "organization"), iri(f"{ID}body/klankbordgroep")),
        (
            node,
            iri("http://www.w3.org/2004/02/skos/core#prefLabel"),
            ("literal", f"bench {n}", "@nl"),
        ),
    ]
    if role:
        triples.append((node, iri(ORG + "role"), iri(f"{ID}concept/role/lid")))
    return triples


def membership(n: int, role: bool = True) -> Callable[[ChangeRecorder], None]:
    triples = membership_triples(n, role)
    return lambda staged: staged.add_triples(WRITES, triples)


def mapping(n: int) -> Callable[[ChangeRecorder], None]:
    row = mappings.Mapping(
        f"{ID}organisation/vlaio",
        f"{ID}concept/vloca/broker",
        ("full", "partial", "planned")[n % 3],
        f"{ID}organisation/abb",
        "2026-11-28",
        f"run {n}",
    )
    return lambda staged: mappings.apply(staged, [row], replace=False)


def refused(n: int) -> Callable[[ChangeRecorder], None]:
    """A membership without its role: refused (MembershipRole, MembershipRoleScheme)."""
    return membership(n, role=False)


KINDS = {"membership": membership, "mapping": mapping, "refused": refused}


def timed(
    data: Dataset, make: Callable[[int], Callable[[ChangeRecorder], None]], runs: int
) -> list[float]:
    times = []
    for n in range(runs):
        started = time.perf_counter()
        try:
            apply_write(data, make(n))
        except WriteRefused as refusal:
            assert refusal.report.violations
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", type=Path)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(KINDS))
    args = parser.parse_args()
    store = source_store(Settings().root)
    store.bulk_load(args.data, None)
    with tempfile.TemporaryDirectory() as folder:
        snapshot = Path(folder) / "store"
        write_snapshot(store, snapshot)
        services = open_services(replace(Settings(), store=snapshot))
        data = services.data
        print(f"{len(data.store)} quads")
        (first,) = timed(data, lambda n: membership(10**6), 1)
        print(f"first write of the process: {first:.0f} ms")
        for name in args.kinds:
            make = KINDS[name]
            times = sorted(timed(data, make, args.runs))
            p95 = times[int(0.95 * (len(times) - 1))]
            print(f"{name}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms")
        services.pool.close()


if __name__ == "__main__":
    main()
