"""Query workers: a process that answers queries from the dataset, killed at the time limit.

pyoxigraph cannot interrupt a running query, so queries run in a worker process that is
killed when a deadline passes, which really frees the CPU. The worker is forked from the
zygote (see `zygote`), so it starts at once and shares the store's memory with it; a killed
worker is replaced by a new fork. One process answers `size` queries at a time, a thread
each: the engine releases the interpreter lock while it evaluates, so threads run queries
side by side as well as processes would, and the pages of the store that queries touch (the
engine writes to every quad it reads: locks, reference counts) are copied once, not once per
process. When a worker is killed, the other queries it was answering run again on the next.

Committed deltas reach the worker (and the zygote) in commit order; each request carries the
number of deltas committed before it, and the worker answers it once it holds that many, so
a query always sees every write committed before it started.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from . import dataset
from .store import Answer, Delta, QueryFailed, QueryRequest
from .zygote import CONTEXT, Zygote, ZygoteLost


class QueryTimeout(Exception):
    """The query ran past its deadline and its worker was stopped."""


class Busy(Exception):
    """Every worker stayed busy for longer than a request may wait."""


class _Lost(Exception):
    """The worker stopped while it held the request (for another request's time limit)."""


@dataclass(eq=False)
class Worker:
    pid: int
    control: Connection
    pidfd: int | None = None
    alive: bool = True

    def kill(self) -> None:
        """SIGKILL through a pidfd where there is one: a pid alone could have been reused."""
        try:
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:  # it had ended already
            pass
        if self.pidfd is not None:
            os.close(self.pidfd)
        self.control.close()


@dataclass(eq=False)
class Slot:
    """One request at a time on one thread of a worker."""

    worker: Worker
    conn: Connection


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


class QueryPool:
    """A worker answering `size` requests at a time; `run` blocks until an answer, a timeout
    or `Busy`."""

    def __init__(self, data: dataset.Dataset, size: int, timeout: float, queue_timeout: float):
        self.data, self.size, self.timeout, self.queue_timeout = data, size, timeout, queue_timeout
        self.committed = 0  # deltas broadcast since the zygote was forked
        self.idle: queue.Queue[Slot] = queue.Queue()
        self.registry = threading.Lock()
        self.closed = False
        # Now, while the server has one thread (it is called before uvicorn serves).
        self.zygote = Zygote.fork(data.store)
        self.worker = self._fork()

    def _fork(self) -> Worker:
        """A new worker from the zygote; call with the registry held."""
        for _ in range(2):
            pipes = [CONTEXT.Pipe() for _ in range(self.size + 1)]
            try:
                pid = self._zygote().fork_worker([child.fileno() for _, child in pipes])
            except ZygoteLost:
                for parent, _ in pipes:
                    parent.close()
                continue
            finally:
                for _, child in pipes:
                    child.close()
            worker = Worker(pid, pipes[0][0], _pidfd(pid))
            for parent, _ in pipes[1:]:
                self.idle.put(Slot(worker, parent))
            return worker
        raise RuntimeError("no query worker could be started")

    def _zygote(self) -> Zygote:
        """The zygote, or a new one that loads the snapshot and the log if it was lost."""
        if not self.zygote.alive:
            self.zygote.close()
            # The log may hold the delta that is being broadcast: applied twice, a delta
            # changes nothing the second time.
            self.zygote = Zygote.spawn(self.data.snapshot, self.data.writes, self.committed)
        return self.zygote

    def _revive(self) -> None:
        """Fork a worker if the last one was stopped (and its successor failed to start)."""
        with self.registry:
            if not self.closed and not self.worker.alive:
                self.worker = self._fork()

    def broadcast(self, delta: Delta) -> None:
        """Send a committed delta to the worker and the zygote (call with the dataset lock
        held, so that deltas go out in commit order)."""
        with self.registry:
            self.committed += 1
            self.zygote.apply(self.committed, delta)
            # A worker that is gone gets a successor forked with the delta.
            with suppress(OSError):
                self.worker.control.send(("delta", self.committed, delta))

    def _stop(self, worker: Worker) -> None:
        """Kill a worker (its other requests run again) and fork its successor."""
        with self.registry:
            if not worker.alive:
                return
            worker.alive = False
            worker.kill()
            self.zygote.reap(worker.pid)
        self._revive()

    def run(self, request: QueryRequest) -> Answer:
        """Answer a query on a worker (blocking); `QueryTimeout` past the deadline."""
        return self._call(("query", request), "query")

    def update(self, text: str, base_iri: str | None) -> Delta:
        """Work out an update's change on a worker, so that neither a crash nor a runaway
        update can take the server down; the caller validates and commits the delta."""
        return self._call(("update", text, base_iri), "update")

    def _call(self, message: tuple, what: str) -> Any:
        # A request lost with a worker that was stopped for another request's sake runs
        # again, once (twice lost: it may be what stops the worker).
        for _ in range(2):
            slot = self._take()
            try:
                reply = self._ask(slot, (message[0], self.committed, *message[1:]), what)
            except _Lost:
                continue
            if reply[0] == "failed":
                raise QueryFailed(reply[1], reply[2])
            return reply[1]
        raise QueryFailed(500, f"the {what} made its worker stop; it was not run")

    def _take(self) -> Slot:
        if not self.worker.alive:
            self._revive()
        deadline = time.monotonic() + self.queue_timeout
        while True:
            try:
                slot = self.idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise Busy("all query workers are busy; try again shortly") from None
            if slot.worker.alive:
                return slot
            slot.conn.close()

    def _ask(self, slot: Slot, message: tuple, what: str) -> tuple:
        try:
            slot.conn.send(message)
            if not slot.conn.poll(self.timeout):
                slot.conn.close()
                self._stop(slot.worker)
                raise QueryTimeout(f"the {what} ran longer than {self.timeout:g} s and was stopped")
            reply = slot.conn.recv()
        except (EOFError, OSError):
            slot.conn.close()
            self._stop(slot.worker)
            raise _Lost from None
        self.idle.put(slot)
        return reply

    def close(self) -> None:
        with self.registry:
            self.closed = True
            if self.worker.alive:
                self.worker.alive = False
                self.worker.kill()
            self.zygote.close()
