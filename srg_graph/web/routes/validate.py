"""`/validate`: the SHACL report of the current graph (GET) or of the graph plus a body (POST).

A POST changes nothing: the body is parsed into the staging graph `.../graph/submitted` of a
copy of the dataset, and the copy is validated. Answers are JSON, Turtle (the standard
`sh:ValidationReport`) or, for browsers, an HTML page grouped by rule.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from ...model.report_view import rule_groups
from ...namespaces import GRAPH
from ...store import parse_payload
from ...validation import render as reports
from ...validation.engines import validate_store
from ...validation.report import Report
from .. import caching, pages
from ..errors import HttpError
from ..requests import negotiated, rdf_body_type, read_body, services
from ..services import Services

router = APIRouter(tags=["Validation"])
SUBMITTED = f"{GRAPH}submitted"
OFFERED = ["application/json", "text/turtle", "text/html"]


def answer(request: Request, report: Report, media: str, headers: dict[str, str]) -> Response:
    """The report in the chosen format (HTML in the request's language)."""
    if media == "text/html":
        lang = pages.language(request)
        page = pages.render(
            request,
            "validate.html",
            groups=rule_groups(report, lang),
            summary=reports.summary(report, lang),
            conforms=report.conforms,
            severity=reports.WORDS[lang],
        )
        page.headers.update(headers)
        return page
    if media == "text/turtle":
        body = reports.as_turtle(report)
        return Response(body, media_type="text/turtle; charset=utf-8", headers=headers)
    return Response(reports.as_json(report), media_type="application/json", headers=headers)


@router.api_route(
    "/validate",
    methods=["GET", "HEAD"],
    summary="SHACL report of the current graph (JSON, Turtle or HTML)",
)
async def current(request: Request) -> Response:
    svc = services(request)
    media = negotiated(request, OFFERED)
    lang = pages.language(request)
    headers, unchanged = caching.validators(request, svc.data.version, svc.data.modified, lang)
    if unchanged is not None:
        return unchanged
    report = await run_in_threadpool(svc.report)
    return answer(request, report, media, headers)


@router.post("/validate", summary="SHACL report of the current graph plus the RDF sent")
async def submitted(request: Request) -> Response:
    """Validate the data with the body added (Turtle, N-Triples, RDF/XML, JSON-LD); read-only."""
    svc = services(request)
    media = negotiated(request, OFFERED)
    kind = rdf_body_type(request)
    body = await read_body(request, svc.settings.max_body_bytes)
    quads = await run_in_threadpool(parse_payload, body, kind, svc.settings.base_iri, SUBMITTED)
    if not quads:
        raise HttpError(400, "the body holds no triples; send the RDF to validate")
    report = await run_in_threadpool(validate_with, svc, quads)
    return answer(request, report, media, {"Cache-Control": "no-store"})


def validate_with(svc: Services, quads: list[Any]) -> Report:
    """The report of a staged copy of the dataset with `quads` added; the dataset is untouched."""
    staged = svc.data.store.copy()
    staged.merge_graph(SUBMITTED, quads)
    return validate_store(staged)
