"""`/void`: the VoID and DCAT description of the dataset; `/dumps/...`: its full downloads."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from ... import formats
from ...formats import content_type
from ...model import catalogue
from ...model.catalogue import DUMPS
from .. import caching, pages
from ..errors import HttpError
from ..requests import media_of_suffix, negotiated, services

router = APIRouter(tags=["Dataset description and dumps"])
VOID_TYPES = ["text/turtle", "text/html", "application/ld+json", "application/rdf+xml"]


@router.api_route("/void", methods=["GET", "HEAD"], summary="VoID and DCAT dataset description")
async def void(request: Request) -> Response:
    """Turtle (also for `*/*`), JSON-LD, RDF/XML or HTML, by `Accept`."""
    media = negotiated(request, VOID_TYPES)
    location = f"/void.{formats.suffix(media)}"
    return await void_document(request, media, {"Content-Location": location})


@router.api_route("/void.{extension}", methods=["GET", "HEAD"], include_in_schema=False)
async def void_file(request: Request, extension: str) -> Response:
    return await void_document(request, media_of_suffix(extension, VOID_TYPES), {})


async def void_document(request: Request, media: str, extra: dict[str, str]) -> Response:
    cat, base = services(request).catalogue, str(request.base_url)
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
    version, file = await run_in_threadpool(services(request).catalogue.dump, name)
    headers, cached = caching.validators(request, version, services(request).data.modified, name)
    headers["Content-Disposition"] = f'attachment; filename="{name}"'
    headers["Vary"] = "Accept-Encoding"
    if cached is not None:
        return cached
    return Response(file.body, media_type="application/gzip", headers=headers)
