"""HTTP validators from the dataset's version: an answer changes only when the data does."""

from __future__ import annotations

import hashlib
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache

from fastapi import Request, Response


def _etag(version: str, request: Request, *extra: str) -> str:
    """A strong ETag for this request's answer at this dataset version (of its URL's parts as
    they came: building Starlette's `URL` was a third of the time of this function)."""
    scope, headers = request.scope, request.headers
    url = (scope.get("scheme", "http"), headers.get("host", ""), scope["path"])
    query = scope["query_string"].decode("latin-1")
    key = "\n".join([version, *url, query, headers.get("accept", ""), *extra])
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _not_modified(request: Request, tag: str) -> bool:
    """True when `If-None-Match` already names this ETag (or is `*`)."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or tag in tags


def _modified_since(request: Request, modified: float) -> bool:
    header = request.headers.get("if-modified-since")
    if not header or request.headers.get("if-none-match"):
        return False  # If-None-Match wins when both are sent (RFC 9110 13.1.3)
    try:
        return int(modified) <= parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError):
        return False


IMMUTABLE = "public, max-age=31536000, immutable"  # an answer that never changes


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
) -> tuple[dict[str, str], Response | None]:
    """The caching headers of an answer, and a ready 304 when the client has it already.
    `cache_control`: how long it may be reused unchecked (by default: check every time;
    `IMMUTABLE` for an answer that never changes)."""
    tag = _etag(version, request, *extra)
    headers = {
        "ETag": tag,
        "Last-Modified": http_date(modified),
        "Cache-Control": cache_control,
        "Vary": "Accept, Accept-Language",
    }
    if _not_modified(request, tag) or _modified_since(request, modified):
        return headers, Response(status_code=304, headers=headers)
    return headers, None
