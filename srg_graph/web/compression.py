"""Answers compressed with gzip for the clients that accept it (RFC 9110 8.4.1.3, 12.5.3).

A pure ASGI middleware inside the answer cache (`answer_cache`): what the cache keeps, and
the answer lane writes again, is the compressed answer, made once; both key on the request's
`Accept-Encoding` (the lane on all of the request's bytes), so a compressed answer is only
ever given to a request that asked for it the same way.

Compressed: an answer of a textual media type (`compressible`) of at least
`Settings.compress_min_bytes`, to a request whose `Accept-Encoding` takes gzip. Never: a 1xx,
204, 206 or 304, a request for a range, an answer that has a `Content-Encoding` already or is
binary (the dumps are `application/gzip` files, see `model.catalogue`). Every answer of a
compressible type says `Vary: Accept-Encoding`, merged into its `Vary`.

Validators stay exact: the gzip answer's ETag is the identity answer's with `-gzip` before
its closing quote (as Apache's `mod_deflate`), and a condition naming that form is read as
naming the identity one by the routes (which make their tags from the dataset's version):
`If-None-Match: "t-gzip"` gives a 304 that says `ETag: "t-gzip"` again, and `If-Match` of a
write accepts either form (both name the same state). A HEAD answers the headers of the GET
(it is run as one, its body dropped by the server). An answer sent in pieces is compressed
as it goes; a large whole one is compressed off the event loop.
"""

from __future__ import annotations

import asyncio
import zlib
from functools import lru_cache

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .remembered import remembered

LEVEL = 4  # 2.3x the speed of zlib's default 6, answers 7% larger (a Turtle of 2 MB)
# a body larger than this is compressed in a thread (zlib lets go of the GIL)
IN_THREAD = 256 * 1024
SUFFIX = b'-gzip"'
NOT_CODED = (204, 206, 304)
Headers = list[tuple[bytes, bytes]]

TEXTUAL = frozenset(
    (
        b"application/json",
        b"application/xml",
        b"application/javascript",
        b"application/n-triples",
        b"application/n-quads",
        b"application/trig",
        b"application/rdf-patch",
        b"application/link-format",
        b"application/x-ndjson",
    )
)


@lru_cache(maxsize=64)
def compressible(content_type: bytes) -> bool:
    """Whether a media type is text that gzip makes smaller: `text/*` (but an event stream,
    which must reach the client as written), JSON, XML and the RDF syntaxes."""
    kind = content_type.split(b";", 1)[0].strip().lower()
    if kind.startswith(b"text/"):
        return kind != b"text/event-stream"
    return kind in TEXTUAL or kind.endswith((b"+json", b"+xml"))


def _weight(text: str) -> float | None:
    try:
        q = float(text)
    except ValueError:
        return None
    return min(max(q, 0.0), 1.0) if q == q else None


@remembered(maxsize=64, largest=512)
def accepts_gzip(header: str) -> bool:
    """Whether an `Accept-Encoding` takes gzip (RFC 9110 12.5.3): named (or `x-gzip`), else
    by `*`, with a q above 0, and not below an `identity` it names (a member whose q cannot be
    read is left out). An empty header asks for no coding."""
    weights: dict[str, float] = {}
    for member in header.split(","):
        name, *parameters = member.split(";")
        q: float | None = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                q = _weight(value.strip())
        if q is not None and name.strip():
            weights.setdefault(name.strip().lower(), q)
    star = weights.get("*")
    gzip = weights.get("gzip", weights.get("x-gzip", star or 0.0))
    identity = weights.get("identity", star)
    return gzip > 0 and (identity is None or gzip >= identity)


def gzip_tag(tag: bytes) -> bytes:
    """The gzip answer's entity tag: `"t"` -> `"t-gzip"`, `W/"t"` -> `W/"t-gzip"`."""
    return tag[:-1] + SUFFIX if tag.endswith(b'"') else tag


def _identity_tags(header: bytes) -> tuple[bytes, set[bytes]]:
    """A condition's tags with each gzip form read as its identity form, and the identity
    forms of those that were gzip forms (strong, `W/` taken off)."""
    tags, named = [], set()
    for tag in header.split(b","):
        tag = tag.strip()
        if tag.endswith(SUFFIX):
            tag = tag[: -len(SUFFIX)] + b'"'
            named.add(tag.removeprefix(b"W/"))
        tags.append(tag)
    return b", ".join(tags), named


def with_vary(headers: Headers) -> Headers:
    """`headers` with `Accept-Encoding` in their `Vary` (added to the one there, never twice).
    Header names are lower case, as ASGI has them (Starlette writes them so)."""
    for index, (name, value) in enumerate(headers):
        if name == b"vary":
            if b"accept-encoding" in value.lower() or value.strip() == b"*":
                return headers
            merged = list(headers)
            merged[index] = (name, value + b", Accept-Encoding")
            return merged
    return [*headers, (b"vary", b"Accept-Encoding")]


def _header(headers: Headers, wanted: bytes) -> bytes | None:
    return next((v for k, v in headers if k == wanted), None)


def _codable(message: Message) -> bool:
    """Whether an answer's encoding depends on `Accept-Encoding`: textual, not coded yet."""
    status = message["status"]
    if status < 200 or status in NOT_CODED:
        return False
    kind = None
    for name, value in message.get("headers", ()):
        if name == b"content-type":
            kind = value
        elif name == b"content-encoding":
            return False
    return kind is not None and compressible(kind)


READ = frozenset((b"accept-encoding", b"if-none-match", b"if-match", b"range"))


