"""Exact answers kept per dataset version: a request that comes again is answered from memory.

The dataset changes only on an accepted write, and every write moves its version. An answer
that carries an ETag made from that version (see `caching.validators`: the SPARQL endpoint,
named queries, `/doc`, the pages) is a function of the version and of the request, so it is
kept under both, and given again to the same request at the same version: never a stale
answer. The request is normalised: the same query sent by GET, by a POST form or as an
`application/sparql-query` body is one request, its parameters in any order (the parameters
of the last 256 requests of at most 16 KiB are remembered: decoding them is most of the cost
of a key). What else can change an answer is part of the key: the path, `Accept`,
`Accept-Language`, `Accept-Encoding` (the answer kept is as sent: gzip-compressed for a
request that takes gzip, see `compression`), the host.

An answer is kept only when no write was committed while it was made, and only for reads
without credentials; a conditional request goes on to the route (it answers 304 cheaply).
The answers of the version before are dropped at the first request after a write. Memory is
bounded (`Settings.answer_cache`, least recently used answers go first; 0: off); remote-store
mode keeps nothing, since another server may change the store.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import HttpError
from .remembered import remembered
from .sparql_protocol import FORM, QUERY, form_fields, media_type, parse, url_fields

Key = tuple[str, ...]
# the request headers an answer may vary on (its `Vary`), all part of the key
VARY = (b"accept", b"accept-language", b"accept-datetime", b"accept-encoding", b"host")
# requests that go on to the route unkept: credentials, conditions
PASSED_ON = (
    b"authorization",
    b"if-none-match",
    b"if-modified-since",
    b"if-match",
    b"if-unmodified-since",
    b"cookie",
)
ENTRY_OVERHEAD = 400  # bytes of bookkeeping an entry costs besides its body and headers


@dataclass(frozen=True)
class Kept:
    """A whole answer: its status, its headers and its body."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + ENTRY_OVERHEAD

    async def send(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})


class AnswerCache:
    """The answers of one dataset version, least recently used first, within `capacity`
    bytes; an answer larger than an eighth of it is not kept."""

    def __init__(self, capacity: int):
        self.capacity, self.largest = capacity, capacity // 8
        self.version: str | None = None
        self.answers: OrderedDict[Key, Kept] = OrderedDict()
        self.size = 0
        self.hits = self.stored = 0  # answers given from memory; answers kept

    def get(self, version: str, key: Key) -> Kept | None:
        self._at(version)
        kept = self.answers.get(key)
        if kept is None:
            return None
        self.hits += 1
        self.answers.move_to_end(key)
        return kept

    def peek(self, version: str, key: Key) -> Kept | None:
        """The answer kept for `key` at `version`, not counted as a hit nor as a use."""
        return self.answers.get(key) if version == self.version else None

    def put(self, version: str, key: Key, kept: Kept) -> None:
        self._at(version)
        if kept.size > self.largest or key in self.answers:
            return
        self.answers[key] = kept
        self.size += kept.size
        self.stored += 1
        while self.size > self.capacity:
            self.size -= self.answers.popitem(last=False)[1].size

    def forget(self) -> None:
        """Drop every answer: something besides the dataset changed them (the event stream's
        pages, made anew when found damaged)."""
        self.version, self.size = None, 0
        self.answers.clear()

    def _at(self, version: str) -> None:
        """Forget the answers of another version (they can never be asked for again)."""
        if version != self.version:
            self.version, self.size = version, 0
            self.answers.clear()


def _header(scope: Scope, name: bytes) -> str:
    return next((v.decode("latin-1") for k, v in scope["headers"] if k == name), "")


def _passed_on(scope: Scope) -> bool:
    return any(name in PASSED_ON for name, _ in scope["headers"])


def _query_body(scope: Scope, limit: int) -> bool:
    """Whether a POST may be a query, with a body small enough to read here (an update, or a
    body too large, goes on unread: the route checks the token and the size first)."""
    kind, _ = media_type(_header(scope, b"content-type"))
    length = _header(scope, b"content-length")
    return kind in (FORM, QUERY) and length.isdigit() and int(length) <= limit


