"""`/coverage`: which services, werkbanken and organisations map onto which VLOCA component."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from ...model.coverage import coverage
from .. import caching, pages
from ..parameters import choice
from ..requests import negotiated, services

router = APIRouter(tags=["VLOCA mappings"])


@router.api_route(
    "/coverage", methods=["GET", "HEAD"], summary="VLOCA coverage matrix and gaps (HTML or JSON)"
)
async def coverage_page(request: Request) -> Response:
    """The matrix as a page, or as JSON by `Accept` or `?format=json` (a link can ask for
    it); `?sort=mapped` puts the mapped subjects and components first."""
    svc = services(request)
    wanted = choice(request, "format", ("html", "json"))
    mapped_first = choice(request, "sort", ("mapped",)) == "mapped"
    if wanted is not None:
        media = {"html": "text/html", "json": "application/json"}[wanted]
    else:  # an Accept of neither is 406 as on every other route, not the page unasked
        media = negotiated(request, ["text/html", "application/json"])
    headers, unchanged = caching.validators(request, svc.data.version, svc.data.modified, media)
    if unchanged:
        return unchanged
    matrix = await run_in_threadpool(coverage, svc.data.store)
    if mapped_first:
        matrix = matrix.mapped_first()
    if media == "application/json":
        body = json.dumps(matrix.as_json(), ensure_ascii=False, indent=2)
        return Response(body, media_type="application/json", headers=headers)
    page = pages.render(request, "coverage.html", coverage=matrix, mapped_first=mapped_first)
    page.headers.update({k: v for k, v in headers.items() if k != "Vary"})
    return page
