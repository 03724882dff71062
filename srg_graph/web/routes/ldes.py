"""`/ldes`: the history as a Linked Data Event Stream (LDES 1.0), its root node and its pages.

What the documents hold is `model.ldes`; which members a page holds, `dataset.ldes`. A full
page never changes: it is sent with `Cache-Control: public, max-age=31536000, immutable`; the
stream, the root node and the newest page change with the history and are sent with a short
`max-age` and an ETag. Pages of an earlier generation (before `srg purge` rewrote the past,
or before pages found damaged on disk were made anew) are `410 Gone`.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from ...dataset.ldes import EventStream
from ...formats import GRAPHS, content_type
from ...model.ldes import OFFERED, page_document, root_document, stream_document
from .. import caching
from ..errors import HttpError
from ..requests import negotiated, services

router = APIRouter(tags=["Linked Data Event Stream"])
CHANGING = "public, max-age=5"  # the stream, its root node and its newest page
GONE = "these pages were made anew (after `srg purge`, or found damaged); start at /ldes"


def _stream(request: Request) -> EventStream:
    found = services(request).ldes
    if found is None:
        raise HttpError(
            404,
            "this server keeps no history (a read-only replica of a remote store), so it "
            "has no event stream; read it from the server that writes",
        )
    return found


def _answer(body: bytes, media: str, headers: dict[str, str]) -> Response:
    return Response(body, media_type=content_type(media), headers=headers)


@router.api_route(
    "/ldes", methods=["GET", "HEAD"], summary="The history as a Linked Data Event Stream"
)
async def stream(request: Request) -> Response:
    """The `ldes:EventStream` (LDES 1.0): members are versions of resources, the state of one
    resource just after a change that touched it. Turtle, TriG, N-Quads, N-Triples or
    JSON-LD by `Accept`; `tree:view` leads to the root node, `/ldes/root`."""
    _stream(request)
    media = negotiated(request, OFFERED)
    svc = services(request)
    headers, cached = caching.validators(
        request, "ldes", svc.data.modified, media, cache_control=CHANGING
    )
    if cached is not None:
        return cached
    return _answer(stream_document(str(request.base_url), GRAPHS[media]), media, headers)


@router.api_route("/ldes/root", methods=["GET", "HEAD"], summary="The stream's root node")
async def root(request: Request) -> Response:
    """The root node: the retention policy and, for each page, its time bounds on
    `prov:generatedAtTime`."""
    ldes = _stream(request)
    media = negotiated(request, OFFERED)
    view = await run_in_threadpool(ldes.refresh)
    svc = services(request)
    headers, cached = caching.validators(
        request, f"{view.token}-{view.version}", svc.data.modified, media, cache_control=CHANGING
    )
    if cached is not None:
        return cached
    base = str(request.base_url)
    body = await run_in_threadpool(root_document, base, view, GRAPHS[media])
    return _answer(body, media, headers)


@router.api_route(
    "/ldes/{token}/{number}", methods=["GET", "HEAD"], summary="A page of the stream's members"
)
async def page(request: Request, token: str, number: int) -> Response:
    """The members of one page, in the order of the history; a full page is immutable."""
    ldes = _stream(request)
    media = negotiated(request, OFFERED)
    view = await run_in_threadpool(ldes.view)
    found = view.page(number) if view.token == token else None
    if found is None or not view.full(found):  # the newest page, or one not made yet
        view = await run_in_threadpool(ldes.refresh)
        found = view.page(number)
    if view.token != token:
        raise HttpError(410, GONE)
    if found is None:
        raise HttpError(404, f"the stream has {len(view.pages)} page(s); start at /ldes")
    if view.full(found):
        last = datetime.fromisoformat(found.last_time).timestamp() if found.last_time else 0
        headers, cached = caching.validators(
            request, f"{token}-{number}", last, media, cache_control=caching.IMMUTABLE
        )
    else:
        version = f"{token}-{number}-{found.count}"
        modified = services(request).data.modified
        headers, cached = caching.validators(
            request, version, modified, media, cache_control=CHANGING
        )
    if cached is not None:
        return cached
    members = await run_in_threadpool(ldes.members, view, found)
    if members is None:  # the pages are made anew: answers kept at this version show the old
        services(request).answers.forget()
        raise HttpError(410, GONE)
    base = str(request.base_url)
    body = await run_in_threadpool(page_document, base, view, found, members, GRAPHS[media])
    return _answer(body, media, headers)
