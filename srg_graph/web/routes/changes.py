"""`/changes`: the history, newest first and paged; `/changes/{n}`: one change, as RDF Patch,
TriG with PROV, JSON or a page; `/timemap/{path}`: the Memento TimeMap of a resource.

A past change does not change (only `srg purge` rewrites one, and makes a new snapshot, so
a new dataset generation): its RDF Patch, TriG and JSON are cached for a day.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from ... import formats
from ...errors import TooLarge, Unsupported
from ...formats import content_type
from ...model import changes as model
from ...model import documents
from ...runtime.remote_pool import NO_TIME_TRAVEL
from ...store import change_documents
from .. import caching, memento, pages
from ..errors import HttpError
from ..parameters import single, whole_number
from ..requests import negotiated, services

router = APIRouter(tags=["History"])
HTML, JSON = "text/html", "application/json"
TURTLE, JSONLD = formats.media_type("turtle"), formats.media_type("jsonld")
PATCH, TRIG = formats.media_type("rdfpatch"), formats.media_type("trig")
LINKS = formats.media_type("linkformat")
LIST_TYPES = [JSON, HTML, TURTLE, JSONLD]  # `*/*` gets JSON
CHANGE_TYPES = [PATCH, TRIG, JSON, HTML]  # `*/*` gets RDF Patch
SUFFIXES = {"json": JSON, "html": HTML, "ttl": TURTLE, "jsonld": JSONLD, "rdfp": PATCH}
SUFFIXES["trig"] = TRIG
KEPT = "public, max-age=86400"  # a past change's documents


def _number(text: str | None, name: str, low: int = 0) -> int | None:
    if text is None or text == "":
        return None
    if not whole_number(text) or int(text) < low:
        raise HttpError(400, f"'{name}' must be a whole number of at least {low}, not {text!r}")
    return int(text)


def _by_suffix(suffix: str, offered: list[str]) -> str:
    media = SUFFIXES.get(suffix)
    if media not in offered:
        known = sorted(s for s, m in SUFFIXES.items() if m in offered)
        raise HttpError(404, f"no such format: .{suffix}; use one of {known}")
    return media


@router.api_route(
    "/changes", methods=["GET", "HEAD"], summary="The history: every change, newest first"
)
async def change_list(request: Request) -> Response:
    """Paged with `before` (the newest changes numbered below it) or `after` (the oldest
    above it) and `limit` (50; at most 1000); `since=N`: only the changes after version N.
    JSON (also for `*/*`), HTML, Turtle or JSON-LD by `Accept`; `Link` gives the next and
    previous pages."""
    return await _list(request, negotiated(request, LIST_TYPES))


@router.api_route("/changes.{suffix}", methods=["GET", "HEAD"], include_in_schema=False)
async def change_list_file(request: Request, suffix: str) -> Response:
    return await _list(request, _by_suffix(suffix, LIST_TYPES))


def _list_url(request: Request, since: int, limit: int, **position: int | None) -> str:
    """The URL of a page of the list: `before` or `after` in `position` (neither: the first)."""
    params = {"since": since or None, **position, "limit": limit}
    if limit == model.DEFAULT_LIMIT:
        params["limit"] = None
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return request.url.path + (f"?{query}" if query else "")


def _position(request: Request) -> tuple[int | None, int | None]:
    """`before` and `after`: a page of the changes below one number or above another."""
    before = _number(single(request, "before"), "before", 1)
    after = _number(single(request, "after"), "after")
    if before is not None and after is not None:
        raise HttpError(400, "give 'before' or 'after', not both")
    return before, after


def _neighbours(request: Request, found: model.Page) -> tuple[str | None, str | None]:
    """The URLs of the next (older) and previous (newer) pages, where there are such."""
    since, limit = found.since, found.limit
    older = None if found.older is None else _list_url(request, since, limit, before=found.older)
    newer = None if found.newer is None else _list_url(request, since, limit, **found.newer)
    return older, newer


async def _list(request: Request, media: str) -> Response:
    svc = services(request)
    since = _number(single(request, "since"), "since") or 0
    before, after = _position(request)
    limit = _number(single(request, "limit"), "limit", 1) or model.DEFAULT_LIMIT
    limit = min(limit, model.MAX_LIMIT)
    lang = pages.language(request) if media == HTML else ""
    headers, unchanged = caching.validators(
        request, svc.data.version, svc.data.modified, media, lang
    )
    if unchanged is not None:
        return unchanged
    changelog = svc.data.changelog
    found = await run_in_threadpool(model.page, changelog, since, before, limit, after)
    older, newer = _neighbours(request, found)
    links = [f'<{_list_url(request, since, limit)}>; rel="first"']
    links += [f'<{older}>; rel="next"'] if older else []
    links += [f'<{newer}>; rel="prev"'] if newer else []
    headers["Link"] = ", ".join(links)
    if media == HTML:
        page = pages.render(
            request,
            "changes.html",
            changes=[model.summary(entry) for entry in found.entries],
            since=since,
            older=older,
            newer=newer,
            version=svc.data.change_number,
        )
        page.headers.update(headers)
        return page
    if media == JSON:
        body = model.listing(found, svc.data.change_number)
        body["next"], body["prev"] = older, newer
        return _json(body, headers)
    fmt = "turtle" if media == TURTLE else "jsonld"
    rdf = await run_in_threadpool(change_documents.listing, found.entries, fmt)
    return Response(rdf, media_type=content_type(media), headers=headers)


def _json(body: object, headers: dict[str, str]) -> Response:
    text = json.dumps(body, ensure_ascii=False, indent=2)
    return Response(text.encode(), media_type=content_type(JSON), headers=headers)


@router.api_route("/changes/{number}", methods=["GET", "HEAD"], summary="One change of the history")
async def change(request: Request, number: str) -> Response:
    """Who made change `number`, when and why, and what it removed and added: RDF Patch
    (`application/rdf-patch`, also for `*/*`), TriG with PROV, JSON or HTML by `Accept`;
    `/changes/{n}.rdfp`, `.trig`, `.json`, `.html` name one."""
    stem, dot, suffix = number.partition(".")
    _one_name(stem, dot + suffix)
    media = _by_suffix(suffix, CHANGE_TYPES) if dot else negotiated(request, CHANGE_TYPES)
    return await _change(request, stem, media)


def _one_name(stem: str, suffix: str) -> None:
    """A change has one URI: `/changes/01` is not a second name of `/changes/1` (a 404 that
    names the one it has, rather than a redirect that would make the other a name too)."""
    if whole_number(stem) and stem != str(int(stem)):
        raise HttpError(
            404,
            f"there is no change {stem!r}: a change's number is written without leading "
            f"zeros, /changes/{int(stem)}{suffix}",
        )


async def _change(request: Request, text: str, media: str) -> Response:
    svc = services(request)
    changelog = svc.data.changelog
    number = int(text) if whole_number(text) else None
    entry = None if number is None else await run_in_threadpool(changelog.entry, number)
    if number is None or entry is None:
        last, first = changelog.last, changelog.first
        held = f"changes {first}-{last}" if first is not None else "no changes"
        raise HttpError(404, f"there is no change {text!r}: the history has {held}")
    lang = pages.language(request) if media == HTML else ""
    when = entry.when.timestamp() if entry.when is not None else svc.data.modified
    # a page shows today's labels, and the newest change's JSON says it has no next one yet
    settled = media != HTML and (media != JSON or number < changelog.last)
    version = f"{svc.data.generation}-change-{number}" if settled else svc.data.version
    headers, unchanged = caching.validators(
        request, version, when, media, lang, cache_control=KEPT if settled else "no-cache"
    )
    if unchanged is not None:
        return unchanged
    statements = entry.removed + entry.added
    if media in (TRIG, JSON) and statements > svc.settings.max_rows:
        raise TooLarge(
            f"change {number} removed and added {statements} statements, more than a result "
            f"may hold ({svc.settings.max_rows}); get it as RDF Patch: /changes/{number}.rdfp"
        )
    found = await run_in_threadpool(changelog.change, number)
    if found is None:
        raise HttpError(404, f"there is no change {number}")
    last = changelog.last
    if media == HTML:
        context = await run_in_threadpool(
            model.change_page,
            svc.data.store,
            found,
            entry,
            last,
            lang,
            request.query_params.get("lang") == lang,
        )
        page = pages.render(request, "change.html", **context)
        page.headers.update(headers)
        return page
    if media == JSON:
        return _json(model.detail(found, entry, last), headers)
    if media == TRIG:
        body = await run_in_threadpool(change_documents.trig, entry, found.delta)
    else:
        previous = changelog.entry(number - 1)
        body = model.patch(found, entry, previous)
    return Response(body, media_type=content_type(media), headers=headers)


@router.api_route(
    "/timemap/{path:path}", methods=["GET", "HEAD"], summary="The Memento TimeMap of a resource"
)
async def timemap(request: Request, path: str) -> Response:
    """The mementos of `/doc/{path}` (RFC 7089 TimeMap, `application/link-format`): the
    versions just after each change of the resource's own statements, with their times, and
    the original resource, its TimeGate (itself) and this TimeMap."""
    svc = services(request)
    negotiated(request, [LINKS])
    if not svc.time_travel:
        raise Unsupported(NO_TIME_TRAVEL)
    data = svc.data
    iri = documents.resource_iri(path)
    found = await run_in_threadpool(memento.mementos, data.changelog, iri, data.change_number)
    if not found:
        raise HttpError(404, f"no change of {iri} is recorded in the history")
    headers, unchanged = caching.validators(request, data.version, data.modified, LINKS)
    if unchanged is not None:
        return unchanged
    body = memento.timemap(str(request.base_url), path, found)
    return Response(body, media_type=LINKS, headers=headers)
