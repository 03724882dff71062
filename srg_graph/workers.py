"""Query workers: processes that answer queries from their own in-memory copy of the dataset.

pyoxigraph cannot interrupt a running query, so each query runs in a worker process that is
killed when its deadline passes, which really frees the CPU; a fresh worker takes its place.
Each worker loads the snapshot and the first `writes` records of the log; writes committed
later reach it as deltas queued until it is next handed a query, so a query always sees every
write committed before it started.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from . import dataset
from .store import Answer, Delta, GraphStore, QueryFailed, QueryRequest, answer

CONTEXT = multiprocessing.get_context("spawn")


class QueryTimeout(Exception):
    """The query ran past its deadline and its worker was stopped."""


class Busy(Exception):
    """Every worker stayed busy for longer than a request may wait."""


def _updated(store: GraphStore, text: str, base_iri: str | None) -> Delta:
    """What an update would change, worked out on a copy (the worker's store stays as it is:
    the change reaches it as a delta once the write is validated and committed)."""
    staged = store.copy()
    try:
        staged.update(text, base_iri=base_iri)
    except SyntaxError as error:
        raise QueryFailed(400, f"SPARQL syntax error: {error}") from error
    return store.diff(staged)


def _serve(conn: Connection, snapshot: str, writes: int) -> None:
    """The worker's loop: load, then answer `query` and `update` messages, apply `delta`s."""
    store = dataset.load_prefix(Path(snapshot), writes)
    conn.send(("ready",))
    while True:
        message = conn.recv()
        try:
            if message[0] == "delta":
                store.apply(message[1])
            elif message[0] == "query":
                conn.send(("ok", answer(store, message[1])))
            elif message[0] == "update":
                conn.send(("ok", _updated(store, message[1], message[2])))
            else:
                return
        except QueryFailed as failed:
            conn.send(("failed", failed.status, failed.message))


@dataclass
class Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    pending: list[Delta] = field(default_factory=list)

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """A fixed number of workers; `run` blocks until an answer, a timeout or `Busy`."""

    def __init__(self, data: dataset.Dataset, size: int, timeout: float, queue_timeout: float):
        self.data, self.timeout, self.queue_timeout = data, timeout, queue_timeout
        self.workers: list[Worker] = []
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.registry = threading.Lock()
        # Start every worker before waiting for any: they load the dataset side by side.
        for worker in [self._start() for _ in range(size)]:
            self.idle.put(self._ready(worker))

    def _start(self) -> Worker:
        parent, child = CONTEXT.Pipe()
        with self.data.lock, self.registry:
            process = CONTEXT.Process(
                target=_serve, args=(child, str(self.data.snapshot), self.data.writes), daemon=True
            )
            process.start()
            worker = Worker(process, parent)
            self.workers.append(worker)
        child.close()
        return worker

    @staticmethod
    def _ready(worker: Worker) -> Worker:
        worker.conn.recv()
        return worker

    def _spawn(self) -> Worker:
        return self._ready(self._start())

    def broadcast(self, delta: Delta) -> None:
        """Queue a committed delta for every worker (call with the dataset lock held)."""
        with self.registry:
            for worker in self.workers:
                worker.pending.append(delta)

    def _replace(self, worker: Worker) -> None:
        """Stop a worker now; its successor loads in the background."""
        with self.registry:
            self.workers.remove(worker)
        worker.stop()
        threading.Thread(target=lambda: self.idle.put(self._spawn()), daemon=True).start()

    def run(self, request: QueryRequest) -> Answer:
        """Answer a query on a worker (blocking); `QueryTimeout` past the deadline."""
        return self._call(("query", request), "query")

    def update(self, text: str, base_iri: str | None) -> Delta:
        """Work out an update's change on a worker, so that neither a crash nor a runaway
        update can take the server down; the caller validates and commits the delta."""
        return self._call(("update", text, base_iri), "update")

    def _call(self, message: tuple, what: str) -> Any:
        try:
            worker = self.idle.get(timeout=self.queue_timeout)
        except queue.Empty:
            raise Busy("all query workers are busy; try again shortly") from None
        try:
            with self.registry:
                pending, worker.pending = worker.pending, []
            for delta in pending:
                worker.conn.send(("delta", delta))
            worker.conn.send(message)
            if not worker.conn.poll(self.timeout):
                self._replace(worker)
                worker = None
                raise QueryTimeout(f"the {what} ran longer than {self.timeout:g} s and was stopped")
            reply = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            worker = None
            raise QueryFailed(500, f"the {what} made its worker stop; it was not run") from None
        finally:
            if worker is not None:
                self.idle.put(worker)
        if reply[0] == "failed":
            raise QueryFailed(reply[1], reply[2])
        return reply[1]

    def close(self) -> None:
        with self.registry:
            for worker in self.workers:
                worker.stop()
            self.workers.clear()
