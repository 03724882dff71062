"""`/sparql`: the SPARQL 1.1 Query and Update protocol, and the Service Description."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from ... import formats
from ...formats import GRAPHS, SOLUTIONS, content_type
from ...model import service_description as description
from ...store import GraphStore
from .. import caching, memento, pages
from .. import request_guard as checks
from .. import sparql_protocol as protocol
from ..errors import HttpError
from ..parameters import single
from ..requests import (
    authorise_write,
    body_content_type,
    negotiated,
    negotiated_graph,
    read_body,
    services,
    write,
)
from ..services import Services

router = APIRouter(tags=["SPARQL 1.1 Protocol"])
SOLUTIONS_JSON = "application/sparql-results+json"
DESCRIPTION_TYPES = ["text/turtle", "application/ld+json", "application/rdf+xml", "text/html"]
# the Service Description's formats by `format` name (a link cannot choose Accept)
DESCRIBED_AS = {
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "html": "text/html",
}


@router.api_route("/sparql", methods=["GET", "HEAD", "POST"], summary="SPARQL query or update")
async def sparql(request: Request) -> Response:
    """Query by GET or POST (form or `application/sparql-query`); update by POST (token)."""
    svc = services(request)
    kind = body_content_type(request)
    if protocol.media_type(kind)[0] == protocol.UPDATE:
        authorise_write(request)
    body = (
        await read_body(request, svc.settings.max_body_bytes) if request.method == "POST" else b""
    )
    params = protocol.url_fields(request.scope["query_string"])
    operation = protocol.parse(request.method, params, kind, body)
    if operation.kind == "describe-service":
        return describe_service(request, svc)
    if operation.kind == "update":
        authorise_write(request)
        return await run_update(request, svc, operation)
    return await run_query(request, svc, operation)


async def run_query(request: Request, svc: Services, operation: protocol.Operation) -> Response:
    inspection = checks.check_query(svc, operation)
    graph = inspection.query_type in ("CONSTRUCT", "DESCRIBE")
    offered = GRAPHS if graph else SOLUTIONS
    if operation.format is not None:
        media = _of_format(operation.format, offered)
    elif graph:  # a generic JSON client's graph is JSON-LD: one tag, one Content-Type
        media = negotiated_graph(request, list(GRAPHS))
    else:
        media = negotiated(request, list(SOLUTIONS))
    graphs = " ".join((*operation.default_graphs, "|", *operation.named_graphs))
    data, changes = svc.data, svc.data.changelog
    version = None
    if operation.version is not None or operation.as_of is not None:
        version = await asyncio.to_thread(svc.version_of, operation.version, operation.as_of)
    if version is None:
        tag, modified = data.version, data.modified
    else:  # an answer at a fixed version is the same until a purge makes a new generation
        tag = f"{data.generation}-v{version}"
        modified = memento.modified(changes, version, data.modified)
    chosen = operation.format or ""
    headers, unchanged = caching.validators(
        request, tag, modified, media, operation.text, graphs, chosen, url_query=False
    )
    if version is not None:
        headers["Cache-Control"] = memento.KEPT
    if unchanged is not None:
        return unchanged
    query = svc.query(
        operation.text,
        offered[media],
        default_graphs=operation.default_graphs,
        named_graphs=operation.named_graphs,
    )
    answer = await svc.answer(query, version)
    if operation.as_of is not None and request.method in ("GET", "HEAD"):
        headers["Content-Location"] = _at_version(request, version)
    if operation.format is not None:
        headers["Content-Disposition"] = f'attachment; filename="results.{_suffix(media)}"'
    return Response(answer.body, media_type=content_type(media), headers=headers)


def _of_format(name: str, offered: Mapping[str, str]) -> str:
    """The media type `format` names: a download link's choice, since a browser following a
    link or sending a form cannot choose `Accept`. `json` is the JSON of the answer's kind
    (SPARQL JSON results, or JSON-LD for a graph), as the home page's JSON button asks."""
    kinds = {name: media for media, name in reversed(offered.items())}
    if "jsonld" in kinds:
        kinds["json"] = kinds["jsonld"]
    if name in kinds:
        return kinds[name]
    known = sorted({*SOLUTIONS.values(), *GRAPHS.values()})
    if name not in known:
        raise HttpError(400, f"format {name!r} is unknown; use one of {known}")
    written = sorted(kinds)
    raise HttpError(406, f"this query's answer cannot be written as {name}; use one of {written}")


def _suffix(media: str) -> str:
    """The file name's extension of a download (`json`, not `.srj`, for SPARQL JSON)."""
    return "json" if media == SOLUTIONS_JSON else formats.suffix(media)


def _at_version(request: Request, version: int) -> str:
    """This request's URL asking for `version` (an `asOf` request names its version)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("asOf",)]
    params = [(k, v) for k, v in params if k != "version"] + [("version", str(version))]
    return request.url.path + "?" + urlencode(params)


async def run_update(request: Request, svc: Services, operation: protocol.Operation) -> Response:
    text = checks.check_update(svc, operation)
    base = svc.settings.base_iri

    # The update runs on a query worker (time limit, crash isolation); its change is then
    # validated and committed here like any other write.
    def change(staged: GraphStore) -> None:
        staged.apply(svc.pool.update(text, base))

    await write(request, svc, change, operation.note)
    return Response(status_code=204)


def describe_service(request: Request, svc: Services) -> Response:
    endpoint = str(request.url.replace(query=None, fragment=None))
    graphs = svc.data.store.graph_names()
    chosen = single(request, "format")
    media = negotiated(request, DESCRIPTION_TYPES) if chosen is None else DESCRIBED_AS.get(chosen)
    if media is None:
        raise HttpError(400, f"format {chosen!r} is unknown; use one of {sorted(DESCRIBED_AS)}")
    if media == "text/html":
        return pages.render(request, "service-description.html", endpoint=endpoint, graphs=graphs)
    else:
        body = description.render(description.service_description(endpoint, graphs), media)
    return Response(body, media_type=content_type(media), headers={"Vary": "Accept"})
