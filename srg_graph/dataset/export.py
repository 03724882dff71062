"""`srg export`: the store's graphs written back to the source files, so that writes accepted
by the server can be committed with the sources.

Each graph of a source file (`ontology/`, `shapes/`, `data/`) that the store holds otherwise
than the file says is written over that file, as Turtle with the project's prefixes (the
file's comments and layout are not kept: review the diff before committing). A graph of the
store that no file has yet and whose name maps onto one (`graph/mappings` onto
`data/mappings.ttl`) gets that file. Other graphs (uploads, the history) are left out and
listed. The sources of the last build then say what the files say, so the next build finds
no change to make.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings
from ..namespaces import GRAPH, PREFIXES
from ..store import GraphStore
from ..store.history_graph import HISTORY
from . import wal
from .embedded import Dataset
from .merge import current_sources, read_base, write_base
from .sources import Kind, discover, graph_iri


@dataclass
class Exported:
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # graphs with no source file


def export(settings: Settings) -> Exported:
    """Write the store's graphs over the source files where they differ."""
    data = Dataset.recovered(settings.store)
    base = read_base(settings.store)
    sources, _ = current_sources(settings.root, base)
    files = {source.graph: source.path for source in discover(settings.root)}
    outcome = Exported()
    for graph in data.store.graph_names():
        if graph == HISTORY:  # the changes' own description: kept by the log, no source file
            continue
        path = files.get(graph) or _new_file(settings.root, graph)
        if path is None:
            outcome.left_out.append(graph)
            continue
        if sources.has_graph(graph) and sources.statements(graph) == data.store.statements(graph):
            outcome.unchanged.append(path)
            continue
        wal.replace_whole(path, data.store.dump("turtle", [graph], PREFIXES))
        outcome.written.append(path)
    if outcome.written:  # the files now say what the store holds, blank node labels apart
        exported, hashes = current_sources(settings.root, base)
        kept = GraphStore()
        for graph in exported.graph_names():
            kept.add_graphs([graph])
            kept.take_graph(data.store, graph)
        write_base(settings.store, kept, base.change, hashes)
    return outcome


def _new_file(root: Path, graph: str) -> Path | None:
    """The data file a graph of the store would have: `graph/{stem}` is `data/{stem}.ttl`."""
    stem = graph.removeprefix(GRAPH)
    if stem == graph or not stem or "/" in stem or graph_iri(Kind.DATA, stem) != graph:
        return None
    return root / Kind.DATA.value / f"{stem}.ttl"
