"""The org chart: generated from the graph and laid out by Graphviz `dot`, never by hand.

The boxes are the governance bodies, the werkbanken and whatever a line links them to
(`sparql/rq/orgchart-*.rq`). What goes where:

- **Rows** follow reporting: every line is one of `dot`'s ranking constraints, the reporting
  box below the one it reports to (`org:reportsTo`) or at (`srg:reportsAt`: the werkbanken
  under the Werkbankoverleg), the advising or overseeing box above the other; `rows` gives
  the reporting hierarchy, against which a line that would point the other way (or stays
  within a row) does not rank. So the Klankbordgroep, outside the hierarchy, sits above what
  it advises, and the Werkbankoverleg between the SRO that oversees it and the werkbanken.
- **Frames**: a body and its units (the SRO and its kerngroep) share a frame; the werkbanken
  share one too, and a box with the same kind of line to or from *every* werkbank has one
  line to or from that frame instead of one per werkbank (`bundle`): the sixteen lines that
  crossed between the SRO's row and the werkbanken are four that do not.
- **Proposals**: a box whose `srg:status` is "voorgesteld" is drawn as a proposal, and a lead
  only proposed (`srg:proposedLead`) is shown as such beside an appointed one (`srg:lead`).

`dot` lays out the chart once per chart and language (`graphviz.layout` keeps layouts by their
DOT text); the web layer draws it (`web/templates/orgchart.svg`, Jinja2, autoescaped). Without
`dot` the chart is `Chart.missing`, which says how to install it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..languages import Label, pick
from ..namespaces import ID, ORG, SRG
from ..sparql import internal
from ..store import GraphStore
from . import graphviz
from .documents import doc_href

KINDS = {
    f"{ORG}reportsTo": "reports",
    f"{SRG}reportsAt": "reports-at",
    f"{SRG}advises": "advises",
    f"{SRG}oversees": "oversees",
}
UPWARD = ("reports", "reports-at")  # lines drawn upwards: the reporting box is the lower
PROPOSED = f"{ID}concept/status/voorgesteld"
BOX_W, LINE_H, PAD, LEAD_H, MIN_H = 200, 16, 12, 17, 58
MARGIN, LEGEND_COLUMN, LEGEND_ROW = 24, 290, 26
CHARS_PER_LINE, MAX_LINES, LEAD_CHARS = 25, 3, 14
GROUP_CAPTION = "Werkbanken"  # what `dot` keeps room for; drawn from words.json
Edge = tuple[str, str, str]  # source, kind, target
Ends = tuple[tuple[str, ...], str, tuple[str, ...]]  # sources, kind, targets of one line


@dataclass(frozen=True)
class Lead:
    iri: str
    href: str
    label: Label
    proposed: bool  # srg:proposedLead, not (yet) srg:lead


@dataclass(frozen=True)
class Box:
    iri: str
    href: str
    kind: str  # body, werkbank or other
    label: Label
    lines: tuple[str, ...]
    x: float  # top-left corner
    y: float
    width: float
    height: float
    proposed: bool = False
    lead: Lead | None = None


@dataclass(frozen=True)
class Frame:
    kind: str  # "unit": a body and its units; "group": the werkbanken
    iri: str  # the body whose frame it is ("" for a group)
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Line:
    sources: tuple[str, ...]  # more than one: a line from the werkbanken's frame
    kind: str  # reports, reports-at, advises or oversees
    targets: tuple[str, ...]  # more than one: a line to the werkbanken's frame
    d: str  # the SVG path, from the source to the target


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    boxes: tuple[Box, ...]
    frames: tuple[Frame, ...]
    lines: tuple[Line, ...]
    legend: tuple[tuple[str, float, float], ...]  # (entry, x, y)
    note_y: float  # the line under the legend that explains the frames
    missing: str = ""  # why there is no chart: `dot` is not installed, or failed


def wrap(label: str, width: int = CHARS_PER_LINE) -> tuple[str, ...]:
    """The label in lines short enough for a box (the last one cut with an ellipsis)."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > MAX_LINES:
        lines = [*lines[: MAX_LINES - 1], lines[MAX_LINES - 1][: width - 1] + "…"]
    return tuple(lines)


def rows(nodes: list[str], edges: list[Edge]) -> dict[str, int]:
    """The row of each node in the reporting hierarchy: its longest reporting distance to
    the top; one that reports to nothing sits just above the highest that reports to it.
    Nodes outside the hierarchy (the Klankbordgroep, which only advises) have no row:
    `dot` ranks them by their other lines, above what they advise or oversee."""
    up = {n: sorted({t for f, k, t in edges if f == n and k == "reports"}) for n in nodes}
    down = {n: sorted({f for f, k, t in edges if t == n and k == "reports"}) for n in nodes}
    row: dict[str, int] = {}

    def depth(node: str, seen: frozenset[str]) -> int:
        if node not in row:
            parents = [p for p in up[node] if p not in seen]  # a cycle is cut, not followed
            row[node] = 1 + max((depth(p, seen | {node}) for p in parents), default=-1)
        return row[node]

    for node in nodes:
        if up[node] or down[node]:
            depth(node, frozenset())
    for node in nodes:
        if not up[node] and down[node]:
            row[node] = max(0, min(row[c] for c in down[node]) - 1)
    return row