def request_key(scope: Scope, body: bytes) -> Key | None:
    """The normalised request, or None for one whose answer is not kept (an update, a write,
    a body that is not a query, one the route refuses for its Content-Type sent twice)."""
    headers = dict(reversed(scope["headers"]))  # (the first of a repeated header)
    if scope["method"] == "POST" and [k for k, _ in scope["headers"]].count(b"content-type") > 1:
        return None
    content_type = headers.get(b"content-type", b"").decode("latin-1")
    parameters = _parameters(
        scope["method"], scope["path"], scope["query_string"], body, content_type
    )
    if parameters is None:
        return None
    vary = tuple(headers.get(name, b"").decode("latin-1") for name in VARY)
    return (scope.get("scheme", "http"), scope["path"], *vary, *parameters)


@remembered(maxsize=256)
def _parameters(
    method: str, path: str, query_string: bytes, body: bytes, content_type: str
) -> tuple[str, ...] | None:
    """The request's parameters, sorted, as `name=value` (None: not a read, or a request the
    route refuses, which says why); remembered for requests that come again (URL-decoding was
    a fifth of the time of an answer from memory)."""
    if method not in ("GET", "HEAD") and (method, path) != ("POST", "/sparql"):
        return None
    try:
        params = url_fields(query_string)
        if path == "/sparql" and parse(method, params, content_type, body).kind == "update":
            return None
    except HttpError:
        return None
    if method == "POST":
        if media_type(content_type)[0] == FORM:
            params += form_fields(body)
        else:  # a query (the protocol's parse took no other type)
            params.append(("query", body.decode("utf-8")))
    return tuple(f"{name}={value}" for name, value in sorted(params))


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the body already read, then what the client sends next."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


class _Recorder:
    """Passes an answer on to the client and keeps a copy while it may be kept."""

    def __init__(self, send: Send, largest: int):
        self.send, self.largest = send, largest
        self.status, self.headers = 0, []
        self.chunks: list[bytes] | None = []
        self.length = 0

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status, self.headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body" and self.chunks is not None:
            chunk = message.get("body", b"")
            self.length += len(chunk)
            self.chunks.append(chunk)
            if self.length > self.largest:
                self.chunks = None  # too large to keep: only passed on
        await self.send(message)

    def kept(self) -> Kept | None:
        """The answer, when it is one to keep: a whole 200 with a version's ETag."""
        names = {name.lower() for name, _ in self.headers}
        if self.status != 200 or self.chunks is None or b"etag" not in names:
            return None
        if not _varies_on_key(self.headers):  # another request header chose this answer
            return None
        return Kept(self.status, self.headers, b"".join(self.chunks))


def _varies_on_key(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether every request header the answer's `Vary` names is part of the key."""
    named = b",".join(value for name, value in headers if name.lower() == b"vary")
    return all(h.strip().lower() in VARY for h in named.split(b",") if h.strip())


class CachedAnswers:
    """ASGI middleware: answers a request from the app's `Services.answers` when the same
    request was answered at the dataset's current version."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _passed_on(scope):
            await self.app(scope, receive, send)
            return
        svc = scope["app"].state.services
        cache, data = svc.answers, svc.data
        if not cache.capacity:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "POST" and not _query_body(scope, svc.settings.max_body_bytes):
            await self.app(scope, receive, send)
            return
        version = data.version
        body = await _body(receive) if scope["method"] == "POST" else b""
        key = request_key(scope, body)
        kept = None if key is None else cache.get(version, key)
        if kept is not None:
            svc.lane.mark(scope, version, key)
            await kept.send(send)
            return
        recorder = _Recorder(send, cache.largest)
        await self.app(scope, _replay(body, receive), recorder)
        answer = recorder.kept()
        # Kept only if no write was committed meanwhile. An answer never misses a write
        # committed before its version was read (the query worker is sent each write before
        # the version moves), but it may hold one committed since: kept, it would be a second
        # body under the version's ETag.
        if key is not None and answer is not None and data.version == version:
            cache.put(version, key, answer)
            svc.lane.mark(scope, version, key)
