"""What a query worker process runs: a thread per slot answers requests on the dataset.

The worker is forked from the zygote with the store in memory (`zygote`); the server talks
to it through one pipe per slot, and sends committed deltas through a pipe of their own (see
`workers.QueryPool`). Deltas are read as they come, so that the server never waits to send
one, and applied by a thread of their own; a request waits until the store holds the deltas
committed before it was sent.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path

from .store import ChangeRecorder, Delta, GraphStore, QueryFailed, answer
from .update_delta import SequentialUpdate, record_update

WARM_UP = (Path(__file__).parent / "sparql" / "warm-up.rq").read_text(encoding="utf-8")


class _Applied:
    """How many deltas the worker's store holds, and a lock that keeps queries off a delta
    while it is being applied (a delta is several engine transactions)."""

    def __init__(self, count: int):
        self.count, self.readers, self.writing = count, 0, False
        self.changed = threading.Condition()

    @contextmanager
    def reading(self, need: int) -> Iterator[None]:
        """Hold a request until the store holds `need` deltas and none is half-applied."""
        with self.changed:
            self.changed.wait_for(lambda: self.count >= need and not self.writing)
            self.readers += 1
        try:
            yield
        finally:
            with self.changed:
                self.readers -= 1
                self.changed.notify_all()

    def apply(self, store: GraphStore, count: int, delta: Delta) -> None:
        with self.changed:
            self.writing = True
            self.changed.wait_for(lambda: self.readers == 0)
        store.apply(delta)
        with self.changed:
            self.writing, self.count = False, count
            self.changed.notify_all()


def _updated(store: GraphStore, text: str, base_iri: str | None) -> Delta:
    """What an update would change (the worker's store stays as it is: the change reaches it
    as a delta once the write is validated and committed). Recorded without a copy of the
    dataset (`update_delta`); a request whose WHERE clause follows a change of its own is
    worked out on a copy instead, which takes seconds at a million quads."""
    recorder = ChangeRecorder(store)
    try:
        record_update(recorder, store, text, base_iri)
    except SequentialUpdate:
        return _updated_on_a_copy(store, text, base_iri)
    return recorder.delta()


def _updated_on_a_copy(store: GraphStore, text: str, base_iri: str | None) -> Delta:
    staged = store.copy()
    try:
        staged.update(text, base_iri=base_iri)
    except (SyntaxError, RuntimeError) as error:
        raise QueryFailed(400, f"the update could not run: {error}") from error
    return store.diff(staged)


def _reply(store: GraphStore, message: tuple) -> tuple:
    try:
        if message[0] == "query":
            return ("ok", answer(store, message[2]))
        return ("ok", _updated(store, message[2], message[3]))
    except QueryFailed as failed:
        return ("failed", failed.status, failed.message)
    except Exception as error:  # the request fails; the other requests of the worker go on
        return ("failed", 500, f"the {message[0]} could not run: {error}")


def _answer(conn: Connection, store: GraphStore, applied: _Applied) -> None:
    """One thread of the worker: answer `query` and `update` messages, one at a time."""
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        with applied.reading(message[1]):
            reply = _reply(store, message)
        try:
            conn.send(reply)
        except OSError:  # the server gave up on the request and is stopping this worker
            return


def _apply(deltas: queue.SimpleQueue, store: GraphStore, applied: _Applied) -> None:
    try:
        while True:
            applied.apply(store, *deltas.get())
    except BaseException:  # a store that missed a delta must not answer: end the worker
        os._exit(70)


def _warm_up(store: GraphStore, applied: _Applied) -> None:
    """Read every quad once, on a thread of its own. The engine writes to the memory of what
    it reads, so a forked worker copies each page of the store on first touch; done here, the
    copying (about a second at a million quads) is not paid by the first queries."""
    with applied.reading(0):
        store.rows(WARM_UP)


def serve_worker(store: GraphStore, applied: int, fds: list[int]) -> None:
    """A worker process: a thread per slot answers requests; deltas are read as they come
    (so the server never waits to send one) and applied by a thread of their own."""
    control, *slots = (Connection(fd) for fd in fds)
    progress, deltas = _Applied(applied), queue.SimpleQueue()
    threading.Thread(target=_warm_up, args=(store, progress), daemon=True).start()
    threading.Thread(target=_apply, args=(deltas, store, progress), daemon=True).start()
    for conn in slots:
        threading.Thread(target=_answer, args=(conn, store, progress), daemon=True).start()
    try:
        while True:
            message = control.recv()
            deltas.put((message[1], message[2]))
    except (EOFError, OSError):  # the server closed the pipe or is gone
        return
