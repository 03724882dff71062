"""The home page (`/`), and the org chart as an image (`/orgchart.svg`) and a page (`/orgchart`).

The home page says what the dataset is (from the governance model's own description), links
the entry points, offers a SPARQL editor with the named queries as examples
(`static/editor.js`), and shows the open points, the rule warnings and the org chart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from ...model import orgchart
from ...model.coverage import coverage
from ...model.orgchart import doc_href
from ...namespaces import ID
from ...sparql import internal
from ...store import GraphStore
from ...validation import render as reports
from .. import caching, pages
from ..requests import services
from ..services import Services
from .validate import rule_groups

router = APIRouter(tags=["Pages"])
MODEL = f"{ID}model/smart-region-governance"


def _label(row: dict[str, str], key: str, lang: str, fallback: str = "") -> str:
    """`keyNl` / `keyEn` of a row, in `lang` first."""
    labels = {"nl": row.get(f"{key}Nl", ""), "en": row.get(f"{key}En", "")}
    return pages.pick(labels, lang, fallback)


def _slug(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def introduction(store: GraphStore, lang: str) -> dict[str, str]:
    found = store.rows(internal.query("dashboard-model"), {"model": ("iri", MODEL, None)})
    row = found[0] if found else {}
    return {
        "label": _label(row, "label", lang, "Smart Region Governance"),
        "description": _label(row, "description", lang),
        "href": doc_href(MODEL),
    }


def entry_points(store: GraphStore, lang: str) -> dict[str, list[dict[str, str]]]:
    """The governance bodies and the werkbanken, each with its label and page."""
    kinds: dict[str, list[dict[str, str]]] = {"body": [], "werkbank": []}
    for row in store.rows(internal.query("dashboard-entry-points")):
        link = {"href": doc_href(row["node"]), "label": _label(row, "label", lang, row["node"])}
        kinds.setdefault(row["kind"], []).append(link)
    return kinds


def open_points(store: GraphStore, lang: str) -> list[dict[str, Any]]:
    """Every srg:OpenPoint with what it concerns and the property that is open."""
    points: dict[str, dict[str, Any]] = {}
    for row in store.rows(internal.query("dashboard-open-points")):
        point = points.setdefault(
            row["point"],
            {
                "href": doc_href(row["point"]),
                "label": _label(row, "label", lang, _slug(row["point"])),
                "description": _label(row, "description", lang),
                "concerns": {},
                "properties": {},
            },
        )
        if "concerns" in row:
            label = _label(row, "concerns", lang, _slug(row["concerns"]))
            point["concerns"][row["concerns"]] = {"href": doc_href(row["concerns"]), "label": label}
        if "property" in row:
            label = _label(row, "property", lang, _slug(row["property"]))
            point["properties"][row["property"]] = {"href": row["property"], "label": label}
    return sorted(points.values(), key=lambda p: p["label"].casefold())


def examples(svc: Services, lang: str) -> list[dict[str, str]]:
    """The named queries as the editor's examples: name, title in `lang`, text."""
    found = [
        {"name": q.name, "title": pages.pick(q.title, lang, q.name), "text": q.text}
        for q in svc.queries.values()
    ]
    return sorted(found, key=lambda q: q["title"].casefold())


def dashboard(svc: Services, lang: str) -> dict[str, Any]:
    """Everything the home page shows from the data (blocking: call from a thread)."""
    store = svc.data.store
    report = svc.report()
    groups = rule_groups(report, lang)
    return {
        "intro": introduction(store, lang),
        "entries": entry_points(store, lang),
        "open_points": open_points(store, lang),
        "rules": groups,
        "severities": Counter(r.severity for r in report.results),
        "severity_words": reports.WORDS[lang],
        "examples": examples(svc, lang),
        "chart": orgchart.build(store, lang),
        "coverage": coverage(store),
    }


async def cached_page(
    request: Request, template: str, build: Callable[[Services, str], dict[str, Any]], **extra: Any
) -> Response:
    """A page made from the data, answered with 304 while the data and language are the same."""
    svc = services(request)
    lang = pages.language(request)
    headers, unchanged = caching.validators(request, svc.data.version, svc.data.modified, lang)
    if unchanged is not None:
        return unchanged
    context = await run_in_threadpool(build, svc, lang)
    page = pages.render(request, template, **context, **extra)
    page.headers.update(headers)
    return page


@router.get("/", summary="Home page", include_in_schema=False)
async def home(request: Request) -> Response:
    query = request.query_params.get("query", "")
    return await cached_page(request, "home.html", dashboard, query=query)


@router.get("/orgchart.svg", summary="The org chart as SVG (?lang=nl|en)")
async def orgchart_svg(request: Request) -> Response:
    svc = services(request)
    lang = pages.language(request)
    headers, unchanged = caching.validators(request, svc.data.version, svc.data.modified, lang)
    if unchanged is not None:
        return unchanged
    chart = await run_in_threadpool(orgchart.build, svc.data.store, lang)
    headers["Content-Security-Policy"] = pages.CSP
    return Response(orgchart.render(chart), media_type="image/svg+xml", headers=headers)


@router.get("/orgchart", summary="The org chart page", include_in_schema=False)
async def orgchart_page(request: Request) -> Response:
    return await cached_page(
        request, "orgchart.html", lambda svc, lang: {"chart": orgchart.build(svc.data.store, lang)}
    )
