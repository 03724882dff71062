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


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes


class Connection:
    """One keep-alive connection, opened again when the server closed it or a request
    failed half-way (a time-out leaves the old answer on the wire)."""

    def __init__(self, where: Target, timeout: float):
        self.where, self.timeout = where, timeout
        self.sock: socket.socket | None = None
        self.reader = None

    def _open(self) -> None:
        sock = socket.create_connection((self.where.host, self.where.port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self.reader = sock, sock.makefile("rb", buffering=1 << 16)

    def close(self) -> None:
        if self.sock is not None:
            self.reader.close()
            self.sock.close()
        self.sock = self.reader = None

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

    def _response(self) -> Response:
        reader = self.reader
        status_line = reader.readline()
        if not status_line:
            raise ConnectionResetError("the server closed the connection")
        status = int(status_line.split(None, 2)[1])
        length, chunked, content_type, close = -1, False, "", False
        while True:
            line = reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"content-type":
                content_type = value.strip().decode("latin-1")
            elif name == b"connection":
                close = b"close" in value.lower()
        if chunked:
            body = self._chunks()
        elif length >= 0:
            body = reader.read(length)
            if len(body) != length:
                raise ConnectionResetError("the answer ended before its Content-Length")
        else:  # neither: the body runs to the end of the connection
            body, close = reader.read(), True
        if close:
            self.close()
        return Response(status, content_type, body)

    def _chunks(self) -> bytes:
        reader, parts = self.reader, []
        while True:
            size = int(reader.readline().split(b";", 1)[0], 16)
            if size == 0:
                while reader.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            parts.append(reader.read(size))
            reader.readline()
