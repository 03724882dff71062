"""A real `srg serve` process on a free loopback port, for protocol-level tests."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

READY = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")
ROOT = Path(__file__).resolve().parent.parent


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
        command = [sys.executable, "-m", "srg_graph.cli", "serve", "--port", "0", *self.args]
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


def run_srg(
    *args: str, store: Path | None = None, text: bool = True
) -> subprocess.CompletedProcess:
    """`srg ARGS` as a real subprocess on this checkout's sources (and `store`, if given)."""
    env = {**os.environ, "SRG_ROOT": str(ROOT)}
    if store is not None:
        env["SRG_STORE"] = str(store)
    command = [sys.executable, "-m", "srg_graph.cli", *args]
    return subprocess.run(command, capture_output=True, text=text, env=env, timeout=300)
