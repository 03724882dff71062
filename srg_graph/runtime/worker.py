"""What a query worker process runs: a thread per slot answers requests on the dataset.

The worker holds the server's only copy of the dataset in memory: it loads the snapshot and
the log itself, on a thread, while it already takes requests (they wait for the load). The
server talks to it through one pipe per slot, and sends committed deltas through a pipe of
their own (see `pool.QueryPool`; every message is in `messages`). Deltas are read as they
come, so that the server never waits to send one, and applied by the loading thread once the
load is done; a request waits until the store holds the deltas committed before it was sent.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path

from ..dataset import embedded as dataset
from ..dataset.changelog import ChangeLog
from ..dataset.versions import Versions
from ..errors import EvaluationFailed, SrgError, Unavailable
from ..store import ChangeRecorder, Delta, GraphStore, QueryRequest, answer
from ..store.update_recorder import SequentialUpdate, record_update, updated_on_a_copy
from ..store.worker_store import Size
from .memory import TRIM_AFTER, give_back_freed_memory
from .memory_limit import resident
from .messages import (
    AtVersion,
    Committed,
    Loaded,
    LoadFailed,
    Materialised,
    Raised,
    Read,
    Replay,
    Request,
)


class _Replica:
    """The worker's store once loaded, how many deltas it holds, and a lock that keeps
    requests off a delta while it is being applied (a delta is several engine transactions)."""

    def __init__(self, snapshot: Path, versions: int) -> None:
        self.store: GraphStore | None = None
        self.failed: str | None = None
        self.count, self.readers, self.writing = 0, 0, False
        self.changed = threading.Condition()
        self.base = 0  # the last change the snapshot holds: the store is at base + count
        self.quads: int | None = None  # how many the store holds, once counted (`size`)
        self.versions = Versions(snapshot, ChangeLog(dataset.log_path(snapshot)), versions)

    def loaded(
        self, store: GraphStore | None, count: int, failed: str | None = None, base: int = 0
    ) -> None:
        with self.changed:
            self.store, self.count, self.failed, self.base = store, count, failed, base
            self.changed.notify_all()

    @contextmanager
    def current(self, need: int) -> Iterator[tuple[GraphStore, int]]:
        """The store once it holds `need` deltas, and the number of its last change."""
        with self.reading(need) as store:
            yield store, self.base + self.count

    @contextmanager
    def reading(self, need: int) -> Iterator[GraphStore]:
        """The store, once it holds `need` deltas and none is half-applied."""
        with self.changed:
            self.changed.wait_for(
                lambda: (
                    self.failed
                    or (self.store is not None and self.count >= need and not self.writing)
                )
            )
            if self.failed:
                raise Unavailable(f"the dataset could not be loaded: {self.failed}")
            self.readers += 1
        try:
            assert self.store is not None
            yield self.store
        finally:
            with self.changed:
                self.readers -= 1
                self.changed.notify_all()

    def apply(self, count: int, delta: Delta) -> None:
        """Apply the `count`-th delta of the log (one the load already replayed is skipped)."""
        assert self.store is not None
        if count <= self.count:
            return
        with self.changed:
            self.writing = True
            self.changed.wait_for(lambda: self.readers == 0)
        net = self.store.apply(delta, counted=self.quads is not None)
        with self.changed:
            if self.quads is not None:
                self.quads += net
            self.writing, self.count = False, count
            self.changed.notify_all()

    def size(self, store: GraphStore) -> int:
        """How many quads the store holds (call while reading it): the engine counts them one
        by one (1.3 s at ten million), so once, and then each delta says how many it adds."""
        if self.quads is None:
            self.quads = len(store)
        return self.quads


def _updated(store: GraphStore, text: str, base_iri: str | None) -> Delta:
    """What an update would change (the worker's store stays as it is: the change reaches it
    as a delta once the write is validated and committed). Recorded without a copy of the
    dataset (`store.update_recorder`); a request whose WHERE clause follows a change of its own is
    worked out on a copy instead, which takes seconds at a million quads."""
    recorder = ChangeRecorder(store)
    try:
        record_update(recorder, store, text, base_iri)
    except SequentialUpdate:
        return updated_on_a_copy(store, text, base_iri)
    return recorder.delta()


def _work(store: GraphStore, work: object) -> object:
    if isinstance(work, QueryRequest):
        return answer(store, work)
    if isinstance(work, Read):
        return work.read.run(store)
    assert not isinstance(work, AtVersion)
    return _updated(store, work.text, work.base_iri)  # type: ignore[attr-defined]


def _at_version(replica: _Replica, request: Request, ready: Callable[[object], None]) -> object:
    """Make (or find) the version asked for, say so, then answer on it."""
    work = request.work
    assert isinstance(work, AtVersion)
    with replica.current(request.committed) as (store, latest):
        if work.version == latest:  # the current version: nothing to make
            ready(Materialised(0))
            return _work(store, work.work)
    before = resident(os.getpid())
    version = replica.versions.at(work.version, lambda: replica.current(request.committed))
    ready(Materialised(max(0, resident(os.getpid()) - before)))
    return _work(version, work.work)


def _reply(replica: _Replica, request: Request, ready: Callable[[object], None]) -> object:
    try:
        if isinstance(request.work, AtVersion):
            return _at_version(replica, request, ready)
        with replica.reading(request.committed) as store:
            if isinstance(request.work, Read) and isinstance(request.work.read, Size):
                return replica.size(store)
            return _work(store, request.work)
    except SrgError as error:
        return Raised(error)
    except (SyntaxError, ValueError) as error:  # raised again in the server, as they were
        return Raised(type(error)(str(error)))
    except Exception as error:  # the request fails; the other requests of the worker go on
        return Raised(EvaluationFailed(f"the {request.what} could not run: {error}"))


def _answer(conn: Connection, replica: _Replica) -> None:
    """One thread of the worker: answer requests, one at a time."""
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        started = time.monotonic()
        try:
            conn.send(_reply(replica, message, conn.send))
        except OSError:  # the server gave up on the request and is stopping this worker
            return
        if time.monotonic() - started > TRIM_AFTER:
            give_back_freed_memory()


def _load_and_apply(
    snapshot: Path,
    writes: int | None,
    deltas: queue.SimpleQueue,
    replica: _Replica,
    control: Connection,
) -> None:
    """Load the snapshot and the first `writes` records of its log (None: as many as the
    server's first message says, `Replay`), then apply the deltas the server sends, in order."""
    told = [writes]

    def count() -> int:
        if told[0] is None:
            replay: Replay = deltas.get()
            told[0] = replay.writes
        return told[0]

    try:
        base = dataset.snapshot_version(snapshot) or 0
        replica.loaded(dataset.read_counted(snapshot, count), count(), base=base)
    except Exception as error:  # every request is answered with the reason
        replica.loaded(None, told[0] or 0, f"{type(error).__name__}: {error}")
        control.send(LoadFailed(replica.failed or ""))
        return
    control.send(Loaded(count()))
    try:
        while True:
            committed = deltas.get()
            replica.apply(committed.count, committed.delta)
    except BaseException:  # a store that missed a delta must not answer: end the worker
        os._exit(70)


def serve_worker(snapshot: Path, writes: int | None, fds: list[int], versions: int = 2) -> None:
    """A worker process: a thread loads the dataset and then applies the deltas, which are
    read as they come (so the server never waits to send one); a thread per slot answers.
    It keeps the `versions` past versions of the dataset it was last asked for."""
    control, *slots = (Connection(fd) for fd in fds)
    replica, deltas = _Replica(snapshot, versions), queue.SimpleQueue()
    loading = (snapshot, writes, deltas, replica, control)
    threading.Thread(target=_load_and_apply, args=loading, daemon=True).start()
    for conn in slots:
        threading.Thread(target=_answer, args=(conn, replica), daemon=True).start()
    try:
        while True:
            message: Committed | Replay = control.recv()
            deltas.put(message)
    except (EOFError, OSError):  # the server closed the pipe or is gone
        return
