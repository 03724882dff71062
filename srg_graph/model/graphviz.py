"""Graphviz `dot` as a layout engine: DOT text in, boxes, frames and curves out.

`dot` (Debian package `graphviz`, installed by `scripts/install-system-packages.sh`) places
the boxes in ranks, orders them to avoid crossings and routes the lines as splines; its JSON
output (`-Tjson`) gives the positions, which the caller draws itself. The DOT text is written
by `Digraph` from generated identifiers, numbers and quoted strings only (`quote`), so no
data reaches `dot` unescaped. Layouts are kept by their DOT text: the same chart in the same
language is laid out once.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache

from ..errors import Unavailable

DOT = "dot"
TIMEOUT = 20.0  # seconds; a chart of this size takes well under one
INCH = 72.0  # dot's sizes are in inches, its positions in points


class LayoutUnavailable(Unavailable):
    """`dot` is not installed, or failed; the message says how to install it."""


def quote(text: str) -> str:
    """A DOT string literal: quotes and backslashes escaped, line breaks as spaces."""
    flat = " ".join(text.split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _attributes(attrs: dict[str, str | float | bool]) -> str:
    def value(v: str | float | bool) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, float | int):
            return f"{v:.4f}".rstrip("0").rstrip(".")
        return quote(v)

    return ", ".join(f"{k}={value(v)}" for k, v in attrs.items())


@dataclass
class Digraph:
    """A directed graph written as DOT: boxes of a given size, clusters, edges in order."""

    attrs: dict[str, str | float | bool] = field(default_factory=dict)
    nodes: dict[str, tuple[float, float]] = field(default_factory=dict)  # id -> (w, h) points
    clusters: dict[str, tuple[list[str], str]] = field(default_factory=dict)  # id -> ids, label
    edges: list[tuple[str, str, dict[str, str | float | bool]]] = field(default_factory=list)

    def text(self) -> str:
        lines = ["digraph chart {", f"  graph [{_attributes(self.attrs)}];"]
        lines.append('  node [shape=box, fixedsize=true, label=""];')
        inside = {n for members, _ in self.clusters.values() for n in members}
        for number, (members, label) in enumerate(self.clusters.values()):
            lines.append(f"  subgraph cluster_{number} {{ label={quote(label)};")
            lines += [self._node(n) for n in members]
            lines.append("  }")
        lines += [self._node(n) for n in self.nodes if n not in inside]
        for number, (tail, head, attrs) in enumerate(self.edges):
            lines.append(f"  {tail} -> {head} [{_attributes({**attrs, 'id': f'e{number}'})}];")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def _node(self, node: str) -> str:
        width, height = self.nodes[node]
        return f"  {node} [{_attributes({'width': width / INCH, 'height': height / INCH})}];"


Point = tuple[float, float]


@dataclass(frozen=True)
class Layout:
    """Where `dot` put everything, in SVG coordinates (y down), in points."""

    width: float
    height: float
    centres: dict[str, Point]  # node id -> centre
    frames: dict[int, tuple[float, float, float, float]]  # cluster number -> x, y, w, h
    curves: list[tuple[list[Point], Point | None, Point | None]]  # per edge: spline, s, e


def available() -> bool:
    return shutil.which(DOT) is not None


def layout(graph: Digraph) -> Layout:
    """The layout of `graph` by `dot` (kept by DOT text: laid out once per chart)."""
    return _layout(graph.text())


@lru_cache(maxsize=16)
def _layout(text: str) -> Layout:
    program = shutil.which(DOT)
    if program is None:
        raise LayoutUnavailable(
            "Graphviz is not installed (no `dot` on the PATH): run "
            "scripts/install-system-packages.sh as root, or apt-get install graphviz"
        )
    try:
        done = subprocess.run(
            [program, "-Tjson"], input=text, capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired as stopped:
        raise LayoutUnavailable(f"dot took longer than {TIMEOUT:.0f} s") from stopped
    if done.returncode != 0:
        raise LayoutUnavailable(f"dot failed: {done.stderr.strip()[:500]}")
    return _read(json.loads(done.stdout))


def _read(found: dict) -> Layout:
    x0, y0, x1, y1 = (float(v) for v in found["bb"].split(","))
    height = y1 - y0

    def point(text: str) -> Point:
        x, y = (float(v) for v in text.split(","))
        return x - x0, height - (y - y0)

    centres, frames = {}, {}
    for item in found.get("objects", []):
        if "bb" in item and item["name"].startswith("cluster_"):
            a, b, c, d = (float(v) for v in item["bb"].split(","))
            frames[int(item["name"].removeprefix("cluster_"))] = (a - x0, height - d, c - a, d - b)
        elif "pos" in item:
            centres[item["name"]] = point(item["pos"])
    curves = []  # in the order the edges were written (their ids), not dot's own
    for edge in sorted(found.get("edges", []), key=lambda e: int(e["id"].removeprefix("e"))):
        start = end = None
        spline = []
        for part in edge.get("pos", "").split(";")[0].split():
            if part.startswith("s,"):
                start = point(part[2:])
            elif part.startswith("e,"):
                end = point(part[2:])
            else:
                spline.append(point(part))
        curves.append((spline, start, end))
    return Layout(x1 - x0, height, centres, frames, curves)
