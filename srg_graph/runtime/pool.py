"""Query workers: the process that holds the dataset and answers queries, killed at the time
limit.

pyoxigraph cannot interrupt a running query, so queries run in a worker process that is
killed when a deadline passes, which really frees the CPU. The worker holds the only copy of
the dataset in memory; the server reads it through the worker too (`store.WorkerStore`). One
process answers `size` requests at a time, a thread each: the engine releases the
interpreter lock while it evaluates, so threads run queries side by side as well as
processes would, with one copy of the data. The worker is forked from the zygote (see
`zygote`) and loads the snapshot and the log itself; a killed worker is replaced by a new one,
which loads them again (seconds at a million quads), and the other requests it was answering
run again on it.

Committed deltas reach the worker in commit order, numbered by their place in the log; each
request carries the number of deltas committed before it, and the worker answers it once it
holds that many, so a query always sees every write committed before it started.
"""

from __future__ import annotations

import asyncio
import os
import queue
import signal
import threading
import time
from contextlib import suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..config import Settings
from ..dataset import embedded as dataset
from ..dataset import wal
from ..dataset.lock import hold
from ..errors import (
    Busy,
    EvaluationFailed,
    OverMemoryLimit,
    QueryTimeout,
    SourceError,
    Unavailable,
)
from ..store import Answer, Delta, QueryRequest
from ..store.worker_store import StoreRead
from .memory_limit import MemoryLimit
from .messages import (
    AtVersion,
    Committed,
    LoadFailed,
    Materialised,
    Raised,
    Read,
    Replay,
    Request,
    Update,
    Work,
)
from .zygote import CONTEXT, Zygote, ZygoteLost


class _Lost(Exception):
    """The worker stopped while it held the request."""


class _LostToMemory(_Lost):
    """The worker was stopped by the memory limit while it held the request."""


class _LostToTimeLimit(_Lost):
    """The worker was stopped to end another request past the time limit."""


