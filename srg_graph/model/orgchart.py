"""The org chart: an SVG diagram generated from the graph, never drawn by hand.

The boxes are the governance bodies, the werkbanken and whatever a reporting, advice or
oversight line links them to (`sparql/orgchart-*.rq`). The layout is layered by the reporting
hierarchy: a box's row is its longest `org:reportsTo` distance to the top; a box that reports
to nothing sits just above the highest box reporting to it, and one outside the hierarchy
(the Klankbordgroep) in the row of what it advises. Within a row the boxes are spread evenly,
in the order that keeps lines short and puts linked boxes of one row side by side.
The web layer renders the SVG (`web/templates/orgchart.svg`, Jinja2, autoescaped).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import permutations

from ..languages import pick
from ..namespaces import ORG, SRG
from ..sparql import internal
from ..store import GraphStore
from .documents import doc_href

KINDS = {f"{ORG}reportsTo": "reports", f"{SRG}advises": "advises", f"{SRG}oversees": "oversees"}
LEGEND = {
    "nl": {"reports": "rapporteert aan", "advises": "adviseert", "oversees": "houdt toezicht op"},
    "en": {"reports": "reports to", "advises": "advises", "oversees": "oversees"},
}
TITLE = {"nl": "Organigram van het Smart Region Governance-model",
         "en": "Organisation chart of the Smart Region Governance model"}  # fmt: skip
BOX_W, BOX_H, GAP_X, ROW_H, MARGIN, LEGEND_H = 190, 58, 34, 140, 24, 44
CHARS_PER_LINE, MAX_LINES, PARALLEL = 24, 3, 7.0


@dataclass(frozen=True)
class Box:
    iri: str
    href: str
    kind: str  # body, werkbank or other
    label: str
    lines: tuple[str, ...]
    x: float  # top-left corner
    y: float


@dataclass(frozen=True)
class Line:
    source: str
    target: str
    kind: str  # reports, advises or oversees
    d: str  # the SVG path


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    boxes: tuple[Box, ...]
    lines: tuple[Line, ...]
    legend: tuple[tuple[str, str], ...]
    title: str
    legend_y: float


def wrap(label: str) -> tuple[str, ...]:
    """The label in lines short enough for a box (the last one cut with an ellipsis)."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= CHARS_PER_LINE:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > MAX_LINES:
        lines = [*lines[: MAX_LINES - 1], lines[MAX_LINES - 1][: CHARS_PER_LINE - 1] + "…"]
    return tuple(lines)


def rows(nodes: list[str], edges: list[tuple[str, str, str]]) -> dict[str, int]:
    """Each node's row: longest reporting distance to the top, see the module docstring."""
    up = {n: sorted({t for f, k, t in edges if f == n and k == "reports"}) for n in nodes}
    down = {n: sorted({f for f, k, t in edges if t == n and k == "reports"}) for n in nodes}
    row: dict[str, int] = {}

    def depth(node: str, seen: frozenset[str]) -> int:
        if node not in row:
            parents = [p for p in up[node] if p not in seen]  # a cycle is cut, not followed
            row[node] = 1 + max((depth(p, seen | {node}) for p in parents), default=-1)
        return row[node]

    for node in nodes:
        depth(node, frozenset())
    for node in nodes:
        if not up[node] and down[node]:
            row[node] = max(0, min(row[c] for c in down[node]) - 1)
    for node in nodes:
        if not up[node] and not down[node]:
            linked = [t for f, _, t in edges if f == node] + [f for f, _, t in edges if t == node]
            row[node] = min((row[n] for n in linked if n != node), default=0)
    return row


def _cost(order: tuple[str, ...], placed: dict[str, float], links: dict[str, list[str]]) -> float:
    """Lines to boxes above as short as can be; linked boxes of one row side by side."""
    slot = {node: i for i, node in enumerate(order)}
    cost = 0.0
    for i, node in enumerate(order):
        x = (i + 0.5) / len(order)
        for other in links[node]:
            if other in placed:
                cost += abs(x - placed[other])
            elif other in slot:
                cost += 1000 * max(0, abs(slot[other] - i) - 1) / 2  # each pair counted twice
    return cost


def arrange(row_of: dict[str, int], edges: list[tuple[str, str, str]]) -> list[list[str]]:
    """The boxes of each row, left to right (ties go to IRI order, so both languages agree)."""
    links: dict[str, list[str]] = {n: [] for n in row_of}
    for source, _, target in edges:
        links[source].append(target)
        links[target].append(source)
    placed: dict[str, float] = {}
    layers: list[list[str]] = []
    for number in range(max(row_of.values(), default=-1) + 1):
        members = sorted(n for n, r in row_of.items() if r == number)
        if len(members) <= 7:
            best = min(permutations(members), key=lambda o: _cost(o, placed, links))
        else:  # too many to try every order: by the mean position of what is linked above
            best = tuple(sorted(members, key=lambda n: _mean(n, placed, links)))
        layers.append(list(best))
        placed.update({node: (i + 0.5) / len(best) for i, node in enumerate(best)})
    return layers


