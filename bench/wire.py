"""A lean HTTP/1.1 client for the load driver: one keep-alive connection, requests made once.

A general client (httpx) spends a few hundred microseconds of Python per request on
headers, URL handling and its connection pool; against a server that answers thousands of
requests a second, the client would become what is measured. This one writes a request as
bytes prepared beforehand and reads just enough of the answer to find its end: the status
line, `Content-Length` or `Transfer-Encoding: chunked`, `Content-Type` and `Connection`.
Only loopback servers are spoken to (see `load.require_loopback`).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import quote_plus, urlsplit

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    path: str


def target(url: str) -> Target:
    parts = urlsplit(url)
    return Target(parts.hostname or "127.0.0.1", parts.port or 80, parts.path or "/")


def form_body(query: str) -> bytes:
    return b"query=" + quote_plus(query).encode("ascii")


def request(where: Target, body: bytes, accept: str) -> bytes:
    """A complete POST of a form body, as sent on the wire."""
    head = (
        f"POST {where.path} HTTP/1.1\r\nHost: {where.host}:{where.port}\r\n"
        f"Accept: {accept}\r\nContent-Type: {FORM}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


class Response(NamedTuple):
    """An answer: its status, head (the status line and headers, as sent) and body. (A
    tuple: a frozen dataclass cost the client a microsecond an answer.)"""

    status: int
    head: bytes
    body: bytes

    @property
    def content_type(self) -> str:
        value = _field(self.head.lower(), CONTENT_TYPE, self.head) or b""
        return value.decode("latin-1")


class Connection:
    """One keep-alive connection, opened again when the server closed it or a request
    failed half-way (a time-out leaves the old answer on the wire).

    An answer is read with as few `recv`s as it takes (one holds all of a small one) and its
    head searched, not read line by line: the client's own Python per request is then a few
    microseconds, below what either server needs (`ceiling.py` measures it)."""

    def __init__(self, where: Target, timeout: float):
        self.where, self.timeout = where, timeout
        self.sock: socket.socket | None = None
        self.pending = b""  # what came after the last answer

    def _open(self) -> None:
        sock = socket.create_connection((self.where.host, self.where.port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self.pending = sock, b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None

    def send(self, raw: bytes) -> Response:
        """Send one request and read its whole answer; `OSError` (a time-out too) when none
        came back, the connection then closed."""
        try:
            if self.sock is None:
                self._open()
            self.sock.sendall(raw)
            return self._response()
        except (OSError, ValueError):
            self.close()
            raise

    def _at_least(self, data: bytes, size: int) -> bytes:
        """`data` and what the server sends next, until it holds `size` bytes."""
        parts, have = [data], len(data)
        while have < size:
            more = self.sock.recv(1 << 16)
            if not more:
                raise ConnectionResetError("the server closed the connection")
            parts.append(more)
            have += len(more)
        return b"".join(parts)

    def _response(self) -> Response:
        data, self.pending = self.pending or self.sock.recv(1 << 16), b""
        if not data:
            raise ConnectionResetError("the server closed the connection")
        while (end := data.find(b"\r\n\r\n")) < 0:
            data = self._at_least(data, len(data) + 1)
        head, start = data[:end], end + 4
        lower = head.lower()
        length = _field(lower, CONTENT_LENGTH)
        close = CONNECTION in lower and b"close" in (_field(lower, CONNECTION) or b"")
        if length is None and b"chunked" in (_field(lower, TRANSFER_ENCODING) or b""):
            body = self._chunks(data, start)
        elif length is not None:
            stop = start + int(length)
            if len(data) < stop:
                data = self._at_least(data, stop)
            body, self.pending = data[start:stop], data[stop:]
        else:  # neither: the body runs to the end of the connection
            body, close = self._rest(data[start:]), True
        if close:
            self.close()
        return Response(int(head[9:12]), head, body)

    def _chunks(self, data: bytes, at: int) -> bytes:
        """The body of a chunked answer that begins at `at` of `data`; what follows it is
        kept for the next answer."""
        parts, data = [], data[at:]
        while True:
            while (end := data.find(b"\r\n")) < 0:
                data = self._at_least(data, len(data) + 1)
            size = int(data[:end].split(b";", 1)[0], 16)
            if size == 0:  # the trailers, if any, up to an empty line
                while (stop := data.find(b"\r\n\r\n", end)) < 0:
                    data = self._at_least(data, len(data) + 1)
                self.pending = data[stop + 4 :]
                return b"".join(parts)
            data = self._at_least(data, end + 2 + size + 2)
            parts.append(data[end + 2 : end + 2 + size])
            data = data[end + 2 + size + 2 :]

    def _rest(self, data: bytes) -> bytes:
        parts = [data]
        while more := self.sock.recv(1 << 16):
            parts.append(more)
        return b"".join(parts)


CONTENT_LENGTH, CONTENT_TYPE = b"\r\ncontent-length:", b"\r\ncontent-type:"
CONNECTION, TRANSFER_ENCODING = b"\r\nconnection:", b"\r\ntransfer-encoding:"


def _field(lower: bytes, needle: bytes, original: bytes | None = None) -> bytes | None:
    """The value of the header `needle` finds in a head (`lower`: the head lower-cased;
    `original`: the head as sent, when the value's case matters); None when it has none."""
    start = lower.find(needle)
    if start < 0:
        return None
    start += len(needle)
    end = lower.find(b"\r\n", start)
    return (original or lower)[start : end if end >= 0 else len(lower)].strip()
