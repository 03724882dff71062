"""HTTP validators from the dataset's version: an answer changes only when the data does."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache

from fastapi import Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import HttpError
from .sparql_protocol import url_fields


def _etag(
    version: str, request: Request, *extra: str, url_query: bool = True, accept: bool = True
) -> str:
    """A strong ETag for this request's answer at this dataset version, of the URL's parts
    (not Starlette's `URL`, a third of the time of this function once) and its parameters as
    the answer cache keys them. Without `accept`, the media type in `extra` tells the
    representations apart."""
    scope, headers = request.scope, request.headers
    url = (scope.get("scheme", "http"), headers.get("host", ""), scope["path"])
    # the parameters as the answer cache keys them: spellings of one request share one tag
    fields = sorted(url_fields(scope["query_string"])) if url_query else []
    query = "&".join(f"{name}={value}" for name, value in fields)
    asked = headers.get("accept", "") if accept else ""
    key = "\n".join([version, *url, query, asked, *extra])
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _tags(header: str, weak: bool = True) -> set[str]:
    """The entity tags of an If-Match or If-None-Match header; `weak`: compared weakly (a
    `W/` tag counts as its strong twin), else a weak tag matches nothing (RFC 9110 8.8.3.2)."""
    tags = {tag.strip() for tag in header.split(",")}
    return {t.removeprefix("W/") for t in tags} if weak else {t for t in tags if t[:2] != "W/"}


def _not_modified(request: Request, tag: str, star: bool) -> bool:
    """True when `If-None-Match` already names this ETag (or, with `star`, is `*`)."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = _tags(header)
    return (star and "*" in tags) or tag in tags


def _date(header: str | None) -> float | None:
    """The time an HTTP-date names; None when there is none or it is no date (the condition
    is then ignored, RFC 9110 13.1.3-4)."""
    if not header:
        return None
    try:
        return parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError):
        return None


def _modified_since(request: Request, modified: float) -> bool:
    if request.headers.get("if-none-match"):
        return False  # If-None-Match wins when both are sent (RFC 9110 13.1.3)
    since = _date(request.headers.get("if-modified-since"))
    return since is not None and int(modified) <= since


def _precondition_failed(request: Request, current: set[str], modified: float) -> str | None:
    """Why `If-Match` (any of the target's `current` tags, or `*` for a target that exists),
    else `If-Unmodified-Since` (no change after that time), does not hold (RFC 9110 13.2.2,
    steps 1-2); None when it holds or is not asked. Both are the client's guard against
    acting on a state it has not seen, so neither is ignored, on a write nor on a read."""
    if_match = request.headers.get("if-match")
    if if_match is not None:
        given = _tags(if_match, weak=False)
        if given & current or ("*" in given and current):
            return None
        return "If-Match: the target has changed (or does not exist); read it again"
    since = _date(request.headers.get("if-unmodified-since"))
    if since is not None and int(modified) > since:
        return "If-Unmodified-Since: the target has changed since then; read it again"
    return None


def check_write(
    request: Request, version: str, modified: float, exists: bool, offered: Sequence[str]
) -> None:
    """Refuse a write (412) whose `If-Match`, `If-Unmodified-Since` or `If-None-Match` does
    not hold for its target as it is (RFC 9110 13.1.1-4): the target's tags are those a GET of
    the same URL has, one per `offered` media type; `*` stands for any, when the target
    exists; `modified` is the time of the dataset's last change. Call it while holding the
    write lock, so that nothing changes between the check and the write."""
    current = (
        {_etag(version, request, media, accept=False) for media in offered} if exists else set()
    )
    failed = _precondition_failed(request, current, modified)
    if failed is not None:
        raise HttpError(412, failed)
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        given = _tags(if_none_match)
        if given & current or ("*" in given and exists):
            raise HttpError(412, "If-None-Match: the target exists as named; nothing was written")


IMMUTABLE = "public, max-age=31536000, immutable"  # an answer that never changes
# Set in the scope by a read sent by POST (a query), for `AnyRepresentation`: a write's
# conditions are the write's own (`check_write`), decided before it is made.
ANY_TAG_ON_ANSWER = "srg.any_tag_on_answer"


@lru_cache(maxsize=16)  # the same few versions' times, on every answer
def http_date(seconds: float) -> str:
    """`Last-Modified`'s form of a time: `Sat, 05 Dec 2026 14:30:11 GMT`."""
    return formatdate(seconds, usegmt=True)


