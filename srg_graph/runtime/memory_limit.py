"""The memory limit of a request: a query worker that outgrows its budget is stopped.

pyoxigraph cannot be told how much memory a query may take, and one worker answers several
requests at once, on threads of one process whose memory cannot be told apart. So the server
watches the worker's resident memory (a read of `/proc`, every `POLL` seconds while requests
run) against a budget: what the worker held when it was last idle, plus the limit for each
request it is running, plus a margin for the allocator. Past the budget the worker is killed,
which frees its memory at once. The requests it held run again (`pool.QueryPool`): one that
is lost to the limit a second time is the one that needs too much.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

POLL = 0.02  # seconds between two reads of a busy worker's memory
IDLE = 1.0  # seconds between two reads of an idle worker's memory (its baseline)
MARGIN = 64 * 2**20  # the allocator's slack and small writes applied meanwhile (bytes)
PAGE = os.sysconf("SC_PAGE_SIZE")


class Watched(Protocol):
    pid: int
    alive: bool
    running: int  # requests in flight
    baseline: int  # resident bytes when it was last idle
    allowance: int  # bytes allowed beyond the limits meanwhile (a version being made)
    over_memory: bool  # stopped by this limit


def resident(pid: int) -> int:
    """The resident memory of a process, in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


@dataclass
class Grant:
    """Bytes a running request may use beyond the limit until `MemoryLimit.settle`."""

    allowance: int


class MemoryLimit:
    """The budget of each request (`limit` bytes; 0: no limit), watched on a thread of its
    own while requests run; `stop` kills a worker (and forks its successor)."""

    def __init__(self, limit: int, stop: Callable[[Watched], None]):
        self.limit, self.stop = limit, stop
        self.workers: set[Watched] = set()
        self.busy: set[Watched] = set()
        self.changed = threading.Condition()
        self.closed = False
        if limit:
            threading.Thread(target=self._watch, name="srg-memory-limit", daemon=True).start()

    def admit(self, worker: Watched) -> None:
        """Watch a worker that has loaded the dataset: what it holds now is its baseline."""
        worker.baseline = resident(worker.pid)
        with self.changed:
            self.workers.add(worker)

    @contextmanager
    def running(self, worker: Watched, allowance: int = 0) -> Iterator[Grant]:
        """Count a request as running on `worker` while the block runs, with `allowance`
        bytes more until `settle` (the server's own work before the request: a past version
        of the dataset being made)."""
        grant = Grant(allowance)
        with self.changed:
            worker.running += 1
            worker.allowance += allowance
            self.busy.add(worker)
            self.changed.notify()
        try:
            yield grant
        finally:
            with self.changed:
                worker.running -= 1
                worker.allowance = max(0, worker.allowance - grant.allowance)
                if not worker.running:
                    self.busy.discard(worker)

    def settle(self, worker: Watched, grant: Grant, grown: int) -> None:
        """The server's own work of a request is done: its allowance is taken back, and what
        it left in memory for good (`grown` bytes: a version the worker keeps) counts as the
        worker's baseline from now on."""
        with self.changed:
            worker.allowance = max(0, worker.allowance - grant.allowance)
            worker.baseline += grown
            grant.allowance = 0

    def budget(self, worker: Watched) -> int:
        return (
            worker.baseline
            + worker.running * self.limit
            + worker.allowance
            + MARGIN
            + worker.baseline // 20
        )

    def _watch(self) -> None:
        while not self.closed:
            with self.changed:
                if not self.busy:
                    self.changed.wait(IDLE)  # woken when a request starts
                self.workers = {w for w in self.workers if w.alive}
                idle = [w for w in self.workers if not w.running]
                busy = [w for w in self.busy if w.alive and not w.over_memory]
            for worker in idle:  # the dataset grows with writes; freed memory is given back
                worker.baseline = resident(worker.pid)
            for worker in busy:
                if resident(worker.pid) > self.budget(worker):
                    worker.over_memory = True
                    self.stop(worker)
            if busy:
                time.sleep(POLL)

    def close(self) -> None:
        with self.changed:
            self.closed = True
            self.changed.notify_all()
