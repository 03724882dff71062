"""The answer lane (issue 18): a request that comes again, byte for byte, on an idle
connection, is answered by the HTTP protocol from the answer cache, before the application,
with the same headers and body as the application's answer and a current `Date`.

Through a real server and raw sockets, so that the bytes on the wire are what is checked;
`/health` counts the lane's answers (`direct`) among the cache's hits.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from conftest import TOKEN, running_server
from server import REMOTE, Server

from srg_graph.config import Settings
from srg_graph.validation.report import Report

pytestmark = pytest.mark.skipif(REMOTE, reason="remote-store mode keeps no answers")

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:test:lane> { ?s ?p ?o } }"
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def served(
    settings: Settings, seed_report: Report, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with running_server(settings, seed_report, tmp_path_factory.mktemp("lane")) as running:
        yield running


def request(query: str, method: str = "POST", *headers: str) -> bytes:
    """One whole HTTP/1.1 request for `query` (a form POST, or a GET/HEAD with it in the URL)."""
    form = b"query=" + quote(query).encode()
    extra = "".join(f"{h}\r\n" for h in headers).encode()
    if method == "POST":
        head = b"POST /sparql HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        head += b"Content-Length: %d\r\n" % len(form)
        return head + b"Host: lane\r\nAccept: %s\r\n%s\r\n%s" % (JSON.encode(), extra, form)
    return b"%s /sparql?%s HTTP/1.1\r\nHost: lane\r\nAccept: %s\r\n%s\r\n" % (
        method.encode(),
        form,
        JSON.encode(),
        extra,
    )


class Wire:
    """A keep-alive connection that sends raw bytes and reads whole answers."""

    def __init__(self, server: Server, source: str = "127.0.0.1"):
        port = int(server.url.rsplit(":", 1)[1])
        self.sock = socket.create_connection(("127.0.0.1", port), 30, (source, 0))
        self.buffer = b""

    def send(self, *parts: bytes, pause: float = 0.0) -> None:
        for part in parts:
            self.sock.sendall(part)
            time.sleep(pause)

    def answer(self, head_only: bool = False) -> tuple[str, dict[str, str], bytes]:
        """The next answer: its status line, headers (the last of a name) and body."""
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status, *lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
        length = 0 if head_only else int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self._read()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return status, headers, body

    def _read(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        self.buffer += chunk

    def closed(self) -> bool:
        self.sock.settimeout(10)
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()


def direct(server: Server) -> int:
    with server.client() as http:
        return http.get("/health").json()["answer_cache"]["direct"]


def asked(wire: Wire, raw: bytes) -> tuple[str, dict[str, str], bytes]:
    wire.send(raw)
    return wire.answer(head_only=raw.startswith(b"HEAD"))


def test_the_same_bytes_again_are_answered_by_the_lane_as_by_the_application(
    served: Server,
) -> None:
    raw = request(COUNT + " # same bytes")
    wire = Wire(served)
    first = asked(wire, raw)
    before = direct(served)
    time.sleep(1.1)  # the next second: the lane's `Date` must be the server's current one
    again = [asked(wire, raw) for _ in range(3)]
    wire.close()
    assert direct(served) - before == 3
    assert first[0] == "HTTP/1.1 200 OK"
    for status, headers, body in again:
        assert (status, body) == (first[0], first[2])
        assert {k: v for k, v in headers.items() if k != "date"} == {
            k: v for k, v in first[1].items() if k != "date"
        }
    assert again[0][1]["date"] != first[1]["date"]


def test_after_a_write_the_same_bytes_get_the_new_answer(served: Server) -> None:
    raw = request(COUNT)
    wire = Wire(served)
    counts = []
    for subject in ("urn:test:lane:a", "urn:test:lane:b"):
        for _ in range(3):  # learned, then answered by the lane
            counts.append(json.loads(asked(wire, raw)[2])["results"]["bindings"][0]["n"]["value"])
        update = f"INSERT DATA {{ GRAPH <urn:test:lane> {{ <{subject}> <urn:test:p> 1 }} }}"
        with served.client() as http:
            written = http.post(
                "/sparql", data={"update": update}, headers={"authorization": f"Bearer {TOKEN}"}
            )
        assert written.status_code == 204, written.text
    after = json.loads(asked(wire, raw)[2])["results"]["bindings"][0]["n"]["value"]
    wire.close()
    start = int(counts[0])
    assert counts == [str(start)] * 3 + [str(start + 1)] * 3
    assert after == str(start + 2)


def test_head_gets_the_headers_without_the_body(served: Server) -> None:
    query = COUNT + " # head"
    wire = Wire(served)
    got = asked(wire, request(query, "GET"))
    before = direct(served)
    heads = [asked(wire, request(query, "HEAD")) for _ in range(3)]
    follow = asked(wire, request(query, "GET"))  # nothing of a body was left on the wire
    wire.close()
    assert direct(served) - before >= 2  # the first HEAD teaches the lane its bytes
    for status, headers, body in heads:
        assert status == "HTTP/1.1 200 OK" and body == b""
        assert headers["content-length"] == got[1]["content-length"]
    assert follow[2] == got[2]


def test_two_requests_in_one_read_and_one_in_two_reads_are_answered_in_order(
    served: Server,
) -> None:
    one, two = request(COUNT + " # one"), request(COUNT + " LIMIT 1 # two", "GET")
    wire = Wire(served)
    alone = [asked(wire, one)[2], asked(wire, two)[2]]  # both now known to the lane
    wire.send(one + two)
    pipelined = [wire.answer()[2], wire.answer()[2]]
    wire.send(one[:20], one[20:], pause=0.05)
    split = wire.answer()[2]
    wire.send(one + two[:10], two[10:], pause=0.05)
    mixed = [wire.answer()[2], wire.answer()[2]]
    wire.close()
    assert pipelined == alone and mixed == alone and split == alone[0]


def test_a_request_with_an_origin_keeps_its_cors_headers(served: Server) -> None:
    raw = request(COUNT + " # origin", "POST", "Origin: https://example.org")
    wire = Wire(served)
    answers = [asked(wire, raw)]
    before = direct(served)
    answers += [asked(wire, raw) for _ in range(3)]
    wire.close()
    assert direct(served) - before == 3
    assert all(h.get("access-control-allow-origin") == "*" for _, h, _ in answers)
    assert all("Origin" in h["vary"] for _, h, _ in answers)


def test_connection_close_is_honoured(served: Server) -> None:
    raw = request(COUNT + " # close", "POST", "Connection: close")
    for _ in range(2):
        wire = Wire(served)
        status, headers, _ = asked(wire, raw)
        assert status == "HTTP/1.1 200 OK" and headers["connection"] == "close"
        assert wire.closed()
        wire.close()


def test_another_peer_goes_the_whole_way_and_is_logged_as_itself(served: Server) -> None:
    raw = request(COUNT + " # peer")
    here = Wire(served)
    asked(here, raw)
    asked(here, raw)
    before = direct(served)
    there = Wire(served, source="127.0.0.2")
    answer = asked(there, raw)
    there.close()
    here.close()
    assert answer[0] == "HTTP/1.1 200 OK"
    assert direct(served) == before
    lines = [json.loads(line) for line in served.log if line.startswith("{")]
    assert any(line["client"] == "127.0.0.2" for line in lines)


def test_the_lane_logs_each_answer(served: Server) -> None:
    raw = request(COUNT + " # logged", "GET")
    wire = Wire(served)
    for _ in range(4):
        asked(wire, raw)
    wire.close()
    time.sleep(0.5)  # the log is read from the server's output by a thread
    lines = [json.loads(line) for line in served.log if line.startswith("{")]
    gets = [line for line in lines if line["method"] == "GET" and line["path"] == "/sparql"]
    assert len(gets) >= 4 and all(line["status"] == 200 for line in gets[-4:])
