"""What the routers share: the services, bounded body reading, write authorisation."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.concurrency import run_in_threadpool

from ..dataset.writes import ProtectedGraph, WriteRefused, apply_write
from ..store import Delta, GraphStore
from ..validation.report import Report
from .auth import check_bearer
from .errors import HttpError
from .services import Services


def services(request: Request) -> Services:
    return request.app.state.services


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to pass `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HttpError(413, f"the body is {declared} bytes; the limit is {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HttpError(413, f"the body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def authorise_write(request: Request) -> None:
    """A FastAPI dependency: refuses a write from its headers, before the body is read."""
    check_bearer(request.headers.get("authorization"), services(request).settings.write_tokens)


async def write(request: Request, svc: Services, change: Callable[[GraphStore], None]) -> Delta:
    """Apply a validated write off the event loop; map refusals to their statuses."""
    try:
        return await run_in_threadpool(apply_write, svc.data, change)
    except WriteRefused as refused:
        raise ValidationFailed(refused.report) from refused
    except ProtectedGraph as error:
        raise HttpError(403, str(error)) from error
    except SyntaxError as error:
        raise HttpError(400, f"SPARQL syntax error: {error}") from error


class ValidationFailed(Exception):
    """Answered with 422 and the SHACL report, as Turtle or JSON by Accept."""

    def __init__(self, report: Report):
        self.report = report
