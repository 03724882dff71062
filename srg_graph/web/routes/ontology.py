"""`/ns`: the ontology (HTML documentation or RDF by `Accept`); `/shapes`: the SHACL shapes.

`https://w3id.org/srg/ns#Werkbank` lands on `/ns#Werkbank`: every term has a section whose
`id` is its local name. The RDF is the ontology graph plus the concept-scheme graphs
(`graph/ontology/...`); `*/*` gets Turtle, browsers the page.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from ... import formats
from ...formats import GRAPHS, content_type
from ...model import vocabulary
from ...namespaces import PREFIXES
from ...store import GraphStore
from .. import caching, pages
from ..requests import media_of_suffix, negotiated, services

router = APIRouter(tags=["Ontology and shapes"])
TYPES = ["text/turtle", "text/html", "application/ld+json", "application/rdf+xml"]


def ontology_page(store: GraphStore, usage: dict[str, int]) -> dict:
    return {"ontology": vocabulary.ontology(store, usage), "ref": vocabulary.ref, "P": vocabulary.P}


def shapes_page(store: GraphStore, usage: dict[str, int]) -> dict:
    return {"graphs": vocabulary.shapes(store), "ref": vocabulary.ref, "P": vocabulary.P}


DOCUMENTS: dict[str, tuple[str, Callable[[GraphStore], list[str]], Callable[..., dict]]] = {
    "ns": ("ontology.html", vocabulary.ontology_graphs, ontology_page),
    "shapes": ("shapes.html", vocabulary.shapes_graphs, shapes_page),
}


@router.api_route("/ns", methods=["GET", "HEAD"], summary="The srg: ontology")
async def ontology(request: Request) -> Response:
    """HTML documentation, Turtle (also for `*/*`), JSON-LD or RDF/XML, by `Accept`."""
    return await by_accept(request, "ns")


@router.api_route("/ns.{extension}", methods=["GET", "HEAD"], include_in_schema=False)
async def ontology_file(request: Request, extension: str) -> Response:
    return await answer(request, "ns", media_of_suffix(extension, TYPES), {})


@router.api_route("/shapes", methods=["GET", "HEAD"], summary="The SHACL shapes")
async def shapes(request: Request) -> Response:
    """Every shape with its label, message, severity and target; or the shapes graphs as RDF."""
    return await by_accept(request, "shapes")


@router.api_route("/shapes.{extension}", methods=["GET", "HEAD"], include_in_schema=False)
async def shapes_file(request: Request, extension: str) -> Response:
    return await answer(request, "shapes", media_of_suffix(extension, TYPES), {})


async def by_accept(request: Request, document: str) -> Response:
    media = negotiated(request, TYPES)
    location = f"/{document}.{formats.suffix(media)}"
    return await answer(request, document, media, {"Content-Location": location})


async def answer(request: Request, document: str, media: str, extra: dict[str, str]) -> Response:
    template, graphs, make_context = DOCUMENTS[document]
    cat = services(request).catalogue
    version, store, stats = await run_in_threadpool(cat.snapshot)
    modified = cat.data.modified
    key = pages.language(request) if media == "text/html" else ""
    headers, cached = caching.validators(request, version, modified, media, key)
    headers.update(extra)
    if cached is not None:
        return cached
    if media == "text/html":
        usage = {**stats.classes, **stats.predicates}
        context = await run_in_threadpool(make_context, store, usage)
        page = pages.render(request, template, **context)
        page.headers.update(headers)
        return page
    body = await run_in_threadpool(store.dump, GRAPHS[media], graphs(store), PREFIXES)
    return Response(body, media_type=content_type(media), headers=headers)
