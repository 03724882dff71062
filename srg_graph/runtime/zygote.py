"""The zygote: a single-threaded process that forks query workers.

Forking is safe only from a process with one thread (a lock that another thread holds at the
fork stays locked in the child for good), and the server has many threads once it serves.
So the zygote is forked from the server before it serves (before it even imports the web
stack, or builds a missing store: the engine keeps background threads of its own from the
build on), and stays single-threaded: whenever the server asks, it forks a worker, which starts
at once with the engine and the project's code already imported, and loads the dataset
itself. The zygote and its workers have no network (`isolation`). The zygote holds no data:
a copy kept there to fork workers from would not stay shared with them, because the engine
writes to the memory of every quad it reads. Should the zygote be lost, the server spawns a
new one.
"""

from __future__ import annotations

import gc
import logging
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

from .isolation import leave_the_network
from .messages import Fork, Reap
from .worker import serve_worker

CONTEXT = multiprocessing.get_context("spawn")
UNSAFE_FORK = "the zygote is forked from a process that still runs other threads"
log = logging.getLogger("srg.workers")
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


def _threads() -> int:
    tasks = Path("/proc/self/task")
    return len(os.listdir(tasks)) if tasks.is_dir() else 1


def _settle(seconds: float = 1.0) -> None:
    """Wait for threads that were joined to be gone from the system too (a joined Python
    thread can still be ending in the C library for a moment); say so if some stay."""
    deadline = time.monotonic() + seconds
    while _threads() > 1 and time.monotonic() < deadline:
        time.sleep(0.001)
    if _threads() > 1:
        log.warning(f"{UNSAFE_FORK}: {_threads()} threads")


def _serve(conn: Connection) -> None:
    """The zygote's loop: fork workers, reap the workers the server stopped."""
    detach_signals()
    unisolated = leave_the_network()
    if unisolated is not None:
        log.warning(f"query workers keep the network: {unisolated}; the guard still holds")
    channel = socket.socket(fileno=os.dup(conn.fileno()))  # receives the workers' pipes
    children: set[int] = set()
    try:
        while True:
            message = conn.recv()
            if isinstance(message, Fork):
                fds = socket.recv_fds(channel, 1, message.pipes)[1]
                body = partial(
                    _worker, conn, channel, message.snapshot, message.writes, fds, message.versions
                )
                pid = _fork_child(body)
                children.add(pid)
                for fd in fds:
                    os.close(fd)
                conn.send(pid)
            elif isinstance(message, Reap) and message.pid in children:
                children.discard(message.pid)
                os.waitpid(message.pid, 0)
    except (EOFError, OSError):  # the server stopped: so do the workers it left
        for pid in children:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def _worker(
    conn: Connection,
    channel: socket.socket,
    snapshot: Path,
    writes: int | None,
    fds: list[int],
    versions: int,
) -> None:
    conn.close()
    channel.close()
    serve_worker(snapshot, writes, fds, versions)


class Zygote:
    """The server's handle on its zygote."""

    def __init__(self, conn: Connection, pid: int, process: multiprocessing.Process | None = None):
        self.conn, self.pid, self.process = conn, pid, process
        self.channel = socket.socket(fileno=os.dup(conn.fileno()))
        self.alive = True

    @classmethod
    def fork(cls) -> Zygote:
        """Fork the zygote from this process, which must have a single thread."""
        _settle()
        parent, child = CONTEXT.Pipe()

        def run() -> None:
            parent.close()
            _serve(child)

        pid = _fork_child(run)
        child.close()
        return cls(parent, pid)

    @classmethod
    def spawn(cls) -> Zygote:
        """Start a fresh zygote in a new interpreter (the server has threads by now)."""
        parent, child = CONTEXT.Pipe()
        process = CONTEXT.Process(target=_serve, args=(child,), daemon=True)
        process.start()
        child.close()
        return cls(parent, process.pid or 0, process)

    def _send(self, message: Fork | Reap) -> None:
        try:
            self.conn.send(message)
        except OSError:
            self.alive = False
            raise ZygoteLost from None

    def fork_worker(
        self, snapshot: Path, writes: int | None, fds: list[int], versions: int = 2
    ) -> int:
        """Fork a worker that loads the snapshot and the first `writes` records of its log
        (None: the number follows as `Replay`), and gets the pipe ends `fds` (still to be
        closed by the caller); it keeps `versions` past versions of the dataset."""
        self._send(Fork(snapshot, writes, len(fds), versions))
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
            self._send(Reap(pid))

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
