"""The snapshot's dump: the dataset as N-Quads files that the engine loads in one call.

Copying the on-disk store into memory goes quad by quad through Python (about 15 s at a
million quads); the engine's own N-Quads parser fills an in-memory store with the same data
in a few seconds. That parser renames blank nodes, and the write-ahead log refers to the
store's blank node labels, so the few quads with a blank node are kept in a file of their
own and loaded with their labels. The on-disk store beside them (the directory opens in
`oxigraph serve --location`) is written from the dump by the engine's bulk loader. Both sit
inside the snapshot directory, so the directory swap of `build.replacing_store` replaces them
together.

The index (`dump.json`, written last) records the SHA-256 and size of each dump file, taken
while it is written, and a checksum of its own; loading the dump checks them first, so a
damaged snapshot is refused with the name of the file (`SnapshotDamaged`) instead of being
served. Hashing costs a fraction of the load (SHA-256 reads about 0.5-1 GB/s; a million
quads are about 200 MB of N-Quads). The index also says up to which change of the
write-ahead log the snapshot holds (`version`), so that a log is never replayed twice.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import SnapshotDamaged
from ..sparql import internal
from .graph_store import GraphStore
from .history_graph import HISTORY

GROUND, BLANK, INDEX = "dump.nq", "dump-blank.nq", "dump.json"


def _has_blank(quad: ox.Quad) -> bool:
    return any(
        isinstance(term, ox.BlankNode) for term in (quad.subject, quad.object, quad.graph_name)
    )


class _Hashing:
    """A file that hashes what is written to it."""

    def __init__(self, out: Any):
        self.out, self.digest, self.size = out, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


def _write(path: Path, quads: Iterable[ox.Quad]) -> dict[str, Any]:
    """Write the quads as N-Quads, durably; the file's size and SHA-256."""
    with path.open("wb") as out:
        hashing = _Hashing(out)
        ox.serialize(quads, hashing, ox.RdfFormat.N_QUADS)
        out.flush()
        os.fsync(out.fileno())
    return {"bytes": hashing.size, "sha256": hashing.digest.hexdigest()}


def _by_predicate(store: ox.Store) -> Iterator[ox.Quad]:
    """Every quad, those of one predicate together. The store allocates quads in the order
    they are loaded, and a query scans a predicate's quads far more often than a subject's:
    together in memory, they are read faster (about a fifth less time for the benchmark's
    query mix) and fewer memory pages are touched (see `zygote`)."""
    predicates = {row["p"] for row in store.query(internal.query("dump-predicates"))}
    for predicate in sorted(predicates, key=str):
        yield from store.quads_for_pattern(None, predicate, None, None)


def write_dump(store: GraphStore, directory: Path, version: int = 0) -> None:
    """Write the dump of `store` into `directory`; the index, written last, marks it whole.
    `version`: the last change of the write-ahead log that the store holds.

    The history graph is left out: it is made from the log at every load (which keeps the
    history), so a snapshot holds no second copy of it, and none of a statement purged from
    the history since."""
    blank: list[ox.Quad] = []
    history, written = ox.NamedNode(HISTORY), [0]

    def ground(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
        for quad in quads:
            if quad.graph_name == history:
                continue
            written[0] += 1
            if _has_blank(quad):
                blank.append(quad)
            else:
                yield quad

    files = {GROUND: _write(directory / GROUND, ground(_by_predicate(store._store)))}
    files[BLANK] = _write(directory / BLANK, blank)
    # Named graphs can exist empty, which N-Quads cannot say.
    graphs = [graph for graph in store.graph_names() if graph != HISTORY]
    index = {"graphs": graphs, "quads": written[0], "version": version}
    index["files"] = files
    index["checksum"] = _checksum(index)
    with (directory / INDEX).open("w", encoding="utf-8") as out:
        out.write(json.dumps(index))
        out.flush()
        os.fsync(out.fileno())
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _checksum(index: dict[str, Any]) -> str:
    """The index's own checksum: SHA-256 of its other keys, as sorted JSON."""
    rest = {key: value for key, value in index.items() if key != "checksum"}
    return hashlib.sha256(json.dumps(rest, sort_keys=True).encode()).hexdigest()


def write_disk_store(directory: Path) -> None:
    """Write the on-disk store of the dump in `directory`, beside it, with the engine's bulk
    loader: no quad passes through Python but those with a blank node (labels kept)."""
    disk = ox.Store(str(directory))
    disk.bulk_load(path=str(directory / GROUND), format=ox.RdfFormat.N_QUADS, lenient=True)
    disk.bulk_extend(ox.parse(path=str(directory / BLANK), format=ox.RdfFormat.N_QUADS))
    for graph in _index(directory)["graphs"]:
        disk.add_graph(ox.NamedNode(graph))
    disk.flush()


def _index(directory: Path) -> dict[str, Any]:
    """The index, checked against its own checksum (an index written before checksums
    existed has none)."""
    path = directory / INDEX
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
        valid = isinstance(index, dict) and isinstance(index.get("graphs"), list)
    except (OSError, ValueError) as error:
        raise _damaged(path, f"it cannot be read ({error})") from error
    if not valid or ("checksum" in index and index["checksum"] != _checksum(index)):
        raise _damaged(path, "it does not match its checksum")
    return index


def _damaged(path: Path, what: str) -> SnapshotDamaged:
    return SnapshotDamaged(
        f"the snapshot file {path} is damaged: {what}. The store was not opened. Rebuild the "
        "snapshot (`srg build`, which discards the writes logged since the last build) or put "
        "back a copy of the snapshot directory and its log from a backup.",
        str(path),
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify(directory: Path) -> None:
    """Check the dump files against the sizes and SHA-256 their index records;
    `SnapshotDamaged` naming the first that differs."""
    for name, expected in _index(directory).get("files", {}).items():
        path = directory / name
        try:
            size, digest = path.stat().st_size, _sha256(path)
        except OSError as error:
            raise _damaged(path, f"it cannot be read ({error})") from error
        if size != expected["bytes"] or digest != expected["sha256"]:
            raise _damaged(
                path,
                f"its SHA-256 is {digest} ({size} bytes), the index says "
                f"{expected['sha256']} ({expected['bytes']} bytes)",
            )


def has_dump(directory: Path) -> bool:
    return (directory / INDEX).is_file()


def dump_version(directory: Path) -> int | None:
    """The last change of the write-ahead log that the snapshot holds; None for a snapshot
    written before snapshots said (it holds none of the log)."""
    if not has_dump(directory):
        return None
    version = _index(directory).get("version")
    return version if isinstance(version, int) else None


def read_dump(directory: Path) -> GraphStore:
    """An in-memory store of the dump in `directory` (see `has_dump`), once its files match
    their checksums. They are checked on a thread while the engine loads them (it lets go of
    the interpreter lock): at ten million quads the check alone takes seconds."""
    with ThreadPoolExecutor(1, "srg-snapshot-check") as checking:
        checked = checking.submit(verify, directory)
        try:
            store = _loaded(directory)
        except BaseException:
            checked.result()  # a damaged file is said to be, before what its parser met
            raise
        checked.result()
    return store


def _loaded(directory: Path) -> GraphStore:
    store = GraphStore()
    # lenient: the files were written by the engine's serialiser, so checking every IRI again
    # is wasted time (a fifth of the load).
    store._store.load(path=str(directory / GROUND), format=ox.RdfFormat.N_QUADS, lenient=True)
    store._store.extend(ox.parse(path=str(directory / BLANK), format=ox.RdfFormat.N_QUADS))
    store.add_graphs(_index(directory)["graphs"])
    return store
