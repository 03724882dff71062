"""`create_app(settings)`: the FastAPI application, its routers, errors and middleware."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match, Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import __version__
from ..config import Settings
from ..errors import SrgError
from ..runtime.memory import TRIM_AFTER, give_back_freed_memory
from ..validation import render as reports
from . import negotiation
from .access_log import AccessLog
from .answer_cache import CachedAnswers
from .answer_lane import LANE_STATE
from .caching import AnyRepresentation
from .compression import Compression
from .errors import HttpError, headers_of, status_of
from .openapi import install_openapi, operation_id
from .pages import STATIC
from .requests import ValidationFailed
from .routes import (
    changes,
    coverage,
    dataset,
    docs,
    graph_store,
    health,
    home,
    ldes,
    linked_data,
    mappings,
    named_queries,
    ontology,
    sparql,
    validate,
)
from .services import open_services


def plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error answer: the message, as plain text, that says what to fix."""
    return Response(message + "\n", status, headers, media_type="text/plain; charset=utf-8")


def report_response(request: Request, failed: ValidationFailed) -> Response:
    media = negotiation.choose(request.headers.get("accept"), ["application/json", "text/turtle"])
    if media == "text/turtle":
        return Response(
            reports.as_turtle(failed.report), 422, media_type="text/turtle; charset=utf-8"
        )
    return Response(reports.as_json(failed.report), 422, media_type="application/json")


def error_response(request: Request, error: Exception) -> Response | None:
    """The answer to an error a route raised (None: not one the routes raise on purpose)."""
    if isinstance(error, HttpError):
        return plain(error.status, error.message, error.headers)
    if isinstance(error, SrgError):
        return plain(status_of(error), error.message, headers_of(error))
    if isinstance(error, ValidationFailed):
        return report_response(request, error)
    if isinstance(error, StarletteHTTPException):
        headers = dict(getattr(error, "headers", None) or {})
        if error.status_code == 405:  # the router names the methods of one route of the path
            headers["Allow"] = allowed_methods(request)
            if request.method == "OPTIONS":  # what the target allows (RFC 9110 9.3.7)
                return Response(status_code=204, headers=headers)
        return plain(error.status_code, str(error.detail), headers)
    if isinstance(error, RequestValidationError):
        return plain(400, f"invalid request: {error.errors()}")
    return None


_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH")


STATIC_METHODS = ("GET", "HEAD")  # what the mounts serve: static files


def allowed_methods(request: Request) -> str:
    """The methods some route serves at the request's path, for `Allow` (RFC 9110 15.5.6)."""
    scope = request.scope
    # the app's own root: inside a mount, `root_path` has the mount's path too
    path, root = scope["path"], scope.get("app_root_path", scope.get("root_path", ""))

    def serves(route: BaseRoute, method: str) -> bool:
        probe = {"type": "http", "path": path, "root_path": root, "method": method}
        if route.matches(probe)[0] != Match.FULL:
            return False
        return not isinstance(route, Mount) or method in STATIC_METHODS  # a mount takes any

    served = [m for m in _METHOD_ORDER if any(serves(r, m) for r in request.app.routes)]
    # every path a route serves answers OPTIONS (a CORS preflight is answered before)
    return ", ".join([*served, "OPTIONS"] if served else [])


ANSWERED = (HttpError, SrgError, ValidationFailed, StarletteHTTPException, RequestValidationError)


def install_errors(app: FastAPI) -> None:
    async def answer(request: Request, error: Exception) -> Response:
        return error_response(request, error) or plain(500, "internal error")

    for kind in ANSWERED:
        app.add_exception_handler(kind, answer)


LANE = ("GET", "HEAD", "POST")  # the router answers other methods (405)


class QueryLane:
    """`/sparql` answered ahead of the router: the endpoint takes most requests, many of them
    cheap, and FastAPI's routing and per-request machinery would be a large part of their
    time. It runs the route's own function (`routes.sparql.sparql`), whose registration stays
    for the OpenAPI description."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/sparql" or scope["method"] not in LANE:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await sparql.sparql(request)
        except ANSWERED as error:
            response = error_response(request, error) or plain(500, "internal error")
        await response(scope, receive, send)


class MemoryReturn:
    """After a long request, hand the heap memory it freed back to the system (`memory`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            if time.perf_counter() - started > TRIM_AFTER:
                give_back_freed_memory()


# What a script of another origin may send: negotiation, time travel, conditional reads.
CORS_REQUEST_HEADERS = [
    "Accept",
    "Accept-Language",
    "Accept-Datetime",
    "Content-Type",
    "If-None-Match",
    "If-Modified-Since",
    "If-Match",
    "If-Unmodified-Since",
]
# What it may read beyond the safelisted headers: validators, paging links, where a thing
# went, which version answered, when to come back, a download's name.
CORS_EXPOSED = [
    "ETag",
    "Link",
    "Location",
    "Content-Location",
    "Memento-Datetime",
    "Retry-After",
    "Content-Disposition",
]


def install_middleware(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(QueryLane)
    # inside the answer cache, which keeps (and the lane writes) the compressed answer
    app.add_middleware(Compression, minimum=settings.compress_min_bytes)
    app.add_middleware(AnyRepresentation)
    app.add_middleware(MemoryReturn)
    app.add_middleware(CachedAnswers)
    app.add_middleware(AccessLog)
    # Reads are public from any origin; writes need a token, which CORS does not allow to be
    # sent from another origin (Authorization is not an allowed header, no credentials).
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST"],
        allow_headers=CORS_REQUEST_HEADERS,
        expose_headers=CORS_EXPOSED,
        allow_credentials=False,
        max_age=86400,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Mapping[str, object]]:
        app.state.services = open_services(settings)
        try:
            yield {LANE_STATE: app.state.services.lane}  # for the HTTP protocol (`http_protocol`)
        finally:
            app.state.services.pool.close()

    app = FastAPI(
        title="Smart Region Governance graph",
        version=__version__,
        description="SPARQL 1.1 endpoint and linked data for the Flemish Smart Region "
        f"Governance model. Textual answers of {settings.compress_min_bytes:,} bytes or more "
        "(`--compress-min-bytes`) are gzip-compressed for a request whose `Accept-Encoding` "
        'takes gzip; their `ETag` then ends in `-gzip"`.',
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,  # `routes.docs` serves /docs from the server itself
        redoc_url=None,
    )
    install_errors(app)
    install_middleware(app, settings)
    for module in (
        sparql,
        graph_store,
        named_queries,
        mappings,
        coverage,
        health,
        home,
        validate,
        linked_data,
        ontology,
        dataset,
        ldes,
        changes,
        docs,
    ):
        app.include_router(module.router)
    app.mount("/static/swagger-ui", docs.ASSETS, name="swagger-ui")  # before /static
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    install_openapi(app, settings)
    return app
