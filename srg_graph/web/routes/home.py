"""The home page (`/`), and the org chart as an image (`/orgchart.svg`) and a page (`/orgchart`).

The home page says what the dataset is (from the governance model's own description), links
the entry points, offers a SPARQL editor with the named queries as examples
(`static/editor.js`), and shows the open points, the rule warnings and the org chart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from ...model import graphviz, orgchart
from ...model.dashboard import dashboard
from .. import caching, pages
from ..requests import services
from ..services import Services

router = APIRouter(tags=["Pages"])


def _dashboard(svc: Services, lang: str) -> dict[str, Any]:
    return dashboard(svc.data.store, svc.report(), svc.queries.values(), lang)


async def cached_page(
    request: Request, template: str, build: Callable[[Services, str], dict[str, Any]], **extra: Any
) -> Response:
    """A page made from the data, answered with 304 while the data and language are the same
    (and so is whether the org chart can be laid out: Graphviz may be installed meanwhile)."""
    svc = services(request)
    lang = pages.language(request)
    drawable = str(graphviz.available())
    headers, unchanged = caching.validators(
        request, svc.data.version, svc.data.modified, lang, drawable
    )
    if unchanged is not None:
        return unchanged
    context = await run_in_threadpool(build, svc, lang)
    page = pages.render(request, template, **context, **extra)
    page.headers.update(headers)
    return page


@router.api_route("/", methods=["GET", "HEAD"], summary="Home page", include_in_schema=False)
async def home(request: Request) -> Response:
    query = request.query_params.get("query", "")
    return await cached_page(request, "home.html", _dashboard, query=query)


@router.api_route(
    "/orgchart.svg", methods=["GET", "HEAD"], summary="The org chart as SVG (?lang=nl|en)"
)
async def orgchart_svg(request: Request) -> Response:
    """The chart laid out by Graphviz `dot`; 503 with the reason when `dot` is missing."""
    svc = services(request)
    lang = pages.language(request)
    headers, unchanged = caching.validators(request, svc.data.version, svc.data.modified, lang)
    if unchanged is not None:
        return unchanged
    chart = await run_in_threadpool(orgchart.build, svc.data.store, lang)
    if chart.missing:
        return Response(chart.missing, 503, media_type="text/plain; charset=utf-8")
    headers["Content-Security-Policy"] = pages.CSP
    svg = pages.svg("orgchart.svg", chart=chart, words=pages.WORDS[lang])
    return Response(svg, media_type="image/svg+xml", headers=headers)


@router.api_route(
    "/orgchart", methods=["GET", "HEAD"], summary="The org chart page", include_in_schema=False
)
async def orgchart_page(request: Request) -> Response:
    return await cached_page(
        request, "orgchart.html", lambda svc, lang: {"chart": orgchart.build(svc.data.store, lang)}
    )
