"""Linked data: `/id/` answers 303 to `/doc/`, which describes the thing in HTML or RDF.

Also the published JSON-LD context (`/context.jsonld`), the graph IRIs (`/graph/{name}`, 303 to
the Graph Store) and the label search page (`/search`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from ...formats import content_type
from ...model import changes, documents, resource_view
from ...namespaces import GRAPH
from .. import caching, pages
from ..requests import negotiated, services

router = APIRouter(tags=["linked data"])
FORMAT_NAMES = (
    ("Turtle", ".ttl", "text/turtle"),
    ("JSON-LD", ".jsonld", "application/ld+json"),
    ("RDF/XML", ".rdf", "application/rdf+xml"),
    ("N-Triples", ".nt", "application/n-triples"),
)


DATASET_PATH = "dataset/smart-region-governance"


def _see_other(location: str, request: Request) -> RedirectResponse:
    query = request.url.query
    return RedirectResponse(location + (f"?{query}" if query else ""), status_code=303)


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"])
def identify(path: str, request: Request) -> RedirectResponse:
    """The thing `https://w3id.org/srg/id/{path}`: see its description (the dataset itself is
    described by its VoID/DCAT description)."""
    if path == DATASET_PATH:
        return _see_other("/void", request)
    return _see_other(f"/doc/{path}", request)


@router.api_route("/graph/{name:path}", methods=["GET", "HEAD"])
def graph(name: str) -> RedirectResponse:
    """The named graph `https://w3id.org/srg/graph/{name}`: see it in the Graph Store."""
    return RedirectResponse(f"/graph-store?graph={quote(GRAPH + name, safe='')}", 303)


@router.get("/context.jsonld")
def jsonld_context() -> Response:
    """The JSON-LD context the descriptions are compacted with."""
    return Response(
        documents.CONTEXT_FILE.read_bytes(),
        media_type="application/ld+json",
        headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"},
    )


@router.api_route("/doc/{path:path}", methods=["GET", "HEAD"])
async def document(path: str, request: Request) -> Response:
    """The description of a resource: HTML, Turtle, JSON-LD, RDF/XML or N-Triples."""
    svc = services(request)
    path, by_suffix = documents.split_suffix(path)
    media = documents.media_type(by_suffix or negotiated(request, documents.OFFERED))
    lang = pages.language(request)
    headers, unchanged = caching.validators(
        request, svc.data.version, svc.data.modified, media, lang
    )
    if unchanged is not None:
        return unchanged
    iri = documents.resource_iri(path)
    if not documents.is_valid_path(path):
        return _not_found(request, iri, path, html=media == documents.HTML)
    if media == documents.HTML:
        response = await _page(request, path, iri, lang)
    else:
        context_url = str(request.base_url) + "context.jsonld"
        body = await run_in_threadpool(documents.rdf, svc.data.store, iri, media, context_url)
        if body is None:
            return _not_found(request, iri, path, html=False)
        response = Response(body, media_type=content_type(media))
    if response.status_code == 200:
        response.headers.update(headers)
    return response


async def _page(request: Request, path: str, iri: str, lang: str) -> Response:
    svc = services(request)
    keep = request.query_params.get("lang") == lang
    context = await run_in_threadpool(
        resource_view.build, svc.data.store, iri, lang, keep, svc.report
    )
    if context is None:
        return _not_found(request, iri, path, html=True)
    history = await run_in_threadpool(changes.resource_history, svc.data.changelog, iri)
    context |= {"history": history, "timemap": f"/timemap/{path}" if history else None}
    template = (
        "resource.html" if context["kind"] == "resource" else f"resource-{context['kind']}.html"
    )
    return pages.render(request, template, formats=_formats(path), **context)


def _formats(path: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "media": media, "href": f"/doc/{path}{suffix}"}
        for name, suffix, media in FORMAT_NAMES
    ]


def _not_found(request: Request, iri: str, path: str, html: bool) -> Response:
    if html:
        guess = path.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
        return pages.render(request, "not-found.html", 404, iri=iri, guess=guess)
    return Response(
        f"no resource {iri} in the graph; search its labels at /search?text=...\n",
        404,
        media_type="text/plain; charset=utf-8",
        headers={"Vary": "Accept"},
    )


@router.get("/search")
async def search_page(request: Request, text: str = "") -> Response:
    """Resources whose labels contain the text, with their types, linking to their pages."""
    svc = services(request)
    lang = pages.language(request)
    results = []
    if text.strip():
        results = await run_in_threadpool(
            resource_view.search, svc.data.store, svc.queries.get("search"), text.strip(), lang
        )
    return pages.render(request, "search.html", text=text, results=results)
