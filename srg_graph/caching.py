"""HTTP validators from the dataset's version: an answer changes only when the data does."""

from __future__ import annotations

import hashlib

from fastapi import Request


def etag(version: str, request: Request, *extra: str) -> str:
    """A strong ETag for this request's answer at this dataset version."""
    key = "\n".join([version, str(request.url), request.headers.get("accept", ""), *extra])
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def not_modified(request: Request, tag: str) -> bool:
    """True when `If-None-Match` already names this ETag (or is `*`)."""
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or tag in tags
