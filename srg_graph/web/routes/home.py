"""The home page (`/`), and the org chart as an image (`/orgchart.svg`) and a page (`/orgchart`).

The home page says what the dataset is (from the governance model's own description), links
the entry points, offers a SPARQL editor with the named queries as examples
(`static/editor.js`; without script, its form comes back here and the page shows the
answer), and shows the open points, the rule warnings and the org chart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from ...errors import SrgError
from ...model import graphviz, orgchart, query_results
from ...model.dashboard import dashboard
from .. import caching, pages
from .. import request_guard as checks
from .. import sparql_protocol as protocol
from ..errors import HttpError, headers_of, status_of
from ..parameters import choice, single
from ..requests import services
from ..services import Services

router = APIRouter(tags=["Pages"])


def _dashboard(svc: Services, lang: str) -> dict[str, Any]:
    return dashboard(svc.data.store, svc.report(), svc.queries.values(), lang)


async def cached_page(
    request: Request,
    template: str,
    build: Callable[[Services, str], dict[str, Any]],
    run: str = "",
    **extra: Any,
) -> Response:
    """A page made from the data, answered with 304 while the data and language are the same
    (and so is whether the org chart can be laid out: Graphviz may be installed meanwhile).
    `run`: a query whose answer the page shows (an error's status is the page's)."""
    svc = services(request)
    lang = pages.language(request)
    drawable = str(graphviz.available())
    headers, unchanged = caching.validators(
        request, svc.data.version, svc.data.modified, lang, drawable
    )
    if unchanged is not None:
        return unchanged
    context = await run_in_threadpool(build, svc, lang)
    status, ran, more = (200, {}, {}) if not run.strip() else await _ran(svc, run)
    page = pages.render(request, template, status, **context, **ran, **extra)
    page.headers.update({**headers, **more})
    return page


async def _ran(svc: Services, text: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    """A query run for the page, as `/sparql` runs it (the guard, the limits, a worker): the
    answer to show, or the error with its status and headers (`Retry-After`). A browser
    without script submits the editor's form here, not to `/sparql`, whose answer it would
    show as raw SPARQL XML."""
    operation = protocol.Operation("query", text)
    try:
        form = checks.check_query(svc, operation).query_type
        fmt = "turtle" if form in ("CONSTRUCT", "DESCRIBE") else "json"
        answer = await svc.answer(svc.query(text, fmt))
    except HttpError as error:
        return error.status, {"failed": f"{error.status}: {error.message}"}, error.headers
    except SrgError as error:
        failed = f"{status_of(error)}: {error.message}"
        return status_of(error), {"failed": failed}, headers_of(error)
    shown = query_results.graph if fmt == "turtle" else query_results.solutions
    return 200, {"ran": shown(answer.body)}, {}


@router.api_route("/", methods=["GET", "HEAD"], summary="Home page", include_in_schema=False)
async def home(request: Request) -> Response:
    """The editor's form, sent without script, comes back here with `run=1`: the page then
    shows the query's answer under the editor (with script, `editor.js` runs it again).
    `example=NAME` (a link of the examples' list, for a browser without script) fills the
    editor with that named query's text."""
    query = single(request, "query") or _example(request)
    run = query if choice(request, "run", ("1",)) else ""
    return await cached_page(request, "home.html", _dashboard, run, query=query)


def _example(request: Request) -> str:
    """The text of the named query `example` names ("" without one), or 404."""
    name = single(request, "example")
    if name is None:
        return ""
    found = services(request).queries.get(name)
    if found is None:
        raise HttpError(404, f"no example query is named {name!r}; /api/queries lists them")
    return found.text


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
    headers |= {"Content-Security-Policy": pages.CSP, "Content-Language": lang}
    svg = pages.svg("orgchart.svg", lang, chart=chart)
    return Response(svg, media_type="image/svg+xml", headers=headers)


@router.api_route(
    "/orgchart", methods=["GET", "HEAD"], summary="The org chart page", include_in_schema=False
)
async def orgchart_page(request: Request) -> Response:
    return await cached_page(
        request, "orgchart.html", lambda svc, lang: {"chart": orgchart.build(svc.data.store, lang)}
    )