def _mean(node: str, placed: dict[str, float], links: dict[str, list[str]]) -> float:
    xs = [placed[o] for o in links[node] if o in placed]
    return sum(xs) / len(xs) if xs else 0.5


def _exit(cx: float, cy: float, box: Box, dx: float, dy: float) -> tuple[float, float]:
    """Where the ray from (cx, cy) inside `box` in direction (dx, dy) leaves it."""
    steps = []
    if dx:
        steps.append(((box.x + BOX_W if dx > 0 else box.x) - cx) / dx)
    if dy:
        steps.append(((box.y + BOX_H if dy > 0 else box.y) - cy) / dy)
    t = max(0.0, min(steps, default=0.0))
    return cx + t * dx, cy + t * dy


def _path(a: Box, b: Box, offset: float) -> str:
    """A straight line from box `a` to box `b`, moved sideways by `offset` (parallel lines)."""
    ax, ay, bx, by = a.x + BOX_W / 2, a.y + BOX_H / 2, b.x + BOX_W / 2, b.y + BOX_H / 2
    length = math.hypot(bx - ax, by - ay) or 1.0
    dx, dy = (bx - ax) / length, (by - ay) / length
    nx, ny = -dy * offset, dx * offset
    if abs(dy) > 1e-9:  # keep the moved points inside both boxes
        nx = max(-BOX_W / 2 + 8, min(BOX_W / 2 - 8, nx))
    sx, sy = _exit(ax + nx, ay + ny, a, dx, dy)
    ex, ey = _exit(bx + nx, by + ny, b, -dx, -dy)
    return f"M{sx:.1f},{sy:.1f} L{ex:.1f},{ey:.1f}"


def _lines(boxes: dict[str, Box], edges: list[tuple[str, str, str]]) -> list[Line]:
    """Each edge as a path; lines between the same two boxes are drawn side by side."""
    pairs: dict[frozenset[str], list[tuple[str, str, str]]] = {}
    for edge in edges:
        pairs.setdefault(frozenset((edge[0], edge[2])), []).append(edge)
    lines = []
    for source, kind, target in edges:
        group = pairs[frozenset((source, target))]
        index = group.index((source, kind, target))
        offset = (index - (len(group) - 1) / 2) * PARALLEL
        # the same sideways direction for both directions of a pair
        sign = 1 if source < target else -1
        d = _path(boxes[source], boxes[target], offset * sign)
        lines.append(Line(source, target, kind, d))
    return lines


def build(store: GraphStore, lang: str) -> Chart:
    """The chart of the current graph with its labels in `lang`."""
    edges = [
        (r["from"], KINDS[r["line"]], r["to"]) for r in store.rows(internal.query("orgchart-lines"))
    ]
    found = store.rows(internal.query("orgchart-nodes"))
    nodes = {r["node"]: r for r in found}
    edges = [e for e in edges if e[0] in nodes and e[2] in nodes and e[0] != e[2]]
    layers = arrange(rows(sorted(nodes), edges), edges)
    widest = max((len(layer) for layer in layers), default=1)
    width = 2 * MARGIN + widest * BOX_W + (widest - 1) * GAP_X
    boxes: dict[str, Box] = {}
    for number, layer in enumerate(layers):
        slot = (width - 2 * MARGIN) / len(layer)
        for i, iri in enumerate(layer):
            row = nodes[iri]
            labels = {"nl": row.get("labelNl", ""), "en": row.get("labelEn", "")}
            label = pick(labels, lang, iri.rsplit("/", 1)[-1])
            x = MARGIN + (i + 0.5) * slot - BOX_W / 2
            kind = row["kind"].split("-", 1)[1]
            boxes[iri] = Box(
                iri, doc_href(iri), kind, label, wrap(label), x, MARGIN + number * ROW_H
            )
    legend_y = MARGIN + (len(layers) - 1) * ROW_H + BOX_H + 36
    return Chart(
        width=int(width),
        height=int(legend_y + LEGEND_H),
        boxes=tuple(boxes.values()),
        lines=tuple(_lines(boxes, edges)),
        legend=tuple(LEGEND[lang].items()),
        title=TITLE[lang],
        legend_y=legend_y,
    )
