"""The source files of the graph and the named graph each one becomes.

`ontology/srg.ttl` is the graph `graph/ontology`; other ontology files `graph/ontology/<stem>`;
shapes `graph/shapes/<stem>`; data `graph/<stem>` (see docs/modelling.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from ..errors import SourceError
from ..namespaces import GRAPH, ONTOLOGY_GRAPH
from ..store.history_graph import HISTORY


class Kind(Enum):
    ONTOLOGY = "ontology"
    SHAPES = "shapes"
    DATA = "data"


@dataclass(frozen=True)
class Source:
    """One source file and the named graph it is loaded into."""

    path: Path
    kind: Kind
    graph: str

    def display(self, root: Path) -> str:
        try:
            return str(self.path.relative_to(root))
        except ValueError:
            return str(self.path)


def graph_iri(kind: Kind, stem: str) -> str:
    if kind is Kind.DATA:
        return f"{GRAPH}{stem}"
    if kind is Kind.ONTOLOGY and stem == "srg":
        return ONTOLOGY_GRAPH
    return f"{GRAPH}{kind.value}/{stem}"


def discover(root: Path) -> list[Source]:
    """Every `.ttl` under `ontology/`, `shapes/` and `data/`, in a stable order."""
    found = [
        Source(path, kind, graph_iri(kind, path.stem))
        for kind in Kind
        for path in sorted((root / kind.value).glob("*.ttl"))
    ]
    for source in found:
        if source.graph == HISTORY:
            raise SourceError(
                str(source.path),
                "this file would be the history graph, which only the changes write: remove "
                "it, or rename it for data of its own (an `srg export` of before 2026-12-06 "
                "wrote the history there by mistake)",
            )
    graphs = [source.graph for source in found]
    duplicated = {g for g in graphs if graphs.count(g) > 1}
    if duplicated:
        raise SourceError(
            str(root), f"two source files map to the same graph: {sorted(duplicated)}"
        )
    return found


def submitted(path: Path) -> Source:
    """A file given on the command line, validated beside the sources in a graph of its own."""
    return Source(path, Kind.DATA, f"{GRAPH}submitted/{path.stem}")
