"""`/graph-store`: the SPARQL 1.1 Graph Store HTTP Protocol (`?default`, `?graph=IRI`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool

from ...formats import GRAPHS, content_type
from ...namespaces import GRAPH
from ...store import is_iri, parse_payload
from .. import caching
from ..errors import HttpError
from ..requests import (
    authorise_write,
    negotiated_graph,
    rdf_body_type,
    read_body,
    services,
    write,
)
from ..services import Services

router = APIRouter(tags=["Graph Store Protocol"])
READABLE = [t for t in GRAPHS if t not in ("application/n-quads", "application/trig")]


def target(request: Request, required: bool = True) -> tuple[bool, str | None]:
    """(given, graph IRI or None for the default graph) from `?default` / `?graph=`."""
    params = request.query_params
    graphs, default = params.getlist("graph"), "default" in params
    if len(graphs) > 1 or (graphs and default):
        raise HttpError(400, "name one graph: either ?default or a single ?graph=IRI")
    if graphs:
        iri = graphs[0]
        if not is_iri(iri):  # any scheme (tag:, mailto:), as in a query
            raise HttpError(400, f"?graph must be an absolute IRI (RFC 3987), not {iri!r}")
        return True, iri
    if not default and required:
        raise HttpError(400, "name the graph with ?default or ?graph=IRI")
    return default, None


def exists(svc: Services, graph: str | None) -> bool:
    return graph is None or svc.data.store.has_graph(graph)


def conditional(
    request: Request, svc: Services, graph: str | None, change: Callable[[Any], None]
) -> Callable[[Any], None]:
    """`change`, made only if the request's `If-Match`/`If-None-Match` hold when it is."""

    def checked(staged: Any) -> None:
        data = svc.data
        caching.check_write(request, data.version, data.modified, exists(svc, graph), READABLE)
        change(staged)

    return checked


async def payload(request: Request, svc: Services, graph: str | None) -> list:
    kind = rdf_body_type(request)
    body = await read_body(request, svc.settings.max_body_bytes)
    return await run_in_threadpool(parse_payload, body, kind, svc.settings.base_iri, graph)


@router.api_route("/graph-store", methods=["GET", "HEAD"], summary="Read a graph")
async def read_graph(request: Request) -> Response:
    svc = services(request)
    _, graph = target(request)
    if not exists(svc, graph):
        raise HttpError(404, f"there is no graph {graph} in this store")
    media = negotiated_graph(request, READABLE)
    headers, unchanged = caching.validators(
        request, svc.data.version, svc.data.modified, media, accept=False
    )
    if unchanged is not None:
        return unchanged
    limit = svc.settings.max_result_bytes
    body = await run_in_threadpool(svc.data.store.graph_bytes, graph, GRAPHS[media], limit)
    return Response(body, media_type=content_type(media), headers=headers)


@router.put("/graph-store", dependencies=[Depends(authorise_write)], summary="Replace a graph")
async def replace_graph(request: Request) -> Response:
    svc = services(request)
    _, graph = target(request)
    created = not exists(svc, graph)
    quads = await payload(request, svc, graph)
    await write(
        request, svc, conditional(request, svc, graph, lambda s: s.replace_graph(graph, quads))
    )
    return Response(status_code=201 if created else 204)


@router.post("/graph-store", dependencies=[Depends(authorise_write)], summary="Add to a graph")
async def merge_graph(request: Request) -> Response:
    """With ?default or ?graph=IRI: merge into it. Without: create a new graph (201, Location)."""
    svc = services(request)
    given, graph = target(request, required=False)
    if not given:
        graph = f"{GRAPH}uploads/{uuid.uuid4()}"
    created = not exists(svc, graph)
    quads = await payload(request, svc, graph)
    await write(
        request, svc, conditional(request, svc, graph, lambda s: s.merge_graph(graph, quads))
    )
    if not given:
        location = f"{request.url.replace(query=None)}?graph={quote(graph, safe='')}"
        return Response(status_code=201, headers={"Location": location})
    return Response(status_code=201 if created else 204)


@router.delete("/graph-store", dependencies=[Depends(authorise_write)], summary="Drop a graph")
async def drop_graph(request: Request) -> Response:
    svc = services(request)
    _, graph = target(request)
    if not exists(svc, graph):
        raise HttpError(404, f"there is no graph {graph} in this store")
    await write(request, svc, conditional(request, svc, graph, lambda s: s.drop_graph(graph)))
    return Response(status_code=204)
