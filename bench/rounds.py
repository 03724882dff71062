"""Interleaved rounds: every server gets the same passes, in an order that rotates.

A round: first a verification pass per server (the mix once, at concurrency 1, texts as they
are, every answer checked in full; not timed; it also fills any cache, as the repeated mode
expects); then, for each mode (cold, repeated) and each concurrency (1, 8), one timed pass
per server (sent by `load.py`'s Python client, or by wrk with `Plan.wrk_mix`: `wrk.py`). The
servers' order rotates each round, so drift of the machine hits all alike.
Before each pass the servers must be idle (`servers.quiet`): they share one core, and work
left by a previous pass (a query whose client gave up) would run beside the next.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import MODES, Bounds, Checker, Query, Stats, Texts, timed_pass
from bench.servers import Server, quiet
from bench.wrk import WrkStats, wrk_pass

LEVELS = (1, 8)
SLOW = "rdflib-endpoint"


@dataclass(frozen=True)
class Plan:
    rounds: int
    bounds: Bounds  # a timed pass of every server but the slow one
    slow: Bounds  # of rdflib-endpoint (25-1000x slower), which takes part in fewer rounds
    slow_rounds: int
    quiet_limit: float
    wrk_mix: Path | None = None  # the timed passes sent by wrk (`wrk.mix_file`), not Python

    def by_wrk(self, name: str) -> bool:
        """Whether wrk sends the server's timed passes (rdflib-endpoint's: always Python)."""
        return self.wrk_mix is not None and name != SLOW


@dataclass
class Measured:
    """One server's passes of a scale, merged over the rounds."""

    verify: Stats = field(default_factory=Stats)
    passes: dict[tuple[str, int], Stats | WrkStats] = field(
        default_factory=lambda: {(m, c): Stats() for m in MODES for c in LEVELS}
    )
    full_checks: int = 0
    waited_s: float = 0.0


def measured_for(plan: Plan, name: str) -> Measured:
    """A server's empty measurements, for the client that sends its timed passes."""
    if not plan.by_wrk(name):
        return Measured()
    return Measured(passes={(m, c): WrkStats() for m in MODES for c in LEVELS})


def rotated(started: list[Server], round_no: int) -> list[Server]:
    shift = round_no % len(started)
    return started[shift:] + started[:shift]


def one_round(
    order: list[Server],
    queries: list[Query],
    expected: dict[str, int],
    texts: dict[str, Texts],
    plan: Plan,
    measured: dict[str, Measured],
    first: int,
) -> None:
    checkers = {s.name: Checker(expected) for s in order}
    for server in order:
        bounds = plan.slow if server.name == SLOW else plan.bounds
        verify = Bounds(0.0, bounds.cap, 1, bounds.timeout)
        measured[server.name].waited_s += quiet(order, plan.quiet_limit)
        stats = timed_pass(
            server.url, queries, checkers[server.name], texts[server.name], "repeated", 1, verify
        )
        measured[server.name].verify.merge(stats)
    for mode in MODES:
        for level in LEVELS:
            for server in order:
                bounds = plan.slow if server.name == SLOW else plan.bounds
                measured[server.name].waited_s += quiet(order, plan.quiet_limit)
                checker = checkers[server.name]
                stats = (
                    wrk_pass(texts[server.name], plan.wrk_mix, mode, level, bounds, first)
                    if plan.by_wrk(server.name)
                    else timed_pass(
                        server.url, queries, checker, texts[server.name], mode, level, bounds, first
                    )
                )
                measured[server.name].passes[(mode, level)].merge(stats)  # type: ignore[arg-type]
    for server in order:
        measured[server.name].full_checks += checkers[server.name].full_checks


def interleave(
    started: list[Server],
    queries: list[Query],
    expected: dict[str, int],
    plan: Plan,
    deadline: float,
) -> tuple[dict[str, Measured], int]:
    """The servers' measurements and the number of rounds run: `plan.rounds`, fewer when
    the deadline passed (never fewer than one)."""
    measured = {s.name: measured_for(plan, s.name) for s in started}
    texts = {s.name: Texts(s.url, queries) for s in started}
    done = 0
    for round_no in range(plan.rounds):
        if round_no and time.perf_counter() > deadline:
            print("time budget of this scale spent: stopping early", flush=True)
            break
        began = time.perf_counter()
        order = [
            s for s in rotated(started, round_no) if s.name != SLOW or round_no < plan.slow_rounds
        ]
        # each round the clients start the mix elsewhere, the same for every server (5 and
        # the mix's 14 queries have no common factor: the starts run through all of them)
        one_round(order, queries, expected, texts, plan, measured, round_no * 5)
        done += 1
        print(f"round {done}/{plan.rounds}: {time.perf_counter() - began:.0f} s", flush=True)
        for server in order:
            print("  " + progress(server.name, measured[server.name]), flush=True)
    return measured, done


def progress(name: str, measured: Measured) -> str:
    cells = []
    for (mode, level), stats in measured.passes.items():
        summary = stats.summary()
        failed = sum(summary["failures"].values())
        cells.append(
            f"{mode} c={level} {summary['qps']} qps" + (f" ({failed} failed)" * bool(failed))
        )
    return f"{name}: " + ", ".join(cells)
