"""`/api/queries`: the named queries of `queries/` as a typed, documented web API."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from ...formats import GRAPHS, content_type
from ...sparql.named import NamedQuery, Parameter, ParameterError, bind, expected
from ...store import Answer
from .. import caching, pages
from ..errors import HttpError
from ..parameters import single, whole_number
from ..requests import negotiated, negotiated_graph, services
from ..services import Services

router = APIRouter(tags=["Named queries"])
RESERVED = ("format", "limit", "offset")
ROWS = {  # SELECT and ASK: a plain JSON array of rows first, for browsers and scripts
    "application/json": "rows",
    "application/sparql-results+json": "json",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/sparql-results+xml": "xml",
}
GRAPH_RESULTS = {t: f for t, f in GRAPHS.items() if t != "text/plain"}


def offered(query: NamedQuery) -> dict[str, str]:
    return GRAPH_RESULTS if query.form in ("CONSTRUCT", "DESCRIBE") else ROWS


def example_url(query: NamedQuery) -> str:
    examples = {p.name: p.example for p in query.parameters if p.example is not None}
    return f"/api/queries/{query.name}" + (f"?{urlencode(examples)}" if examples else "")


def listing_entry(query: NamedQuery) -> dict[str, Any]:
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "tags": list(query.tags),
        "form": query.form,
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "required": p.required,
                "default": p.default,
                "example": p.example,
                "classes": list(p.classes),
                "values": list(p.values),
                "expects": expected(p),
                "description": p.description,
            }
            for p in query.parameters
        ],
        "formats": sorted(set(offered(query).values())),
        "url": f"/api/queries/{query.name}",
        "example": example_url(query),
    }


@router.api_route(
    "/api/queries", methods=["GET", "HEAD"], summary="List the named queries (JSON or HTML)"
)
def list_queries(request: Request) -> Response:
    svc = services(request)
    media = negotiated(request, ["application/json", "text/html"])
    headers, unchanged = caching.validators(request, svc.data.version, svc.data.modified, media)
    if unchanged is not None:
        return unchanged
    listing = [listing_entry(q) for q in svc.queries.values()]
    if media == "text/html":
        page = pages.render(request, "queries.html", listing=listing)
        page.headers.update(headers)
        return page
    return Response(json_bytes(listing), media_type="application/json", headers=headers)


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode()


def _count(request: Request, name: str, limit: int) -> int | None:
    raw = single(request, name)
    if raw is None:
        return None
    if not whole_number(raw) or int(raw) > limit:
        raise HttpError(400, f"'{name}' takes a whole number from 0 to {limit}, not {raw!r}")
    return int(raw)


def _format(request: Request, query: NamedQuery) -> str:
    formats = offered(query)
    wanted = single(request, "format")
    if wanted is not None:
        media = next((t for t, f in formats.items() if f == wanted), None)
        if media is None:
            raise HttpError(400, f"'format' takes one of {sorted(set(formats.values()))}")
        return media
    if query.form in ("CONSTRUCT", "DESCRIBE"):
        return negotiated_graph(request, list(formats))
    return negotiated(request, list(formats))


def _raw_parameters(request: Request) -> dict[str, str]:
    raw: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in RESERVED:
            continue
        if key in raw:
            raise HttpError(400, f"parameter '{key}' is given twice; give it once")
        raw[key] = value
    return raw


def links(request: Request, offset: int, limit: int, result: Answer) -> str:
    """`first`, and `prev` and `next` only to pages that have rows. A page past the end is
    empty with no link on but `first`, as Datasette's (which has no `prev` at all): its
    `prev` was as empty, and where the rows end is not known without counting them all. A
    graph or a boolean is not paged: it has no neighbours."""

    def page(start: int) -> str:
        return f"<{request.url.include_query_params(offset=start, limit=limit)}>"

    found = [f'{page(0)}; rel="first"']
    if offset > 0 and limit and result.rows:  # `limit=0`: a page of none, its own neighbour
        found.append(f'{page(max(0, offset - limit))}; rel="prev"')
    if result.more and limit:
        found.append(f'{page(offset + limit)}; rel="next"')
    return ", ".join(found)


@router.api_route("/api/queries/{name}", methods=["GET", "HEAD"], include_in_schema=False)
async def run_named_query(name: str, request: Request) -> Response:
    svc = services(request)
    query = svc.queries.get(name)
    if query is None:
        raise HttpError(404, f"there is no named query '{name}'; see /api/queries")
    return await answer(request, svc, query)


async def answer(request: Request, svc: Services, query: NamedQuery) -> Response:
    settings = svc.settings
    try:
        bindings = bind(query, _raw_parameters(request), svc.data.store.is_a)
    except ParameterError as error:
        raise HttpError(400, str(error)) from error
    offset = _count(request, "offset", 10**9) or 0
    limit = _count(request, "limit", settings.max_rows)
    media = _format(request, query)
    headers, unchanged = caching.validators(request, svc.data.version, svc.data.modified, media)
    if unchanged is not None:
        return unchanged
    run = svc.query(
        query.text,
        offered(query)[media],
        bindings=tuple(bindings.items()),
        offset=offset,
        limit=limit,
    )
    result = await svc.answer(run)
    if limit is not None:
        headers["Link"] = links(request, offset, limit, result)
    return Response(result.body, media_type=content_type(media), headers=headers)


def _schema(parameter: Parameter) -> dict[str, Any]:
    if parameter.type == "enum":
        return {"type": "string", "enum": list(parameter.values)}
    return {
        "iri": {"type": "string", "format": "uri"},
        "string": {"type": "string"},
        "date": {"type": "string", "format": "date"},
        "integer": {"type": "integer"},
        "boolean": {"type": "boolean"},
    }[parameter.type]


def _typed(parameter: Parameter, text: str) -> Any:
    """A default or example as a value of the parameter's schema type (`1`, not `"1"`)."""
    if parameter.type == "integer" and text.lstrip("-").isdigit():
        return int(text)
    if parameter.type == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _answer_schema(query: NamedQuery, media: str) -> dict[str, Any]:
    """What a generated client parses: the plain rows as objects of any values (ASK: a
    boolean), SPARQL JSON as the endpoint's own schema, every other format as text."""
    if media == "application/json":
        row = {"type": "object", "additionalProperties": {}}
        return {"type": "boolean"} if query.form == "ASK" else {"type": "array", "items": row}
    if media == "application/sparql-results+json":
        return {"$ref": "#/components/schemas/SparqlResults"}
    return {"type": "string"}


