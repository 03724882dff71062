"""The servers of a benchmark run: start on a free loopback port, pinned to one core, wait
until ready, measure memory (PSS and RSS) and CPU time.

Each server is a process group started here and stopped here by its own id. A server is
pinned by setting the CPU affinity of its first process before it runs (every process and
thread it makes inherits it: the product's zygote and query worker too), and once it
answers, of every thread of its process tree again, so nothing escapes the core.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

BIN = Path(os.environ.get("BENCH_BIN", Path(__file__).resolve().parent.parent / ".venv" / "bin"))
PROBE = "ASK { ?s ?p ?o }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pinning(core: int | None) -> Callable[[], None] | None:
    """What a child runs before its program: set its affinity to `core` (None: leave it)."""
    if core is None:
        return None
    return lambda: os.sched_setaffinity(0, {core})


@dataclass(frozen=True)
class Timed:
    """A command run to its end: seconds, and the peak resident memory of its largest
    process (MiB; `ru_maxrss` of the processes it waited for, so of the tree)."""

    seconds: float
    peak_mb: float


def timed(command: list[str], core: int | None, log: Path, cwd: Path | None = None) -> Timed:
    """Run `command` on `core`, its output into `log`; raise when it fails."""
    began = time.perf_counter()
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, preexec_fn=pinning(core), cwd=cwd
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = round(time.perf_counter() - began, 2)
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({process.returncode}); see {log}")
    return Timed(seconds, round(usage.ru_maxrss / 1024, 1))


@dataclass
class Server:
    """A named server: its command, its query URL and an optional step once it answers."""

    name: str
    command: list[str]
    url: str
    after_start: Callable[[Server], None] | None = None
    load: Timed | None = None  # preparing its data before the start (e.g. a bulk load)
    core: int | None = None
    process: subprocess.Popen[bytes] | None = None
    ready_s: float = 0.0
    log: Path | None = field(default=None)

    def start(self, logs: Path, limit: float = 1800.0) -> None:
        """Start and wait until the endpoint answers a probe (and `after_start` is done):
        the ready time runs from the launch to then."""
        self.log = logs / f"{self.name}.log"
        began = time.perf_counter()
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                self.command,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=pinning(self.core),
            )
        wait_ready(self, began + limit)
        if self.after_start:
            self.after_start(self)
        self.ready_s = round(time.perf_counter() - began, 2)
        self.pin()

    def tree(self) -> list[psutil.Process]:
        """The server's process and all its descendants."""
        if self.process is None:
            return []
        root = psutil.Process(self.process.pid)
        return [root, *root.children(recursive=True)]

    def threads(self) -> list[int]:
        """The ids of every thread of the process tree."""
        ids = []
        for process in self.tree():
            try:
                ids += [t.id for t in process.threads()]
            except psutil.NoSuchProcess:
                continue
        return ids

    def pin(self) -> None:
        for tid in self.threads() if self.core is not None else []:
            try:
                os.sched_setaffinity(tid, {self.core})
            except ProcessLookupError:
                continue

    def pinned(self) -> bool:
        """Whether every thread of the tree runs on its core only."""
        try:
            return self.core is not None and all(
                os.sched_getaffinity(tid) == {self.core} for tid in self.threads()
            )
        except ProcessLookupError:
            return False

    def cpu_s(self) -> float:
        """CPU seconds (user and system) of the process tree so far."""
        total = 0.0
        for process in self.tree():
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def rss_mb(self) -> float:
        """Resident memory of the server and all its child processes, in MiB. Pages that
        forked processes share are counted once per process that maps them."""
        return round(sum(p.memory_info().rss for p in self.tree()) / 2**20, 1)

    def pss_mb(self) -> float:
        """Proportional set size of the process tree, in MiB: each page divided among the
        processes that share it, so shared (copy-on-write) pages are counted once in all."""
        return round(sum(pss_kib(p.pid) for p in self.tree()) / 2**10, 1)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


def pss_kib(pid: int) -> int:
    """`Pss` of /proc/PID/smaps_rollup (Linux 4.14+), in KiB; 0 for a process that ended."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in lines if line.startswith("Pss:")), 0)


def wait_ready(server: Server, deadline: float) -> None:
    while time.perf_counter() < deadline:
        if server.process is not None and server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited; see {server.log}")
        try:
            answer = httpx.post(
                server.url,
                data={"query": PROBE},
                timeout=5,
                headers={"Accept": "application/sparql-results+json"},
            )
            if answer.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{server.name} was not ready in time; see {server.log}")


def quiet(servers: list[Server], limit: float, busy: float = 0.05) -> float:
    """Wait until the servers are idle (together under `busy` of a core over a quarter of a
    second): work left over from the previous pass, such as a query whose client gave up,
    would otherwise run beside the next one on the same core. The seconds waited, at most
    `limit`."""
    began, step = time.perf_counter(), 0.25
    before = sum(s.cpu_s() for s in servers)
    while time.perf_counter() - began < limit:
        time.sleep(step)
        now = sum(s.cpu_s() for s in servers)
        if now - before < busy * step:
            break
        before = now
    return round(time.perf_counter() - began, 2)


def product(store: Path, core: int | None, timeout: float, load: Timed | None = None) -> Server:
    """`srg serve` with its defaults but for the caps that would refuse the mix at scale:
    rows, and the query and queue time limits (set to the client's time-out)."""
    port = free_port()
    limit = str(int(timeout))
    command = [
        str(BIN / "srg"),
        "serve",
        "--store",
        str(store),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--max-rows",
        "1000000",
        "--query-timeout",
        limit,
        "--queue-timeout",
        limit,
    ]
    return Server("product", command, f"http://127.0.0.1:{port}/sparql", load=load, core=core)


def _upload(nquads: Path) -> Callable[[Server], None]:
    def upload(server: Server) -> None:
        with nquads.open("rb") as body:
            answer = httpx.post(
                server.url.replace("/query", "/store"),
                content=body,
                headers={"Content-Type": "application/n-quads"},
                timeout=3600,
            )
        answer.raise_for_status()

    return upload


def oxigraph_memory(nquads: Path, core: int | None) -> Server:
    """In memory: the N-Quads are POSTed once it answers (part of its ready time)."""
    port = free_port()
    command = [
        str(BIN / "oxigraph"),
        "serve",
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]
    return Server(
        "oxigraph-memory",
        command,
        f"http://127.0.0.1:{port}/query",
        after_start=_upload(nquads),
        core=core,
    )


def oxigraph_disk(nquads: Path, location: Path, core: int | None, logs: Path) -> Server:
    """Bulk-loaded with `oxigraph load` on the server's core (its load time), then served
    read-only."""
    load = timed(
        [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(nquads)],
        core,
        logs / "oxigraph-load.log",
    )
    port = free_port()
    command = [
        str(BIN / "oxigraph"),
        "serve-read-only",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]
    return Server("oxigraph-disk", command, f"http://127.0.0.1:{port}/query", load=load, core=core)


def rdflib_endpoint(nquads: Path, core: int | None) -> Server:
    port = free_port()
    command = [
        str(BIN / "rdflib-endpoint"),
        "serve",
        str(nquads),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    return Server("rdflib-endpoint", command, f"http://127.0.0.1:{port}/", core=core)
