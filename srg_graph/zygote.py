"""The zygote: a single-threaded process that holds the dataset and forks query workers from it.

A worker forked from a process that already holds the store is ready at once and shares the
store's memory pages with it until it writes to them, instead of loading a copy of its own.
Forking is safe only from a process with one thread (a lock that another thread holds at the
fork stays locked in the child for good), and the server has many threads once it serves.
So the zygote is forked from the server before it serves, and stays single-threaded: it
applies the committed deltas the server sends it and forks a worker, of the current dataset
with nothing to replay, whenever the server asks. Should it be lost, the server spawns a new
one, which loads the snapshot and the log.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path

from . import dataset
from .store import Delta, GraphStore
from .worker_process import serve_worker

CONTEXT = multiprocessing.get_context("spawn")
FORK_SECONDS, STOP_SECONDS = 30.0, 10.0


class ZygoteLost(Exception):
    """The zygote stopped answering; a new one is spawned."""


def detach_signals() -> None:
    """A child leaves shutdown to the server: it ends when the server's end of its pipe
    closes. (The server's signal handlers and wake-up descriptor came with the fork.)"""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _fork_child(body: Callable[[], None]) -> int:
    """Fork; the child runs `body` and exits without returning (nor running the parent's
    exit handlers). Long-lived objects are frozen first, so that the collector of the child
    does not write to (and so copy) the pages they share."""
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()
    pid = os.fork()
    if pid == 0:
        try:
            body()
        finally:
            os._exit(0)
    return pid


def _settle(seconds: float = 1.0) -> None:
    """Wait for threads that were joined to be gone from the system too (a joined Python
    thread can still be ending in the C library for a moment)."""
    tasks = Path("/proc/self/task")
    deadline = time.monotonic() + seconds
    while tasks.is_dir() and len(os.listdir(tasks)) > 1 and time.monotonic() < deadline:
        time.sleep(0.001)


def _serve(conn: Connection, store: GraphStore, applied: int) -> None:
    """The zygote's loop: apply deltas, fork workers, reap the workers the server stopped."""
    detach_signals()
    channel = socket.socket(fileno=os.dup(conn.fileno()))  # receives the workers' pipes
    children: set[int] = set()
    try:
        while True:
            message = conn.recv()
            if message[0] == "delta":
                store.apply(message[2])
                applied = message[1]
            elif message[0] == "fork":
                fds = socket.recv_fds(channel, 1, message[1])[1]
                pid = _fork_child(partial(_worker, conn, channel, store, applied, fds))
                children.add(pid)
                for fd in fds:
                    os.close(fd)
                conn.send(pid)
            elif message[0] == "reap" and message[1] in children:
                children.discard(message[1])
                os.waitpid(message[1], 0)
    except (EOFError, OSError):  # the server stopped: so do the workers it left
        for pid in children:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _worker(
    conn: Connection, channel: socket.socket, store: GraphStore, applied: int, fds: list[int]
) -> None:
    conn.close()
    channel.close()
    serve_worker(store, applied, fds)


def _spawned(conn: Connection, snapshot: str, writes: int, applied: int) -> None:
    store = dataset.load_prefix(Path(snapshot), writes)
    conn.send("ready")
    _serve(conn, store, applied)


class Zygote:
    """The server's handle on its zygote."""

    def __init__(self, conn: Connection, pid: int, process: multiprocessing.Process | None = None):
        self.conn, self.pid, self.process = conn, pid, process
        self.channel = socket.socket(fileno=os.dup(conn.fileno()))
        self.alive = True

    @classmethod
    def fork(cls, store: GraphStore) -> Zygote:
        """Fork the zygote from this process, which must have a single thread."""
        _settle()
        parent, child = CONTEXT.Pipe()

        def run() -> None:
            parent.close()
            _serve(child, store, 0)

        pid = _fork_child(run)
        child.close()
        return cls(parent, pid)

    @classmethod
    def spawn(cls, snapshot: Path, writes: int, applied: int) -> Zygote:
        """Start a fresh zygote that loads the snapshot and the first `writes` records of the
        log, and counts `applied` deltas; returns once it is loaded."""
        parent, child = CONTEXT.Pipe()
        process = CONTEXT.Process(
            target=_spawned, args=(child, str(snapshot), writes, applied), daemon=True
        )
        process.start()
        child.close()
        while not parent.poll(0.1):
            if not process.is_alive():  # it could not load the snapshot
                parent.close()
                raise ZygoteLost
        parent.recv()
        return cls(parent, process.pid or 0, process)

    def _send(self, message: tuple) -> None:
        try:
            self.conn.send(message)
        except OSError:
            self.alive = False
            raise ZygoteLost from None

    def apply(self, applied: int, delta: Delta) -> None:
        """Hand on the `applied`-th committed delta (a lost zygote is noted, not raised)."""
        with suppress(ZygoteLost):
            self._send(("delta", applied, delta))

    def fork_worker(self, fds: list[int]) -> int:
        """Fork a worker that gets the pipe ends `fds` (still to be closed by the caller)."""
        self._send(("fork", len(fds)))
        try:
            socket.send_fds(self.channel, [b"f"], fds)
            if not self.conn.poll(FORK_SECONDS):
                raise OSError("the zygote did not fork in time")
            return self.conn.recv()
        except (OSError, EOFError):
            self.alive = False
            raise ZygoteLost from None

    def reap(self, pid: int) -> None:
        """Collect a worker that was killed (only the zygote, its parent, can)."""
        with suppress(ZygoteLost):
            self._send(("reap", pid))

    def close(self) -> None:
        """Stop the zygote; it stops the workers it forked first."""
        if self.conn.closed:
            return
        self.conn.close()
        self.channel.close()
        if self.process is not None:
            self.process.join(STOP_SECONDS)
            self.process.kill()
            self.process.join()
            return
        deadline = time.monotonic() + STOP_SECONDS
        while os.waitpid(self.pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                return
            time.sleep(0.01)
