"""Linked data: `/id/` answers 303 to `/doc/`, which describes the thing in HTML or RDF (a
thing the graph does not know is 404 at once).

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
from ...store import Queries, is_iri
from .. import caching, memento, negotiation, pages
from ..errors import HttpError
from ..parameters import single
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
async def identify(path: str, request: Request) -> Response:
    """The thing `https://w3id.org/srg/id/{path}`: see its description (the dataset itself is
    described by its VoID/DCAT description); 404 at once for a thing the graph does not know."""
    if path == DATASET_PATH:
        return _see_other("/void", request)
    resource, by_suffix = documents.split_suffix(path)
    iri = documents.resource_iri(resource)
    known = documents.is_valid_path(resource) and await run_in_threadpool(
        documents.exists, services(request).data.store, iri
    )
    if not known:
        accept = request.headers.get("accept")
        html = (by_suffix or negotiation.choose(accept, documents.OFFERED)) == documents.HTML
        return _not_found(request, iri, resource, html=html)
    return _see_other(f"/doc/{path}", request)


@router.api_route("/graph/{name:path}", methods=["GET", "HEAD"])
def graph(name: str) -> RedirectResponse:
    """The named graph `https://w3id.org/srg/graph/{name}`: see it in the Graph Store."""
    if not is_iri(GRAPH + name):
        raise HttpError(404, f"{GRAPH + name!r} is no IRI, so no graph of this store")
    return RedirectResponse(f"/graph-store?graph={quote(GRAPH + name, safe='')}", 303)


@router.api_route("/context.jsonld", methods=["GET", "HEAD"])
def jsonld_context() -> Response:
    """The JSON-LD context the descriptions are compacted with."""
    return Response(
        documents.CONTEXT_FILE.read_bytes(),
        media_type="application/ld+json",
        headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"},
    )


@router.api_route("/doc/{path:path}", methods=["GET", "HEAD"])
async def document(path: str, request: Request) -> Response:
    """The description of a resource: HTML, Turtle, JSON-LD, RDF/XML or N-Triples. With
    `version=N` or `asOf=DATETIME`: as it was then (a Memento); with `Accept-Datetime`:
    redirected to the Memento of that instant (this is the resource's TimeGate)."""
    svc = services(request)
    path, by_suffix = documents.split_suffix(path)
    media = documents.media_type(by_suffix or negotiated(request, documents.OFFERED))
    lang = pages.language(request)
    if single(request, "version") is not None or single(request, "asOf") is not None:
        return await _memento(request, path, media, lang)
    wanted = request.headers.get("accept-datetime")
    if wanted and svc.time_travel:
        return await _timegate(request, path, wanted)
    headers, unchanged = caching.validators(
        request, svc.data.version, svc.data.modified, media, lang
    )
    if svc.time_travel:
        headers["Link"] = memento.links(str(request.base_url), path, [])
        headers["Vary"] += ", Accept-Datetime"
    if unchanged is not None:
        return unchanged
    response = await _described(request, svc.data.store, path, media, lang, None)
    if response.status_code == 200:
        response.headers.update(headers)
    return response


async def _described(
    request: Request, store: Queries, path: str, media: str, lang: str, version: int | None
) -> Response:
    """The description of the resource at `path` in `store` (the dataset at `version`)."""
    iri = documents.resource_iri(path)
    if not documents.is_valid_path(path):
        return _not_found(request, iri, path, html=media == documents.HTML)
    if media == documents.HTML:
        return await _page(request, store, path, iri, lang, version)
    context_url = str(request.base_url) + "context.jsonld"
    body = await run_in_threadpool(documents.rdf, store, iri, media, context_url)
    if body is None:
        return _not_found(request, iri, path, html=False, version=version)
    return Response(body, media_type=content_type(media))


async def _memento(request: Request, path: str, media: str, lang: str) -> Response:
    """The resource as it was at the version `version` or `asOf` names (RFC 7089 Memento)."""
    svc = services(request)
    data, as_of = svc.data, single(request, "asOf")
    # (Unsupported in remote-store mode: 501)
    version = await run_in_threadpool(svc.version_of, single(request, "version"), as_of)
    assert version is not None
    store = svc.store_at(version)
    iri = documents.resource_iri(path)
    found = await run_in_threadpool(memento.mementos, data.changelog, iri, data.change_number)
    modified = memento.modified(data.changelog, version, data.modified)
    tag = f"{data.generation}-v{version}"
    headers, unchanged = caching.validators(request, tag, modified, media, lang)
    headers["Cache-Control"] = memento.KEPT
    headers["Link"] = memento.links(str(request.base_url), path, found)
    entry = data.changelog.entry(version)
    if entry is not None and entry.when is not None:
        headers["Memento-Datetime"] = memento.http_date(entry.when)
    if as_of is not None:
        headers["Content-Location"] = f"/doc/{path}?version={version}"
    if unchanged is not None:
        return unchanged
    response = await _described(request, store, path, media, lang, version)
    if response.status_code != 200:  # not there at that version: say where the others are
        headers = {"Link": headers["Link"]}
    response.headers.update(headers)
    return response


async def _timegate(request: Request, path: str, wanted: str) -> Response:
    """302 to the memento of the instant `Accept-Datetime` names (RFC 7089 4.1.1)."""
    data = services(request).data
    instant = memento.accept_datetime(wanted)
    iri = documents.resource_iri(path)
    found = await run_in_threadpool(memento.mementos, data.changelog, iri, data.change_number)
    base = str(request.base_url)
    headers = {"Vary": "Accept-Datetime", "Link": memento.links(base, path, found)}
    if not found:
        return Response(
            f"no version of {iri} is recorded in the history\n",
            404,
            headers=headers,
            media_type="text/plain; charset=utf-8",
        )
    location = memento.memento_url(base, path, memento.chosen(found, instant).number)
    return Response(status_code=302, headers={**headers, "Location": location})


async def _page(
    request: Request, store: Queries, path: str, iri: str, lang: str, version: int | None
) -> Response:
    svc = services(request)
    keep = request.query_params.get("lang") == lang
    report = svc.report if version is None else changes.no_report
    context = await run_in_threadpool(resource_view.build, store, iri, lang, keep, report)
    if context is None:
        return _not_found(request, iri, path, html=True)
    history = await run_in_threadpool(changes.resource_history, svc.data.changelog, iri, version)
    context |= {
        "history": history,
        "timemap": f"/timemap/{path}" if history and svc.time_travel else None,
        "memento": None if version is None else changes.memento_note(svc.data.changelog, version),
        "current": f"/doc/{path}",
    }
    template = (
        "resource.html" if context["kind"] == "resource" else f"resource-{context['kind']}.html"
    )
    suffix = "" if version is None else f"?version={version}"
    return pages.render(request, template, formats=_formats(path, suffix), **context)


def _formats(path: str, query: str = "") -> list[dict[str, Any]]:
    return [
        {"name": name, "media": media, "href": f"/doc/{path}{suffix}{query}"}
        for name, suffix, media in FORMAT_NAMES
    ]


def _not_found(
    request: Request, iri: str, path: str, html: bool, version: int | None = None
) -> Response:
    if html:
        guess = path.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
        return pages.render(request, "not-found.html", 404, iri=iri, guess=guess)
    message = f"no resource {iri} in the graph; search its labels at /search?text=...\n"
    if version is not None:  # it may be there at another version
        message = f"no resource {iri} at version {version}; its versions: /timemap/{path}\n"
    return Response(
        message,
        404,
        media_type="text/plain; charset=utf-8",
        headers={"Vary": "Accept"},
    )


@router.api_route("/search", methods=["GET", "HEAD"])
async def search_page(request: Request) -> Response:
    """Resources whose labels contain `text`, with their types, linking to their pages."""
    svc = services(request)
    text = single(request, "text") or ""
    lang = pages.language(request)
    headers, unchanged = caching.validators(request, svc.data.version, svc.data.modified, lang)
    if unchanged is not None:
        return unchanged
    results = []
    if text.strip():
        results = await run_in_threadpool(
            resource_view.search, svc.data.store, svc.queries.get("search"), text.strip(), lang
        )
    page = pages.render(request, "search.html", text=text, results=results)
    page.headers.update(headers)
    return page