def validators(
    request: Request,
    version: str,
    modified: float,
    *extra: str,
    cache_control: str = "no-cache",
    url_query: bool = True,
    accept: bool = True,
) -> tuple[dict[str, str], Response | None]:
    """The caching headers of an answer, and a ready answer when the client's condition says
    there is no need for one: 304 to a GET or HEAD, 412 to another method (RFC 9110 13.1.2),
    and 412 to any when its `If-Match` or `If-Unmodified-Since` does not hold (13.1.1, 13.1.4).
    `cache_control`: how long it may be reused unchecked (by default: check every time;
    `IMMUTABLE` for an answer that never changes). `url_query`: whether the URL's query string
    tells answers apart (else `extra` does: a query's text, sent by GET or by POST); `accept`:
    whether the Accept header does (else the media type in `extra`: see `check_write`)."""
    tag = _etag(version, request, *extra, url_query=url_query, accept=accept)
    headers = {
        "ETag": tag,
        # never later than now (RFC 9110 8.8.2.1; see `dataset.history.modified_after`)
        "Last-Modified": http_date(min(int(modified), int(time.time()))),
        "Cache-Control": cache_control,
        "Vary": "Accept, Accept-Language",
    }
    if _precondition_failed(request, {tag}, modified) is not None:
        return headers, Unchanged(412, headers)
    if request.method not in ("GET", "HEAD"):  # If-Modified-Since is for GET and HEAD only
        # `*` is decided on the answer, as on a GET: a query that fails is no match
        request.scope[ANY_TAG_ON_ANSWER] = True
        failed = _not_modified(request, tag, star=False)
        return headers, Unchanged(412, headers) if failed else None
    # `*` on a GET is decided on the answer (`AnyRepresentation`): a 404 is no match
    if _not_modified(request, tag, star=False) or _modified_since(request, modified):
        return headers, Unchanged(304, headers)
    return headers, None


class Unchanged(Response):
    """A 304 (or 412) with the answer's headers as they are when it is sent: routes add theirs
    (Cache-Control, Link, Vary, ...) to the validators' dict afterwards, and a 304 must carry
    what the 200 would (RFC 9110 15.4.5), or a cache merges stale ones into its copy."""

    def __init__(self, status: int, headers: dict[str, str]) -> None:
        super().__init__(status_code=status)
        self.answer_headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.init_headers(self.answer_headers)
        await super().__call__(scope, receive, send)


# What a 304 keeps of the 200 it stands for (RFC 9110 15.4.5)
KEPT_BY_304 = frozenset(
    (b"etag", b"last-modified", b"cache-control", b"vary", b"expires", b"content-location")
)


def _any_tag(scope: Scope) -> bool:
    """`If-None-Match: *` on a request."""
    if scope["type"] != "http":
        return False
    asked = next((v for k, v in scope["headers"] if k == b"if-none-match"), b"")
    return b"*" in (tag.strip() for tag in asked.split(b","))


def _failed_status(scope: Scope) -> int | None:
    """What a 2xx answer becomes under `If-None-Match: *`: 304 to a GET or HEAD, 412 to a
    read sent by POST (RFC 9110 13.1.2); None: the answer stands (a write, or no `*`)."""
    if scope["method"] in ("GET", "HEAD"):
        return 304
    return 412 if scope.get(ANY_TAG_ON_ANSWER) else None


class AnyRepresentation:
    """`If-None-Match: *` on a read is false when the target has a current representation
    (RFC 9110 13.1.2): a 304 (412 to a POST query) then, but only once the answer turns out
    a 2xx; an unknown resource or a query that fails answers as without the header (13.2.1)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _any_tag(scope):
            await self.app(scope, receive, send)
            return
        replaced = False

        async def sending(message: Message) -> None:
            nonlocal replaced
            status = _failed_status(scope) if message["type"] == "http.response.start" else None
            if status is not None and 200 <= message["status"] < 300:
                kept = [(k, v) for k, v in message["headers"] if k.lower() in KEPT_BY_304]
                if status != 304:  # a 412 has a body, empty: say so, or it is sent chunked
                    kept.append((b"content-length", b"0"))
                replaced = True
                await send({"type": "http.response.start", "status": status, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
            elif not replaced:
                await send(message)

        await self.app(scope, receive, sending)