@dataclass(eq=False)
class Worker:
    pid: int
    control: Connection
    pidfd: int | None = None
    alive: bool = True
    loaded: threading.Event = field(default_factory=threading.Event)
    failure: str | None = None  # why it could not load the dataset
    running: int = 0  # requests in flight (see `memory_limit`)
    baseline: int = 0  # resident bytes when it was last idle
    allowance: int = 0  # bytes allowed while past versions of the dataset are being made
    over_memory: bool = False  # stopped by the memory limit
    over_time: bool = False  # stopped to end a request past the time limit

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

    def __init__(
        self,
        snapshot: Path,
        writes: int | None,
        size: int,
        timeout: float,
        queue_timeout: float,
        memory_limit: int = 0,
        versions: int = 2,
        zygote: Zygote | None = None,
    ):
        self.owner = hold(snapshot)  # the server owns its store while it serves
        # First, while the server has one thread (it is called before uvicorn serves, and the
        # memory limit watches on a thread of its own); or earlier by the caller (`srg serve`
        # forks it before it builds a missing store: the build leaves the engine's threads).
        self.zygote = zygote or Zygote.fork()
        self.snapshot, self.size, self.versions = snapshot, size, versions
        self.timeout, self.queue_timeout = timeout, queue_timeout
        self.memory = MemoryLimit(memory_limit, self._stop)
        # a request lost to the memory limit runs again alone among such requests, so that
        # the one that needs too much is told apart from those stopped with it
        self.suspects = threading.Lock()
        # deltas in the log and sent to the worker (None: the log is still being read; `replay`)
        self.committed = writes
        # the owner's handle on the log as it was opened, for the dataset (`take_log`)
        self.opened: wal.Log | None = None
        self.idle: queue.Queue[Slot] = queue.Queue()
        # the event loop's requests wait their turn here, not each on a thread of its own
        # (a fifth of the throughput at 8 clients): one at a time per slot
        self.turns = asyncio.Semaphore(size)
        self.registry = threading.Lock()
        self.closed = False
        self.worker = self._fork()

    def replay(self, writes: int) -> None:
        """Tell the worker, forked before the log was read, how many of its records to
        replay onto the snapshot."""
        with self.registry:
            self.committed = writes
            with suppress(OSError):  # a worker that is gone has a successor that was told
                self.worker.control.send(Replay(writes))

    def take_log(self) -> wal.Log | None:
        """The log as `open_pool` opened it (once; None after), so that the dataset does not
        read the whole log again."""
        opened, self.opened = self.opened, None
        return opened

    def loaded(self) -> None:
        """Wait until the worker has loaded the dataset; `SourceError` if it could not."""
        self.worker.loaded.wait()
        if self.worker.failure is not None:
            message = f"the dataset could not be loaded: {self.worker.failure}"
            raise SourceError(str(self.snapshot), message)

    def _fork(self) -> Worker:
        """A new worker from the zygote; call with the registry held."""
        for _ in range(2):
            pipes = [CONTEXT.Pipe() for _ in range(self.size + 1)]
            fds = [child.fileno() for _, child in pipes]
            try:
                pid = self._zygote().fork_worker(self.snapshot, self.committed, fds, self.versions)
            except ZygoteLost:
                for parent, _ in pipes:
                    parent.close()
                continue
            finally:
                for _, child in pipes:
                    child.close()
            worker = Worker(pid, pipes[0][0], _pidfd(pid))
            slots = [Slot(worker, parent) for parent, _ in pipes[1:]]
            threading.Thread(target=self._admit, args=(worker, slots), daemon=True).start()
            return worker
        raise RuntimeError("no query worker could be started")

    def _admit(self, worker: Worker, slots: list[Slot]) -> None:
        """Hand out a worker's slots once it has loaded the dataset, so that the load (seconds
        at a million quads) counts against no request's time limit."""
        try:
            outcome = worker.control.recv()
        except (EOFError, OSError):
            outcome = LoadFailed("the query worker stopped while it loaded the dataset")
        if isinstance(outcome, LoadFailed):
            worker.failure = outcome.reason
        else:
            self.memory.admit(worker)
        worker.loaded.set()
        for slot in slots:
            self.idle.put(slot)

    def _zygote(self) -> Zygote:
        """The zygote, or a new one if it was lost."""
        if not self.zygote.alive:
            self.zygote.close()
            self.zygote = Zygote.spawn()
        return self.zygote

    def _revive(self) -> None:
        """Fork a worker if the last one was stopped (and its successor failed to start)."""
        with self.registry:
            if not self.closed and not self.worker.alive:
                self.worker = self._fork()

    def broadcast(self, delta: Delta) -> None:
        """Send the next committed delta of the log to the worker (call with the dataset lock
        held, so that deltas go out in commit order)."""
        with self.registry:
            assert self.committed is not None, "a delta before the log was read"
            self.committed += 1
            # A worker that is gone gets a successor that loads the delta from the log.
            with suppress(OSError):
                self.worker.control.send(Committed(self.committed, delta))

    def _stop(self, worker: Worker) -> None:
        """Kill a worker (its other requests run again) and fork its successor."""
        with self.registry:
            if not worker.alive:
                return
            worker.alive = False
            worker.kill()
            self.zygote.reap(worker.pid)
        self._revive()

    def run(self, request: QueryRequest, version: int | None = None) -> Answer:
        """Answer a query on a worker (blocking); `QueryTimeout` past the deadline. With
        `version`: on that past version of the dataset (made first, outside the limits)."""
        work = request if version is None else AtVersion(version, request)
        return self._call(work, self.timeout)

    def read(self, read: StoreRead, version: int | None = None) -> Any:
        """A read of the worker's store (see `store.WorkerStore`), blocking. Reads are the
        server's own (pages, dumps, statistics, validation), not users' SPARQL, so the time
        limit does not stop them: at a million triples a dump takes longer than a query may.
        With `version`: of that past version of the dataset."""
        return self._call(Read(read) if version is None else AtVersion(version, Read(read)), None)

    def update(self, text: str, base_iri: str | None) -> Delta:
        """Work out an update's change on a worker, so that neither a crash nor a runaway
        update can take the server down; the caller validates and commits the delta."""
        return self._call(Update(text, base_iri), self.timeout)

    async def answer(self, request: QueryRequest, version: int | None = None) -> Answer:
        """`run` for the event loop: no thread waits for the worker while it evaluates (a
        past version is rare and made first: on a thread)."""
        if version is not None:
            return await asyncio.to_thread(self.run, request, version)
        try:
            return _value(await self._ask_async(request, self.timeout))
        except _Lost as lost:  # rare (a worker was stopped): the blocking path runs it again
            return await asyncio.to_thread(self._call, request, self.timeout, lost)

    def _call(self, work: Work, limit: float | None, lost: _Lost | None = None) -> Any:
        if lost is None:
            try:
                return self._attempt(work, limit)
            except _Lost as error:
                lost = error
        # A request lost with a worker that was stopped for another request's sake runs
        # again, once (twice lost: it may be what stops the worker).
        if isinstance(lost, _LostToMemory):
            with self.suspects:
                try:
                    return self._attempt(work, limit)
                except _LostToMemory:
                    raise self._over_memory(work) from None
                except _LostToTimeLimit:
                    raise self._crowded(work) from None
                except _Lost:
                    raise self._stopped(work) from None
        try:
            return self._attempt(work, limit)
        except _LostToTimeLimit:
            raise self._crowded(work) from None
        except _Lost:
            raise self._stopped(work) from None

    def _attempt(self, work: Work, limit: float | None) -> Any:
        return _value(self._ask(self._take(), Request(self.committed, work), limit))

    def _stopped(self, work: Work) -> EvaluationFailed:
        what = Request(0, work).what
        return EvaluationFailed(f"the {what} made its worker stop; it was not run")

    def _crowded(self, work: Work) -> Unavailable:
        """Lost twice with workers stopped for other requests' time limits: not its fault,
        nor the server's (a crowd of queries that run until they are stopped)."""
        what = Request(0, work).what
        return Unavailable(
            f"the {what} was not run: its worker was stopped twice to end other queries that "
            "ran past the time limit; try again shortly"
        )

    def _over_memory(self, work: Work) -> OverMemoryLimit:
        what, mib = Request(0, work).what, self.memory.limit / 2**20
        return OverMemoryLimit(
            f"the {what} needed more than the memory limit of {mib:g} MiB and was stopped; "
            "ask for less: add LIMIT, narrow the patterns, avoid sorting or grouping a large "
            "result (the limit is the server's --max-query-memory)"
        )

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

    def _idle_slot(self) -> Slot | None:
        """A slot free now, without waiting (None: all are busy, or the worker is gone)."""
        while self.worker.alive:
            try:
                slot = self.idle.get_nowait()
            except queue.Empty:
                return None
            if slot.worker.alive:
                return slot
            slot.conn.close()
        return None

    def _ask(self, slot: Slot, request: Request, limit: float | None) -> Any:
        # A past version is made before the request is answered, outside its limits: the
        # worker may grow by about the dataset's size meanwhile (what it held when idle).
        making = isinstance(request.work, AtVersion)
        try:
            with self.memory.running(slot.worker, slot.worker.baseline if making else 0) as grant:
                slot.conn.send(request)
                if making:
                    first = slot.conn.recv()
                    if not isinstance(first, Materialised):
                        self.idle.put(slot)
                        return first
                    self.memory.settle(slot.worker, grant, first.grown)
                if not slot.conn.poll(limit):
                    raise self._timed_out(slot, request, limit)
                reply = slot.conn.recv()
        except (EOFError, OSError):
            raise self._lost(slot) from None
        self.idle.put(slot)
        return reply

    async def _ask_async(self, work: QueryRequest, limit: float) -> Any:
        """`_ask` awaiting its turn and the worker's answer on the event loop (a thread only
        waits for a slot that a blocking caller took meanwhile)."""
        await self._wait_for_a_turn()
        try:
            return await self._ask_in_turn(work, limit)
        finally:
            self.turns.release()

    async def _wait_for_a_turn(self) -> None:
        if not self.turns.locked():  # a slot is free: no time-out to set
            await self.turns.acquire()
            return
        try:
            async with asyncio.timeout(self.queue_timeout):
                await self.turns.acquire()
        except TimeoutError:
            raise Busy("all query workers are busy; try again shortly") from None

    async def _ask_in_turn(self, work: QueryRequest, limit: float) -> Any:
        slot = self._idle_slot() or await asyncio.to_thread(self._take)
        request = Request(self.committed, work)
        try:
            with self.memory.running(slot.worker):
                slot.conn.send(request)
                if not await _readable(slot.conn, limit):
                    raise await asyncio.to_thread(self._timed_out, slot, request, limit)
                reply = slot.conn.recv()
        except (EOFError, OSError):
            raise await asyncio.to_thread(self._lost, slot) from None
        self.idle.put(slot)
        return reply

    def _timed_out(self, slot: Slot, request: Request, limit: float | None) -> QueryTimeout:
        """Stop the worker that holds a request past its time limit (freeing the CPU)."""
        slot.conn.close()
        slot.worker.over_time = True  # before it is stopped: its other requests see it
        self._stop(slot.worker)
        return QueryTimeout(
            f"the {request.what} ran longer than {limit:g} s and was stopped; "
            "make the query cheaper or ask for less"
        )

    def _lost(self, slot: Slot) -> _Lost:
        """The worker ended while it held the request: stop it for good (its successor is
        forked) and say whether the memory limit stopped it."""
        slot.conn.close()
        self._stop(slot.worker)
        if slot.worker.over_memory:
            return _LostToMemory()
        return _LostToTimeLimit() if slot.worker.over_time else _Lost()

    def close(self) -> None:
        self.memory.close()
        self.owner.release()
        with self.registry:
            self.closed = True
            if self.worker.alive:
                self.worker.alive = False
                self.worker.kill()
            self.zygote.close()


