"""The scales of a run: `seed` (the project's own sources alone, about 5,000 quads) or a
number of generated triples beside it (`100k`, `1m`, `10m`, ...), and their data files.

A generated file is kept in the data folder, named for its size and random seed, with the
seconds it took beside it (`.json`), so a later run reuses it and still reports them.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from bench.generate import generate

UNITS = {"": 1, "k": 1_000, "m": 1_000_000}


def triples(scale: str) -> int:
    """Generated triples of a scale: `seed` 0, `100k` 100,000, `1m` 1,000,000, `2.5m` ..."""
    if scale == "seed":
        return 0
    found = re.fullmatch(r"(\d+(?:\.\d+)?)([km]?)", scale.lower())
    if not found:
        raise ValueError(f"{scale!r} is not a scale: seed, or a count such as 100k, 1m, 10m")
    return int(float(found.group(1)) * UNITS[found.group(2)])


def at_most(scale: str, limit: str) -> bool:
    """Whether `scale` is no larger than `limit` (`none`: no scale is)."""
    return limit != "none" and triples(scale) <= triples(limit)


@dataclass(frozen=True)
class Data:
    """A scale's generated file (None for the seed alone), its quads and generation time."""

    scale: str
    path: Path | None
    quads: int
    generate_s: float | None


def data(scale: str, seed: int, folder: Path) -> Data:
    """The generated file of `scale`, written now unless an earlier run left it."""
    n = triples(scale)
    if n == 0:
        return Data(scale, None, 0, None)
    folder.mkdir(parents=True, exist_ok=True)
    path, info = folder / f"bench-{scale}-seed{seed}.nq", folder / f"bench-{scale}-seed{seed}.json"
    if not (path.is_file() and info.is_file()):
        began = time.perf_counter()
        with path.open("w", encoding="utf-8") as out:
            quads = generate(out, n, seed)
        seconds = round(time.perf_counter() - began, 2)
        info.write_text(json.dumps({"quads": quads, "generate_s": seconds}))
    known = json.loads(info.read_text())
    return Data(scale, path, known["quads"], known["generate_s"])
