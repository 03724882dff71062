"""A rebuild on top of the store: what changed in the sources since the last build, merged
with the writes accepted since, as one change.

Three states of each source graph (a graph of `ontology/`, `shapes/` or `data/`): as the
last build loaded it (the base, kept beside the store: `<store>.sources.nq`), as the files
say now, and as the store holds it. What the sources added since the base is added and what
they removed is removed; what writes did since stays. A conflict is a statement the sources
add that a change since the last build removed, or one they remove that a change since
added: the build is refused with the list, and the user decides (`Resolution`).

Statements are compared as N-Quads lines. A file whose bytes did not change keeps the base's
statements as they are (blank node labels included), so that only what changed differs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from ..store import Delta, GraphStore
from . import faults, wal
from .history import Change
from .sources import discover


class Resolution(Enum):
    """What a build does with the writes to the source graphs accepted since the last one."""

    MERGE = "merge"  # keep them; refuse on a conflict
    PREFER_SOURCES = "prefer-sources"  # keep them; on a conflict the sources win
    PREFER_WRITES = "prefer-writes"  # keep them; on a conflict the writes win
    DISCARD_WRITES = "discard-writes"  # the source graphs become the files, exactly


@dataclass(frozen=True, order=True)
class Conflict:
    statement: str  # an N-Quads line
    sources: str  # what the sources do with it: "add" or "remove"


class BuildConflict(Exception):
    """The sources and the writes since the last build disagree; nothing was changed."""

    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        super().__init__(
            f"{len(conflicts)} statement(s) the sources and the writes since the last build "
            "disagree on; nothing was changed"
        )


@dataclass
class Base:
    """The sources as the last build loaded them, the change that build made, and a hash of
    each file (an empty base: no build kept one, as before bases were kept)."""

    store: GraphStore | None = None
    change: int = 0
    files: dict[str, str] = field(default_factory=dict)


def _paths(snapshot: Path) -> tuple[Path, Path]:
    return (
        snapshot.with_name(snapshot.name + ".sources.nq"),
        snapshot.with_name(snapshot.name + ".sources.json"),
    )


def read_base(snapshot: Path) -> Base:
    quads, index = _paths(snapshot)
    if not (quads.exists() and index.exists()):
        return Base()
    found = json.loads(index.read_text("utf-8"))
    store = GraphStore()
    store.add_graphs(found.get("graphs", []))
    store.apply(Delta(b"", quads.read_bytes()))
    return Base(store, found.get("change", 0), found.get("files", {}))


def write_base(snapshot: Path, sources: GraphStore, change: int, files: dict[str, str]) -> None:
    """Keep the sources just built as the next build's base (each file written whole, then
    renamed into place)."""
    quads, index = _paths(snapshot)
    about = {"change": change, "files": files, "graphs": sources.graph_names()}
    for path, data in ((quads, sources.dump("nquads")), (index, json.dumps(about).encode())):
        try:
            faults.reach("base-write")
            wal.replace_whole(path, data)
        except OSError as error:
            if error.errno not in wal.FULL:
                raise
            outcome = (
                f"Change {change} is made; without this record the next build compares the "
                "sources with the store as a whole. Free space before it."
            )
            what = "the record of what the build read from the sources"
            raise wal.full_error(error, snapshot.parent, len(data), what, outcome) from error
    wal.fsync_directory(snapshot.parent)


def current_sources(root: Path, base: Base) -> tuple[GraphStore, dict[str, str]]:
    """The sources as the files say now (a file unchanged since the base as the base holds
    it), and the hash of each file."""
    store, files = GraphStore(), {}
    for source in discover(root):
        key = source.display(root)
        files[key] = hashlib.sha256(source.path.read_bytes()).hexdigest()
        store.add_graphs([source.graph])
        if base.store is not None and base.files.get(key) == files[key]:
            store.take_graph(base.store, source.graph)
        else:
            store.load_source(source, key)
    return store, files


def merged(
    base: Base, sources: GraphStore, current: GraphStore, since: list[Change], how: Resolution
) -> Delta:
    """The change that brings the sources' changes since `base` onto `current`; `since`:
    the changes accepted after the last build. `BuildConflict` on a conflict (MERGE)."""
    before = base.store.graph_names() if base.store is not None else []
    graphs = sorted(set(sources.graph_names()) | set(before))
    written_removed, written_added = _statements_of(since)
    removed: set[str] = set()
    added: set[str] = set()
    dropped: list[str] = []
    conflicts: list[Conflict] = []
    for graph in graphs:
        now, held = sources.statements(graph), current.statements(graph)
        if base.store is None or how is Resolution.DISCARD_WRITES:
            # no base (a store built before bases were kept): the files are the graphs
            adds, drops = now - held, held - now
        else:
            was = base.store.statements(graph)
            adds, drops = now - was, was - now
            conflicts += [Conflict(q, "add") for q in adds & written_removed]
            conflicts += [Conflict(q, "remove") for q in drops & written_added]
            if how is Resolution.PREFER_WRITES:
                adds, drops = adds - written_removed, drops - written_added
            adds, drops = adds - held, drops & held
        added |= adds
        removed |= drops
        gone = current.has_graph(graph) and not sources.has_graph(graph)
        if gone and not (held - drops) | adds:
            dropped.append(graph)  # its file is gone, and so is all it held
    if conflicts and how is Resolution.MERGE:
        raise BuildConflict(sorted(conflicts))
    created = tuple(g for g in sources.graph_names() if not current.has_graph(g))
    return Delta(_nquads(removed), _nquads(added), frozenset(graphs), created, tuple(dropped))


def _statements_of(changes: list[Change]) -> tuple[set[str], set[str]]:
    """The statements (N-Quads lines) the changes removed, and those they added."""
    removed: set[str] = set()
    added: set[str] = set()
    for change in changes:
        removed |= set(change.delta.removed.decode().splitlines())
        added |= set(change.delta.added.decode().splitlines())
    return removed, added


def _nquads(lines: set[str]) -> bytes:
    return "".join(f"{line}\n" for line in sorted(lines)).encode()
