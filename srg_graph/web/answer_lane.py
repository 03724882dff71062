"""Answers from memory written back by the HTTP protocol itself, before the application.

An answer from memory (`answer_cache`) still takes a request's whole way through the ASGI
stack: the scope, the middleware, the cache's key. At the seed's size that way is most of
the time of a repeated query. So the HTTP protocol (`http_protocol.LaneProtocol`) hands the
application the raw bytes of a request that came in one read on an idle connection, and
keeps a copy of what it writes back; when the cache's middleware answered that request from
memory or kept its answer, it marks the request with its key, and once the answer is written
the lane learns the bytes, with the headers as written (those of the middleware outside the
cache included). The same bytes again on an idle connection, at the same dataset version,
are answered at once: those headers after the server's current `Date`, and the body from the
cache (an answer it no longer keeps goes the whole way). The access log gets its line.

Only requests whose answer depends on nothing but their bytes are learned: those the cache
keeps answers for (no credentials, no conditions; see `answer_cache`), on an HTTP/1.1
connection kept alive (the headers of the middleware outside the cache, CORS's, depend on the
request's bytes alone, and are written as they were); and they are answered only to a
connection from the same address (proxy headers are read against it). What was learned at
a dataset version answers nothing once the version moved: never a stale answer.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .access_log import line_around
from .answer_cache import AnswerCache, Kept, Key

LANE_STATE = "answer_lane"  # the lifespan state's name of the lane
RAW_REQUEST = "srg.raw_request"  # the scope's extension: (the request's bytes, the peer's host)
MARKED = "srg.answer_key"  # the scope's extension: (dataset version, the cache's key)
WRITTEN = "srg.written"  # the scope's extension: (the answer's written pieces, server headers)
LARGEST_REQUEST = 16 * 1024
STATUS_LINE = b"HTTP/1.1 200 OK\r\n"
Headers = list[tuple[bytes, bytes]]


def server_head(server: Headers) -> bytes:
    """The headers the server writes before the application's (`Date`, `Server`)."""
    return b"".join(b"%s: %s\r\n" % header for header in server)


@dataclass(frozen=True)
class Learned:
    """What a request's bytes stand for: its answer's key and version, the headers written
    after the server's own, and the access log's line."""

    key: Key
    version: str
    kept: weakref.ref[Kept]  # the answer learned: one kept again later may differ
    headers: bytes
    head: bool
    peer: str
    line: tuple[str, str]  # the access log's line, around its milliseconds


class AnswerLane:
    """The raw bytes of the last `size` requests learned, and their answers' keys."""

    def __init__(self, cache: AnswerCache, version: Callable[[], str], size: int = 256):
        self.cache, self.version, self.size = cache, version, size
        self.requests: OrderedDict[bytes, Learned] = OrderedDict()
        self.hits = 0  # answers written by the protocol

    def mark(self, scope: dict[str, Any], version: str, key: Key) -> None:
        """Say that the request of `scope` is answered with the cache's answer `key`."""
        extensions = scope.get("extensions")
        if extensions is not None and RAW_REQUEST in extensions and _kept_alive(scope):
            extensions[MARKED] = (version, key)
            self._learn(scope, extensions)

    def written(self, scope: dict[str, Any], pieces: list[bytes], server: Headers) -> None:
        """Say that the answer to the request of `scope` was written in `pieces`, after the
        server's headers `server` (the cache's middleware may mark it before or after; they
        are joined only for a request it marks)."""
        extensions = scope.get("extensions")
        if extensions is not None:
            extensions[WRITTEN] = (pieces, server)
            self._learn(scope, extensions)

    def _learn(self, scope: dict[str, Any], extensions: dict[str, Any]) -> None:
        """Learn a request marked and written, when what was written is the status line, the
        server's headers, the answer's headers and the kept body (none for HEAD)."""
        if MARKED not in extensions or WRITTEN not in extensions:
            return
        (raw, peer), (version, key) = extensions[RAW_REQUEST], extensions[MARKED]
        pieces, server = extensions[WRITTEN]
        kept = self.cache.peek(version, key)
        if kept is None or len(raw) > LARGEST_REQUEST:
            return
        written = b"".join(pieces)
        head = scope["method"] == "HEAD"
        body, start = b"" if head else kept.body, STATUS_LINE + server_head(server)
        headers = written[len(start) : len(written) - len(body)]
        if not (written.startswith(start) and written.endswith(body)):
            return
        if not headers.endswith(b"\r\n\r\n"):  # (a chunked or another answer)
            return
        client = scope.get("client")
        line = line_around(scope["method"], scope["path"], 200, client[0] if client else None)
        learned = Learned(key, version, weakref.ref(kept), headers, head, peer, line)
        self.requests[raw] = learned
        self.requests.move_to_end(raw)
        if len(self.requests) > self.size:
            self.requests.popitem(last=False)

    def answer(self, raw: bytes, peer: str, server: Headers) -> tuple[bytes, Learned] | None:
        """The whole HTTP answer to the request `raw` from `peer`, when it was learned at the
        current version and its answer is still kept; with what it learned."""
        learned = self.requests.get(raw)
        if learned is None or learned.peer != peer:
            return None
        version = self.version()
        if learned.version != version:
            return None
        kept = self.cache.peek(version, learned.key)
        if kept is None or kept is not learned.kept():
            return None
        self.cache.get(version, learned.key)  # a hit, and the answer's latest use
        self.hits += 1
        body = b"" if learned.head else kept.body
        return b"".join((STATUS_LINE, server_head(server), learned.headers, body)), learned


def _kept_alive(scope: dict[str, Any]) -> bool:
    """Whether the connection stays open after the answer (the lane never closes one)."""
    if scope.get("http_version") != "1.1":
        return False
    return not any(n == b"connection" and b"close" in v.lower() for n, v in scope["headers"])
