"""Remote-store mode: the dataset of a server on another SPARQL 1.1 store, and `srg push`.

`RemoteDataset` stands in for `embedded.Dataset` (and `runtime.remote_pool.RemotePool` for
the query pool): a write is recorded as a delta against the remote store, validated here,
then sent as one update. This server must be the only writer: the remote store has no way to
tell it that someone else changed the data between validation and commit.

The history of the changes made through this server is kept in a log of its own
(`<store>-remote.wal` beside the store directory of the settings): a change is logged durably,
then sent with its description in the history graph; one the remote store refuses is taken
back out of the log. A read-only replica (no update endpoint) keeps no history.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from ..config import Settings
from ..sparql import internal
from ..store import Delta, GraphStore, RemoteStore
from ..store.resource_versions import relabelled
from . import history, wal
from .changelog import ChangeLog
from .history import Meta


class RemoteDataset:
    """The remote store with what `Dataset` offers the routers: a lock, a version, commit."""

    def __init__(self, store: RemoteStore, refresh: float, log: Path | None = None):
        self.store, self.refresh = store, refresh
        self.lock = threading.Lock()
        self.generation = time.time_ns()
        self.writes = 0
        self._modified = time.time()
        self.log = wal.Log.open(log, _base(store, log))[0] if log is not None else None
        # the index of this server's history (None: none), as the store names blank nodes
        self.changelog = ChangeLog(log, lambda delta, n: relabelled(delta, n, store))

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

    @property
    def stopped(self) -> str | None:
        return None if self.log is None else self.log.stopped

    @property
    def change_number(self) -> int:
        """The last change made through this server (its history; the remote store keeps
        none of its own)."""
        return 0 if self.log is None else self.log.version

    def check_writable(self) -> None:
        if self.log is not None:
            self.log.refuse_if_stopped()

    def commit(self, delta: Delta, meta: Meta | None = None) -> int | None:
        """Log a validated delta as the next change, then apply it (with its description in
        the history graph) to the remote store in one atomic update; taken back out of the
        log if the remote store refuses it."""
        if not delta:
            return None
        if self.log is None:  # (a store without an update endpoint refuses the update)
            self.store.apply(delta)
            return None
        meta, stamp = meta or Meta(), history.now()
        number = self.log.append(history.encode(delta, meta, stamp))
        try:
            self.store.apply(history.applied(history.Change(number, delta, stamp, meta)))
        except BaseException:
            self.log.retract(number)
            raise
        finally:
            self.changelog.refresh()
        self.writes += 1
        self._modified = history.modified_after(self._modified)
        return number


def _base(store: RemoteStore, log: Path) -> int | None:
    """The change this server's history starts after: where its log starts, else the last
    change that the remote store's history graph describes (a store pushed from an embedded
    one brings its history along), so that no two changes get the same number."""
    records = wal.scan(log).records
    if records and records[0].change is not None:
        return records[0].change - 1
    rows = store.rows(internal.query("history-last-version"))
    last = rows[0].get("last") if rows else None
    return int(last) if last else None


def remote_log(settings: Settings) -> Path:
    """Where a writing server in remote-store mode keeps its history."""
    settings.store.parent.mkdir(parents=True, exist_ok=True)
    return settings.store.with_name(settings.store.name + "-remote.wal")


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
