"""The servers of a benchmark run: start on a free loopback port, wait until ready, measure
memory (PSS and RSS).

Each server is a process group started here and stopped here by its own id.
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


@dataclass
class Server:
    """A named server: its command, its query URL and an optional step once it answers."""

    name: str
    command: list[str]
    url: str
    after_start: Callable[[Server], None] | None = None
    before: float = 0.0  # seconds spent preparing its data before the start (e.g. a bulk load)
    process: subprocess.Popen[bytes] | None = None
    ready_s: float = 0.0
    log: Path | None = field(default=None)

    def start(self, logs: Path, limit: float = 600.0) -> None:
        """Start and wait until the endpoint answers a probe (and `after_start` is done)."""
        self.log = logs / f"{self.name}.log"
        began = time.perf_counter()
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                self.command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_ready(self, began + limit)
        if self.after_start:
            self.after_start(self)
        self.ready_s = round(self.before + time.perf_counter() - began, 2)

    def tree(self) -> list[psutil.Process]:
        """The server's process and all its descendants."""
        if self.process is None:
            return []
        root = psutil.Process(self.process.pid)
        return [root, *root.children(recursive=True)]

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
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} was not ready in time; see {server.log}")


def product(store: Path) -> Server:
    port = free_port()
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
    ]
    return Server("product", command, f"http://127.0.0.1:{port}/sparql")


def _upload(nquads: Path) -> Callable[[Server], None]:
    def upload(server: Server) -> None:
        with nquads.open("rb") as body:
            answer = httpx.post(
                server.url.replace("/query", "/store"),
                content=body,
                headers={"Content-Type": "application/n-quads"},
                timeout=600,
            )
        answer.raise_for_status()

    return upload


def oxigraph_memory(nquads: Path) -> Server:
    port = free_port()
    command = [
        str(BIN / "oxigraph"),
        "serve",
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ]
    return Server(
        "oxigraph-memory", command, f"http://127.0.0.1:{port}/query", after_start=_upload(nquads)
    )


def oxigraph_disk(nquads: Path, location: Path) -> Server:
    """Bulk-load with `oxigraph load` (timed as part of getting ready), then serve read-only."""
    began = time.perf_counter()
    subprocess.run(
        [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(nquads)],
        check=True,
        capture_output=True,
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
    return Server(
        "oxigraph-disk",
        command,
        f"http://127.0.0.1:{port}/query",
        before=time.perf_counter() - began,
    )


def rdflib_endpoint(nquads: Path) -> Server:
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
    return Server("rdflib-endpoint", command, f"http://127.0.0.1:{port}/")