def bundle(edges: list[Edge], group: list[str]) -> list[Ends]:
    """The edges as lines: those of one box and kind to or from every member of `group` (of
    two or more) become one line to or from the group, the rest stay one line each."""
    members = set(group)
    lines, taken = [], set()
    if len(members) > 1:
        ends = {(f, k, "out") for f, k, t in edges if f not in members} | {
            (t, k, "in") for f, k, t in edges if t not in members
        }
        for node, kind, way in sorted(ends):
            wanted = {(node, kind, m) if way == "out" else (m, kind, node) for m in group}
            if wanted <= set(edges):
                taken |= wanted
                pair = ((node,), kind, tuple(group))
                lines.append(pair if way == "out" else (pair[2], kind, pair[0]))
    lines += [((f,), k, (t,)) for f, k, t in edges if (f, k, t) not in taken]
    return lines


def _short(labels: list[dict[str, str]], lang: str, fallback: str) -> Label:
    """The shortest label of a lead in `lang` (else in any): usually its abbreviation."""
    every = [Label(r["label"], r.get("lang", "").split("-")[0]) for r in labels if "label" in r]
    mine = [label for label in every if label.lang == lang]
    text = min(mine or every, key=len, default=Label(fallback))
    return text if len(text) <= LEAD_CHARS else Label(text[: LEAD_CHARS - 1] + "…", text.lang)


def _leads(store: GraphStore, lang: str) -> dict[str, Lead]:
    """Each node's lead: the appointed one, else a proposed one."""
    found: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for row in store.rows(internal.query("orgchart-leads")):
        found.setdefault((row["node"], row["property"], row["lead"]), []).append(row)
    leads: dict[str, Lead] = {}
    for (node, prop, lead), labels in sorted(found.items()):
        proposed = prop == f"{SRG}proposedLead"
        if node not in leads or (leads[node].proposed and not proposed):
            label = _short(labels, lang, lead.rsplit("/", 1)[-1])
            leads[node] = Lead(lead, doc_href(lead), label, proposed)
    return leads


def build(store: GraphStore, lang: str) -> Chart:
    """The chart of the current graph with its labels in `lang`."""
    found = {r["node"]: r for r in store.rows(internal.query("orgchart-nodes"))}
    edges = [
        (r["from"], KINDS[r["line"]], r["to"]) for r in store.rows(internal.query("orgchart-lines"))
    ]
    edges = [e for e in edges if e[0] in found and e[2] in found and e[0] != e[2]]
    leads = _leads(store, lang)
    boxes = {iri: _box(iri, row, lang, leads.get(iri)) for iri, row in sorted(found.items())}
    try:
        return _place(boxes, edges, found)
    except graphviz.LayoutUnavailable as failed:
        return Chart(0, 0, (), (), (), (), 0, missing=failed.message)


def _box(iri: str, row: dict[str, str], lang: str, lead: Lead | None) -> Box:
    labels = {"nl": row.get("labelNl", ""), "en": row.get("labelEn", "")}
    label = pick(labels, lang, iri.rsplit("/", 1)[-1])
    lines = wrap(label)
    height = max(MIN_H, 2 * PAD + LINE_H * len(lines) + (LEAD_H if lead else 0))
    kind = row["kind"].split("-", 1)[1]
    proposed = row.get("status") == PROPOSED
    return Box(iri, doc_href(iri), kind, label, lines, 0, 0, BOX_W, height, proposed, lead)


def _place(boxes: dict[str, Box], edges: list[Edge], found: dict[str, dict[str, str]]) -> Chart:
    """Lay the boxes and lines out with `dot`, then put the legend under them."""
    ids = {iri: f"n{number}" for number, iri in enumerate(boxes)}
    row = rows(list(boxes), edges)
    graph = graphviz.Digraph(
        {"compound": True, "nodesep": 0.4, "ranksep": 0.75, "fontname": "Helvetica",
         "fontsize": 14.0, "labeljust": "l"}
    )  # fmt: skip
    for iri, box in boxes.items():
        graph.nodes[ids[iri]] = (box.width, box.height)
    frames: list[tuple[str, str, list[str]]] = []  # kind, iri, members
    for parent in boxes:
        units = [iri for iri, r in found.items() if r.get("unitOf") == parent]
        if units:
            frames.append(("unit", parent, [parent, *units]))
    framed = {m for _, _, members in frames for m in members}
    group = [iri for iri, b in boxes.items() if b.kind == "werkbank" and iri not in framed]
    if len(group) > 1:
        frames.append(("group", "", group))
    for kind, _, members in frames:
        caption = GROUP_CAPTION if kind == "group" else ""
        graph.clusters[f"c{len(graph.clusters)}"] = ([ids[m] for m in members], caption)
    cluster_of = {tuple(members): n for n, (_, _, members) in enumerate(frames)}
    lines = bundle(edges, group if len(group) > 1 else [])
    graph.edges += [_dot_edge(line, ids, row, cluster_of) for line in lines]
    laid = graphviz.layout(graph)
    upward = [attrs.get("dir") == "back" for _, _, attrs in graph.edges]
    return _chart(boxes, frames, list(zip(lines, upward, strict=True)), laid, ids)