def _value(reply: Any) -> Any:
    """A worker's reply as a value, or the error it raised, raised here."""
    if isinstance(reply, Raised):
        raise reply.error
    return reply


async def _readable(conn: Connection, limit: float) -> bool:
    """Wait until `conn` has data to read, on the event loop; False after `limit` seconds."""
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    loop.add_reader(conn.fileno(), lambda: ready.done() or ready.set_result(True))
    try:
        async with asyncio.timeout(limit):
            return await ready
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(conn.fileno())
        # the loop made the pipe non-blocking; a reply is then read whole, as the blocking
        # path reads it (a long one comes in two writes)
        os.set_blocking(conn.fileno(), True)


_AHEAD: dict[Path, QueryPool] = {}


def open_pool(settings: Settings, zygote: Zygote | None = None) -> QueryPool:
    """The query pool of the store `settings` names: the one `start_ahead` started, or a new
    one (call while the process has one thread, or give the `zygote` forked while it had)."""
    pool = _AHEAD.pop(settings.store, None)
    if pool is not None:
        return pool
    # The worker loads the snapshot while the server reads the log (half a second for the
    # 213 MB log of a million quads loaded and 10,000 changes), then replays as many records
    # as the server found.
    dataset.recovered_swap(settings.store)
    pool = QueryPool(
        settings.store,
        None,
        settings.workers,
        settings.query_timeout,
        settings.queue_timeout,
        settings.max_query_memory,
        settings.history_versions,
        zygote,
    )
    try:
        pool.opened, writes = dataset.opened_log(settings.store)
    except BaseException:
        pool.close()
        raise
    pool.replay(writes)
    return pool


def start_ahead(settings: Settings, zygote: Zygote | None = None) -> QueryPool:
    """Start the query worker now (from `zygote`, if given); the next `open_pool(settings)`
    takes it over.

    `srg serve` calls this before it imports the web stack, so that the worker loads the
    dataset (most of the time to the first answer) while the server imports.
    """
    _AHEAD[settings.store] = pool = open_pool(settings, zygote)
    return pool
