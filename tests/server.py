"""A real `srg serve` process on a free loopback port, for protocol-level tests."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar

import httpx

READY = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")
ROOT = Path(__file__).resolve().parent.parent
OXIGRAPH = Path(sys.executable).with_name("oxigraph")
# SRG_TEST_REMOTE=1 runs every server of the suite in remote-store mode, on a real
# `oxigraph serve` that holds a copy of the server's store (`srg push`);
# SRG_TEST_REMOTE=virtuoso does the same on a private OpenLink Virtuoso (tests/virtuoso.py).
REMOTE_ENGINE = {"1": "oxigraph", "oxigraph": "oxigraph", "virtuoso": "virtuoso"}.get(
    os.environ.get("SRG_TEST_REMOTE", "")
)
REMOTE = REMOTE_ENGINE is not None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RemoteStoreServer:
    """A SPARQL 1.1 store process holding a copy of a store, started once per store."""

    # by store: a server restarted on the same store finds its data again
    running: ClassVar[dict[Path, RemoteStoreServer]] = {}
    process: subprocess.Popen

    def __init__(self, store: Path):
        raise NotImplementedError

    @classmethod
    def of(cls, store: Path) -> RemoteStoreServer:
        found = cls.running.get(store)
        if found is None or found.process.poll() is not None:
            found = cls.running[store] = cls(store)
        return found

    def endpoints(self) -> tuple[str, str, str]:
        """The store's query, update and Graph Store endpoints."""
        raise NotImplementedError

    def flags(self) -> list[str]:
        """The `srg serve` flags that put a server on this store."""
        query, update, gsp = self.endpoints()
        return ["--sparql-endpoint", query, "--update-endpoint", update, "--gsp-endpoint", gsp]

    def stop(self) -> None:
        """Stop the store; its data stays, for a server restarted on the same store."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


def remote_store_server(store: Path) -> RemoteStoreServer:
    """The running remote store of the engine SRG_TEST_REMOTE names, holding `store`."""
    if REMOTE_ENGINE == "virtuoso":
        from virtuoso import VirtuosoServer

        return VirtuosoServer.of(store)
    return OxigraphServer.of(store)


class OxigraphServer(RemoteStoreServer):
    """A real `oxigraph serve` (on disk, union default graph) holding a copy of a store,
    made beside it (`<store>-oxigraph`) on first use."""

    def __init__(self, store: Path):
        self.location = store.with_name(store.name + "-oxigraph")
        self.url = f"http://127.0.0.1:{free_port()}"
        command = [str(OXIGRAPH), "serve", "--location", str(self.location)]
        command += ["--bind", self.url.removeprefix("http://"), "--union-default-graph"]
        fresh = not self.location.exists()
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait()
        if fresh:
            pushed = run_srg("push", "--gsp-endpoint", f"{self.url}/store", store=store)
            if pushed.returncode != 0:
                self.stop()
                raise RuntimeError(f"srg push failed: {pushed.stderr}")

    def _wait(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/query", params={"query": "ASK {}"}, timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("oxigraph serve did not start")

    def endpoints(self) -> tuple[str, str, str]:
        return f"{self.url}/query", f"{self.url}/update", f"{self.url}/store"


class Server:
    """`srg serve --port 0` on a store directory; the port is read from uvicorn's log."""

    def __init__(self, store: Path, tokens: str = "", *args: str, **env: str):
        self.store, self.tokens, self.args, self.env = store, tokens, args, env
        self.process: subprocess.Popen[str] | None = None
        self.url = ""
        self.log: list[str] = []

    def start(self, timeout: float = 60) -> Server:
        env = {**os.environ, "SRG_ROOT": str(ROOT), "SRG_STORE": str(self.store), **self.env}
        env["SRG_WRITE_TOKENS"] = self.tokens
        command = [sys.executable, "-m", "srg_graph", "serve", "--port", "0", *self.args]
        if REMOTE and "--sparql-endpoint" not in self.args:
            command += remote_store_server(self.store).flags()
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        port = self._wait_for_port(timeout)
        self.url = f"http://127.0.0.1:{port}"
        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def _wait_for_port(self, timeout: float) -> str:
        assert self.process is not None and self.process.stdout is not None
        deadline = time.monotonic() + timeout
        for line in self.process.stdout:
            self.log.append(line)
            if match := READY.search(line):
                return match.group(1)
            if time.monotonic() > deadline:
                break
        self.stop()
        raise RuntimeError("srg serve did not start:\n" + "".join(self.log))

    def _drain(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.log.append(line)

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)  # type: ignore[arg-type]

    def kill(self) -> None:
        """`kill -9`: no clean shutdown (its worker processes die with their pipes)."""
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.store in RemoteStoreServer.running:
            RemoteStoreServer.running.pop(self.store).stop()


def run_srg(
    *args: str, store: Path | None = None, text: bool = True, root: Path = ROOT
) -> subprocess.CompletedProcess:
    """`srg ARGS` as a real subprocess on the sources under `root` (default: this checkout's)
    and `store`, if given."""
    env = {**os.environ, "SRG_ROOT": str(root)}
    if store is not None:
        env["SRG_STORE"] = str(store)
    command = [sys.executable, "-m", "srg_graph", *args]
    return subprocess.run(command, capture_output=True, text=text, env=env, timeout=300)
