"""Remote-store mode: the dataset of a server on another SPARQL 1.1 store, and `srg push`.

`RemoteDataset` stands in for `embedded.Dataset` (and `runtime.remote_pool.RemotePool` for
the query pool): a write is recorded as a delta against the remote store, validated here,
then sent as one update. This server must be the only writer: the remote store has no way to
tell it that someone else changed the data between validation and commit.
"""

from __future__ import annotations

import threading
import time

from ..config import Settings
from ..store import Delta, GraphStore, RemoteStore
from .history import Meta


class RemoteDataset:
    """The remote store with what `Dataset` offers the routers: a lock, a version, commit."""

    def __init__(self, store: RemoteStore, refresh: float):
        self.store, self.refresh = store, refresh
        self.lock = threading.Lock()
        self.generation = time.time_ns()
        self.writes = 0
        self._modified = time.time()

    @property
    def version(self) -> str:
        """Changes with every write made through this server; a read-only replica cannot see
        the writer's changes, so its version also moves on every `refresh` seconds."""
        if self.store.update_url is not None:
            return f"{self.generation:x}-{self.writes}"
        return f"{self.generation:x}-r{int(time.time() // self.refresh)}"

    @property
    def modified(self) -> float:
        if self.store.update_url is not None:
            return self._modified
        return time.time() // self.refresh * self.refresh

    stopped: str | None = None  # the remote store keeps its own durability

    @property
    def change_number(self) -> int:
        """Changes made through this server since it started (the remote store keeps no
        history of its own)."""
        return self.writes

    def check_writable(self) -> None:
        pass

    def commit(self, delta: Delta, meta: Meta | None = None) -> int | None:
        """Apply a validated delta to the remote store (one atomic update)."""
        if delta:
            self.store.apply(delta)
            self.writes += 1
            self._modified = time.time()
        return None


def remote_store(settings: Settings) -> RemoteStore:
    assert settings.sparql_endpoint is not None
    return RemoteStore(
        settings.sparql_endpoint,
        settings.update_endpoint,
        settings.gsp_endpoint,
        settings.query_timeout,
    )


def push(store: GraphStore, target: RemoteStore) -> list[str]:
    """Copy every named graph of `store` to the remote store (each replaced whole)."""
    graphs = store.graph_names()
    for graph in graphs:
        target.put_graph(graph, store.ntriples([graph]))
    return graphs
