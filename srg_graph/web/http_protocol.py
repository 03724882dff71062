"""uvicorn's HTTP protocol (httptools), with the answer lane (`answer_lane`) in front.

A read that is one whole request on an idle connection is offered to the lane first. When
the lane does not know it, it is parsed as uvicorn always does, and the application gets the
read's bytes with the request (the scope's extension `answer_lane.RAW_REQUEST`); what is
written back is copied, for the lane to learn once the answer is complete. A read that holds
part of a request, or more than one, goes to uvicorn alone.

It also bounds a request's head, which neither uvicorn nor httptools does: a request line and
headers over `MAX_HEAD` bytes are refused with 431 as they arrive (a 20 MB header was read
into memory and answered), and a URL over what httptools can read, 414 saying to POST the
query (it was a bare "Invalid HTTP request received.").
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .access_log import log_line
from .answer_lane import LANE_STATE, RAW_REQUEST, AnswerLane, server_head

MAX_URL = 65_535  # httptools reads no longer URL
MAX_HEAD = 80 * 1024  # the request line and headers, bytes
# after a refusal, how long and how much of what the client still sends is read and dropped
LINGER_SECONDS = 2.0
LINGER_BYTES = 1024 * 1024
URL_TOO_LONG = (
    f"the URL is longer than {MAX_URL:,} characters: send the query in a POST body "
    "(Content-Type: application/sparql-query, or a form of application/x-www-form-urlencoded)"
)
HEAD_TOO_LARGE = (
    f"the request line and headers are longer than {MAX_HEAD:,} bytes: send fewer or shorter "
    "headers, and a long query in a POST body"
)


class _HeadTooLarge(Exception):
    """Raised in a parser callback: httptools stops, and uvicorn calls `send_400_response`."""


class _Copying:
    """A request's transport that keeps what is written to it (the pieces, not copied)."""

    def __init__(self, transport: asyncio.Transport, scope: dict[str, Any]) -> None:
        self.transport, self.scope = transport, scope
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)
        self.transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


class LaneProtocol(HttpToolsProtocol):
    """Answers what the lane knows before parsing; otherwise uvicorn's own protocol."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parsing = False  # between a request's first byte and its end
        self.begun = 0  # requests begun in the read being parsed
        self.copying: _Copying | None = None
        self.in_head = False  # between a request's first byte and the end of its headers
        self.head_bytes = 0  # bytes read while in its head
        self.head_too_large = False
        self.dropped: int | None = None  # bytes read and dropped since a refusal

    def data_received(self, data: bytes) -> None:
        if self.dropped is not None:
            self._drop(data)
            return
        lane: AnswerLane | None = self.app_state.get(LANE_STATE)
        idle = not self.parsing and (self.cycle is None or self.cycle.response_complete)
        # (a client that does not read its answers meets uvicorn's flow control)
        if lane is None or not idle or self.pipeline or self.flow.write_paused:
            self._parse(data)
            return
        peer = self.client[0] if self.client else ""
        if not self._answered(lane, data, peer):
            self.begun = 0
            self._parse(data)
            self._copy_if_whole(data, peer)

    def _parse(self, data: bytes) -> None:
        """uvicorn's parsing of `data`, refused once a head has grown over `MAX_HEAD`."""
        super().data_received(data)
        if self.in_head and self.dropped is None and not self.transport.is_closing():
            self.head_bytes += len(data)
            if self.head_bytes > MAX_HEAD:
                self._refuse(431, b"Request Header Fields Too Large", HEAD_TOO_LARGE)

    def _answered(self, lane: AnswerLane, data: bytes, peer: str) -> bool:
        """Whether the lane knew the request `data` and its answer is written."""
        started = time.perf_counter()
        answer = lane.answer(data, peer, self.server_state.default_headers)
        if answer is None:
            return False
        self._unset_keepalive_if_required()
        self.transport.write(answer[0])
        log_line(answer[1].line, started)
        self.on_response_complete()
        return True

    def _copy_if_whole(self, data: bytes, peer: str) -> None:
        """When the read `data` was exactly one request, whose task has not run yet: give its
        bytes to the application and copy its answer as written."""
        cycle = self.cycle
        if self.begun != 1 or self.parsing or cycle is None or cycle.response_started:
            return
        extensions = cycle.scope.setdefault("extensions", {})  # type: ignore[typeddict-item]
        extensions[RAW_REQUEST] = (data, peer)  # type: ignore[index]
        self.copying = _Copying(self.transport, cycle.scope)  # type: ignore[arg-type]
        cycle.transport = self.copying  # type: ignore[assignment]

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.parsing = self.in_head = True
        self.head_bytes = 0
        self.begun += 1

    def on_headers_complete(self) -> None:
        self.in_head = False
        # the read that ends a head is not counted in `head_bytes`: measure the head itself
        if self._head_size() > MAX_HEAD:
            self.head_too_large = True
            raise _HeadTooLarge
        super().on_headers_complete()

    def _head_size(self) -> int:
        """The bytes of the request line and headers just parsed (at least: no spaces)."""
        line = len(self.url) + len(b"GET  HTTP/1.1\r\n")
        return line + sum(len(name) + len(value) + 4 for name, value in self.headers) + 2

    def on_message_complete(self) -> None:
        self.parsing = False
        super().on_message_complete()

    def on_response_complete(self) -> None:
        copying, self.copying = self.copying, None
        lane: AnswerLane | None = self.app_state.get(LANE_STATE)
        if copying is not None and lane is not None:
            lane.written(copying.scope, copying.written, self.server_state.default_headers)
        super().on_response_complete()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request the parser refused; 414 for a URL it cannot read,
        431 for a head over `MAX_HEAD` that ended in the read that brought it over."""
        if len(getattr(self, "url", b"")) > MAX_URL:
            self._refuse(414, b"URI Too Long", URL_TOO_LONG)
        elif self.head_too_large:
            self._refuse(431, b"Request Header Fields Too Large", HEAD_TOO_LARGE)
        else:
            super().send_400_response(msg)

    def _refuse(self, status: int, reason: bytes, message: str) -> None:
        """Answer a request that cannot be read with `status` and `message`, and close."""
        body = message.encode("utf-8") + b"\n"
        head = b"HTTP/1.1 %d %s\r\n%scontent-type: text/plain; charset=utf-8\r\n" % (
            status,
            reason,
            server_head(self.server_state.default_headers),
        )
        tail = b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body)
        self.transport.write(head + tail + body)
        self._linger()

    def _linger(self) -> None:
        """Close once the client has read the answer: a socket closed with bytes of the
        request still unread makes the kernel reset the connection, and the client lose the
        answer. So the sending side is shut, and what still comes is read and dropped, for
        up to `LINGER_SECONDS` and `LINGER_BYTES`."""
        self.dropped = 0
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def _drop(self, data: bytes) -> None:
        """Drop `data`, sent after a refusal; close past `LINGER_BYTES`."""
        self.dropped = (self.dropped or 0) + len(data)
        if self.dropped > LINGER_BYTES:
            self.transport.close()