class _Request:
    """What of a request's headers compression reads, in one pass over them."""

    __slots__ = ("gzip", "if_match", "none_match")

    def __init__(self, headers: Headers) -> None:
        found = {name: value for name, value in headers if name in READ}
        encoding = found.get(b"accept-encoding")
        self.none_match, self.if_match = found.get(b"if-none-match"), found.get(b"if-match")
        # a range is of the identity answer: its request is answered as one that takes no gzip
        self.gzip = (
            encoding is not None
            and b"range" not in found
            and accepts_gzip(encoding.decode("latin-1"))
        )


class Compression:
    """gzip for the answers and requests that take it; see the module's description."""

    def __init__(self, app: ASGIApp, minimum: int = 1024) -> None:
        self.app, self.minimum = app, minimum

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asked = _Request(scope["headers"])
        named: set[bytes] = set()
        if asked.if_match is not None or asked.none_match is not None:
            scope, named = _conditions_read(scope, asked)
        if not asked.gzip:
            await self.app(scope, receive, _varied(send))
            return
        if scope["method"] == "HEAD":  # the GET's headers; the server sends no body
            scope = dict(scope, method="GET")
        await self.app(scope, receive, _Compressing(send, self.minimum, named).send)


def _conditions_read(scope: Scope, asked: _Request) -> tuple[Scope, set[bytes]]:
    """The scope with the gzip forms of the conditions' tags read as identity ones (those of
    If-None-Match only when gzip is taken: otherwise the gzip answer is not the one that
    would be sent), and the tags If-None-Match named in their gzip form."""
    named: set[bytes] = set()
    rewritten: dict[bytes, bytes] = {}
    if asked.if_match is not None and SUFFIX in asked.if_match:
        rewritten[b"if-match"] = _identity_tags(asked.if_match)[0]
    if asked.gzip and asked.none_match is not None and SUFFIX in asked.none_match:
        rewritten[b"if-none-match"], named = _identity_tags(asked.none_match)
    if not rewritten:
        return scope, named
    headers = [(k, rewritten.get(k, v)) for k, v in scope["headers"]]
    return dict(scope, headers=headers), named


def _varied(send: Send) -> Send:
    """`send`, with `Vary: Accept-Encoding` on the answers whose encoding depends on it."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and (
            message["status"] == 304 or _codable(message)
        ):
            message = {**message, "headers": with_vary(message.get("headers", []))}
        await send(message)

    return sending


async def _compressed(body: bytes, coder: zlib._Compress, last: bool) -> bytes:
    """`body` through `coder` (and its end, when `last`), off the event loop when large."""

    def run() -> bytes:
        return coder.compress(body) + coder.flush() if last else coder.compress(body)

    return await asyncio.to_thread(run) if len(body) > IN_THREAD else run()


class _Compressing:
    """A `send` that compresses the answer when it is one to compress (`_codable`, large
    enough): whole when it comes in one piece, else piece by piece."""

    def __init__(self, send: Send, minimum: int, named: set[bytes]) -> None:
        self.next, self.minimum, self.named = send, minimum, named
        self.start: Message | None = None  # held until the body's first piece
        self.coder: zlib._Compress | None = None  # while compressing a body sent in pieces

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            await self._started(message)
        elif kind == "http.response.body" and self.start is not None:
            start, self.start = self.start, None
            await self._first(start, message)
        elif kind == "http.response.body" and self.coder is not None:
            await self._piece(message)
        else:
            await self.next(message)

    async def _started(self, message: Message) -> None:
        if message["status"] == 304:
            await self.next(self._not_modified(message))
            return
        if not _codable(message):
            await self.next(message)
            return
        length = _header(message.get("headers", []), b"content-length")
        if length is not None and length.isdigit() and int(length) < self.minimum:
            await self.next({**message, "headers": with_vary(message["headers"])})
            return
        self.start = message

    def _not_modified(self, message: Message) -> Message:
        """A 304, naming the gzip answer when the condition named it (`_conditions_read`)."""
        headers = with_vary(message.get("headers", []))
        tag = _header(headers, b"etag")
        if tag is not None and tag.removeprefix(b"W/") in self.named:
            headers = [(k, gzip_tag(v) if k == b"etag" else v) for k, v in headers]
        return {**message, "headers": headers}

    async def _first(self, start: Message, message: Message) -> None:
        body, more = message.get("body", b""), message.get("more_body", False)
        if not more and (len(body) < self.minimum or not body):
            await self.next({**start, "headers": with_vary(start["headers"])})
            await self.next(message)
            return
        self.coder = zlib.compressobj(LEVEL, zlib.DEFLATED, 31)  # 31: the gzip wrapper
        coded = await _compressed(body, self.coder, last=not more)
        await self.next({**start, "headers": _coded_headers(start["headers"], coded, more)})
        await self.next({"type": "http.response.body", "body": coded, "more_body": more})

    async def _piece(self, message: Message) -> None:
        assert self.coder is not None
        more = message.get("more_body", False)
        coded = await _compressed(message.get("body", b""), self.coder, last=not more)
        if coded or not more:
            await self.next({"type": "http.response.body", "body": coded, "more_body": more})


DROPPED = (b"content-length", b"accept-ranges")  # the ranges are of the identity answer


def _coded_headers(headers: Headers, body: bytes, more: bool) -> Headers:
    """The headers of the gzip answer: its ETag, its coding and, when whole, its length."""
    coded = [(k, gzip_tag(v) if k == b"etag" else v) for k, v in headers if k not in DROPPED]
    coded.append((b"content-encoding", b"gzip"))
    if not more:
        coded.append((b"content-length", b"%d" % len(body)))
    return with_vary(coded)
