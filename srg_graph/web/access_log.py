"""The access log: one JSON line per request (method, path, status, milliseconds, client)."""

from __future__ import annotations

import json
import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("srg.access")


def log_request(method: str, path: str, status: int, started: float, client: str | None) -> None:
    """Log a request answered with `status`, begun at `started` (`time.perf_counter`)."""
    log_line(line_around(method, path, status, client), started)


def line_around(method: str, path: str, status: int, client: str | None) -> tuple[str, str]:
    """A request's line before and after its milliseconds (made once for a request that comes
    again: the answer lane writes it for every answer, and `json.dumps` cost a seventh of one)."""
    record = {"method": method, "path": path, "status": status, "ms": None, "client": client}
    before, _, after = json.dumps(record).partition('"ms": null')
    return before + '"ms": ', after


def log_line(around: tuple[str, str], started: float) -> None:
    """Log the line `around` the milliseconds since `started`."""
    log.info(f"{around[0]}{round((time.perf_counter() - started) * 1000, 1)}{around[1]}")


class AccessLog:
    """The access log's line for every request the application answers, as plain ASGI
    middleware: Starlette's `BaseHTTPMiddleware` costs about a millisecond per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            client = scope.get("client")
            log_request(
                scope["method"], scope["path"], status, started, client[0] if client else None
            )