def _dot_edge(
    line: Ends, ids: dict[str, str], row: dict[str, int], cluster_of: dict[tuple[str, ...], int]
) -> tuple[str, str, dict[str, str | float | bool]]:
    """One line as a DOT edge from the higher box down (the arrow at the tail when the line
    goes up); a line of the frame's runs to its middle member and is clipped at the frame.
    Which box is higher: the reporting hierarchy's rows where both ends have one (within a
    row the line does not rank), else the kind (reporting lines go up, the others down)."""
    sources, kind, targets = line
    source, target = sources[len(sources) // 2], targets[len(targets) // 2]
    attrs: dict[str, str | float | bool] = {"arrowsize": 0.8}
    ranked = source in row and target in row
    up = row[source] > row[target] if ranked else kind in UPWARD
    if ranked and row[source] == row[target]:
        attrs["minlen"] = 0  # the same row: dot keeps the two side by side
    tail, head = (targets, sources) if up else (sources, targets)
    if up:
        attrs["dir"] = "back"
    if len(tail) > 1:
        attrs["ltail"] = f"cluster_{cluster_of[tail]}"
    if len(head) > 1:
        attrs["lhead"] = f"cluster_{cluster_of[head]}"
    return ids[tail[len(tail) // 2]], ids[head[len(head) // 2]], attrs


def _path(
    spline: list[graphviz.Point], start: graphviz.Point | None, end: graphviz.Point | None, up: bool
) -> str:
    """An SVG path from dot's spline, from the line's source to the tip of its arrow (dot
    draws an upward line from its target, with the arrow at its start)."""
    points = list(reversed(spline)) if up else list(spline)
    tip = start if up else end
    if not points:
        return ""
    d = [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
    for a, b, c in zip(points[1::3], points[2::3], points[3::3], strict=False):
        d.append(f"C{a[0]:.1f},{a[1]:.1f} {b[0]:.1f},{b[1]:.1f} {c[0]:.1f},{c[1]:.1f}")
    if tip is not None:
        d.append(f"L{tip[0]:.1f},{tip[1]:.1f}")
    return " ".join(d)


def _moved(point: graphviz.Point) -> graphviz.Point:
    return point[0] + MARGIN, point[1] + MARGIN


def _chart(
    boxes: dict[str, Box],
    frames: list[tuple[str, str, list[str]]],
    lines: list[tuple[Ends, bool]],
    laid: graphviz.Layout,
    ids: dict[str, str],
) -> Chart:
    """The chart in SVG coordinates: boxes, frames and lines where dot put them, a margin
    around, the legend below."""
    placed = []
    for iri, box in boxes.items():
        cx, cy = laid.centres[ids[iri]]
        x, y = MARGIN + cx - box.width / 2, MARGIN + cy - box.height / 2
        placed.append(replace(box, x=round(x, 1), y=round(y, 1)))
    drawn_frames = []
    for number, (kind, iri, _) in enumerate(frames):
        x, y, w, h = laid.frames[number]
        drawn_frames.append(Frame(kind, iri, MARGIN + x, MARGIN + y, w, h))
    drawn = []
    for ((sources, kind, targets), up), (spline, start, end) in zip(
        lines, laid.curves, strict=True
    ):
        moved = [_moved(p) for p in spline]
        d = _path(moved, start and _moved(start), end and _moved(end), up)
        drawn.append(Line(sources, kind, targets, d))
    width = max(laid.width + 2 * MARGIN, 2 * MARGIN + 2 * LEGEND_COLUMN)
    legend, bottom = _legend(width, laid.height + MARGIN + 28)
    return Chart(
        int(width), int(bottom + 34), tuple(placed), tuple(drawn_frames), tuple(drawn),
        legend, bottom + 8,
    )  # fmt: skip


def _legend(width: float, top: float) -> tuple[tuple[tuple[str, float, float], ...], float]:
    """The legend's entries in rows as wide as the chart: each line kind, then a proposal."""
    entries = [*KINDS.values(), "proposal"]
    columns = max(1, int((width - 2 * MARGIN) // LEGEND_COLUMN))
    placed = tuple(
        (entry, MARGIN + (i % columns) * LEGEND_COLUMN, top + (i // columns) * LEGEND_ROW)
        for i, entry in enumerate(entries)
    )
    return placed, placed[-1][2] + LEGEND_ROW