NAMED_ERRORS = {
    "406": {"description": "None of the accepted media types is one the query answers in"},
    "412": {"description": "An If-Match or If-Unmodified-Since that does not hold"},
    "422": {"description": "The result is over the row or byte cap: page it with limit"},
    "429": {"description": "More queries at once than the workers and their queue take"},
    "503": {"description": "The query ran past the time or memory limit, or no worker was free"},
}


def openapi_paths(queries: dict[str, NamedQuery]) -> dict[str, Any]:
    """One OpenAPI operation per named query, with typed parameters and its formats."""
    paging = [
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0}},
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    ]
    paths = {}
    for query in queries.values():
        formats = offered(query)
        parameters = [
            {
                "name": p.name,
                "in": "query",
                "required": p.required,
                "description": f"{p.description} ({expected(p)})".strip(),
                "schema": _schema(p)
                | ({"default": _typed(p, p.default)} if p.default is not None else {}),
                **({"example": _typed(p, p.example)} if p.example is not None else {}),
            }
            for p in query.parameters
        ]
        names = sorted(set(formats.values()))
        fmt = {"name": "format", "in": "query", "schema": {"type": "string", "enum": names}}
        get = {
            "operationId": "query_" + query.name.replace("-", "_"),
            "summary": query.title["en"],
            "description": query.description["en"],
            "tags": ["Named queries", *query.tags],
            "parameters": [*parameters, fmt, *paging],
            "responses": {
                "200": {
                    "description": "The answer, in the format asked for",
                    "content": {t: {"schema": _answer_schema(query, t)} for t in formats},
                },
                "304": {"description": "Not modified since the ETag given"},
                "400": {"description": "A parameter is missing or invalid"},
                **NAMED_ERRORS,
            },
        }
        # the route answers HEAD as every read does; described as the other reads' HEADs are
        head = get | {"operationId": get["operationId"] + "_head"}
        paths[f"/api/queries/{query.name}"] = {"get": get, "head": head}
    return paths
