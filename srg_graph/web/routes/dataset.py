"""`/void`: the VoID and DCAT description of the dataset; `/dumps/...`: its full downloads."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from ...formats import content_type
from ...model import catalogue
from ...model.catalogue import DUMPS, Catalogue
from .. import caching, pages
from ..errors import HttpError
from ..requests import services
from .sparql import chosen

router = APIRouter(tags=["Dataset description and dumps"])
VOID_TYPES = ["text/turtle", "text/html", "application/ld+json", "application/rdf+xml"]
EXTENSIONS = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "html": "text/html",
}


def catalogue_of(request: Request) -> Catalogue:
    """The app's catalogue (statistics and dumps cached per dataset version)."""
    state = request.app.state
    if getattr(state, "catalogue", None) is None:
        state.catalogue = Catalogue(services(request).data)
    return state.catalogue


def media_for(extension: str) -> str:
    if extension not in EXTENSIONS:
        raise HttpError(404, f"no such format: .{extension}; use one of {sorted(EXTENSIONS)}")
    return EXTENSIONS[extension]


@router.api_route("/void", methods=["GET", "HEAD"], summary="VoID and DCAT dataset description")
async def void(request: Request) -> Response:
    """Turtle (also for `*/*`), JSON-LD, RDF/XML or HTML, by `Accept`."""
    media = chosen(request, VOID_TYPES)
    extension = next(e for e, m in EXTENSIONS.items() if m == media)
    return await describe(request, media, {"Content-Location": f"/void.{extension}"})


@router.api_route("/void.{extension}", methods=["GET", "HEAD"], include_in_schema=False)
async def void_file(request: Request, extension: str) -> Response:
    return await describe(request, media_for(extension), {})


async def describe(request: Request, media: str, extra: dict[str, str]) -> Response:
    cat, base = catalogue_of(request), str(request.base_url)
    if media == "text/html":
        version, stats, files = await run_in_threadpool(cat.described)
    else:
        version, body = await run_in_threadpool(cat.void, base, media)
    key = pages.language(request) if media == "text/html" else ""
    headers, cached = caching.validators(request, version, cat.data.modified, media, key)
    headers.update(extra)
    if cached is not None:
        return cached
    if media == "text/html":
        page = pages.render(request, "void.html", **catalogue.page(base, stats, files))
        page.headers.update(headers)
        return page
    return Response(body, media_type=content_type(media), headers=headers)


@router.api_route("/dumps/{name}", methods=["GET", "HEAD"], summary="Download the whole dataset")
async def download(request: Request, name: str) -> Response:
    """`dataset.nq.gz` (N-Quads), `dataset.trig.gz` (TriG), `dataset.ttl.gz` (Turtle, union).

    Served as gzip files (`application/gzip`), byte for byte what `/void` describes.
    """
    if name not in DUMPS:
        raise HttpError(404, f"no dump {name!r}; the dumps are {sorted(DUMPS)}")
    version, file = await run_in_threadpool(catalogue_of(request).dump, name)
    headers, cached = caching.validators(request, version, services(request).data.modified, name)
    headers["Content-Disposition"] = f'attachment; filename="{name}"'
    headers["Vary"] = "Accept-Encoding"
    if cached is not None:
        return cached
    return Response(file.body, media_type="application/gzip", headers=headers)
