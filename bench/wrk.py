"""Timed passes sent by wrk, a compiled load generator (Debian's `wrk`), instead of
`load.py`'s Python client.

Where a server answers in tens of microseconds (answers from memory at the seed's size), the
Python client's own 15-20 µs a request is a large part of every round trip, the same for
every server, which pulls their ratio towards 1. wrk costs a few microseconds a request, so
its passes show the servers' own speed. Its passes send the same mix as `load.py`'s (each
thread one keep-alive connection, the mix in turn from its own place, cold texts made unique
by a comment line; `wrk_mix.lua`) and check the status of every answer; the verification
pass of each round (`rounds.py`) still checks every answer in full with the Python client.

    scripts/install-system-packages.sh --bench       # wrk
    python bench/run.py --client wrk ...
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench import wire
from bench.load import ACCEPT, Bounds, Query, Texts, require_loopback

SCRIPT = Path(__file__).resolve().parent / "wrk_mix.lua"
ERRORS = ("connect", "read", "write", "status", "timeout")


def available() -> str | None:
    """Why wrk cannot be used here, or None when it can."""
    if shutil.which("wrk") is None:
        return "wrk is not installed: scripts/install-system-packages.sh --bench (as root)"
    return None


def mix_file(queries: list[Query], folder: Path) -> Path:
    """The mix as `wrk_mix.lua` reads it: a line per query, its Accept, a tab, the form
    encoding of its text (no tab or line break in it)."""
    path = folder / "wrk-mix.tsv"
    lines = (
        f"{ACCEPT[q.kind]}\t{wire.form_body(q.text).decode()[len('query=') :]}" for q in queries
    )
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


@dataclass
class WrkStats:
    """The passes wrk sent, merged: what `load.Stats` reports, the latencies as the median of
    the passes' percentiles (wrk gives percentiles, not every latency)."""

    answers: int = 0
    wall: float = 0.0
    client_cpu: float = 0.0
    failures: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    marks: list[tuple[float, float, float]] = field(default_factory=list)  # p50, p95, p99 ms

    def merge(self, other: WrkStats) -> None:
        self.answers += other.answers
        self.wall += other.wall
        self.client_cpu += other.client_cpu
        self.marks += other.marks
        for key, n in other.failures.items():
            self.failures[key] = self.failures.get(key, 0) + n

    def summary(self) -> dict[str, float | int | dict[str, int]]:
        def mark(k: int) -> float:
            return round(statistics.median(m[k] for m in self.marks), 2) if self.marks else 0.0

        return {
            "answers": self.answers,
            "failures": dict(self.failures),
            "skipped": self.skipped,
            "qps": round(self.answers / self.wall, 2) if self.wall else 0.0,
            "p50_ms": mark(0),
            "p95_ms": mark(1),
            "p99_ms": mark(2),
            "wall_s": round(self.wall, 2),
            "client_cpu_share": round(self.client_cpu / self.wall, 3) if self.wall else 0.0,
            "client_us_per_answer": (
                round(self.client_cpu / self.answers * 1e6, 1) if self.answers else 0.0
            ),
        }


def wrk_pass(
    texts: Texts, mix: Path, mode: str, concurrency: int, bounds: Bounds, first: int = 0
) -> WrkStats:
    """One pass of `bounds.seconds` by wrk: `concurrency` threads, a connection each, thread
    k starting the mix at query `first + k`."""
    url = f"http://{texts.where.host}:{texts.where.port}{texts.where.path}"
    require_loopback(url)
    # the pass's own number in the line: each wrk run counts its requests from 0 again
    line = wire.form_body(f"# request {texts.run}-{next(texts.counter)}-").decode()
    command = ["wrk", "-t", str(concurrency), "-c", str(concurrency)]
    command += ["-d", f"{bounds.seconds:g}s", "--timeout", f"{bounds.timeout:g}s"]
    command += ["-s", str(SCRIPT), url, "--", str(mix), mode, str(first), line]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or "WRK {" not in output:
        raise RuntimeError(f"wrk failed: {output.strip()}")
    found = json.loads(output.split("WRK ", 1)[1].splitlines()[0])
    failed = {f"wrk: {name} errors": found[name] for name in ERRORS if found[name]}
    marks = tuple(found[k] / 1000 for k in ("p50_us", "p95_us", "p99_us"))
    return WrkStats(
        answers=found["requests"],  # a wrong answer too: it was work done
        wall=found["duration_us"] / 1e6,
        client_cpu=usage.ru_utime + usage.ru_stime,
        failures=failed,
        marks=[marks],  # type: ignore[list-item]
    )
