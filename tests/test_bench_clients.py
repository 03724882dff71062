"""The benchmark's clients send what they should and read what comes back.

The lean HTTP client (`bench/wire.py`) reads every answer whole, however the server writes
it: split anywhere, chunked with trailers, several answers in one write, or a body that runs
to the end of the connection (against a real socket server that writes canned answers in the
pieces given, and against the product's real server). wrk's passes (`bench/wrk.py`) send the
mix with a unique text per request in mode cold and the same texts in mode repeated, as the
product's answer cache counts them (wrk is installed by `make test`'s system packages).
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from urllib.parse import quote_plus

import httpx
import pytest
from conftest import running_server
from server import Server

from bench import wire, wrk
from bench.load import Bounds, Texts, load_queries
from srg_graph.config import Settings
from srg_graph.validation.report import Report

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: Text/Turtle\r\n"
SIZED = HEAD + b"Content-Length: 5\r\n\r\nhello"
CHUNKED = HEAD + b"Transfer-Encoding: chunked\r\n\r\n3;x=1\r\nhel\r\n2\r\nlo\r\n0\r\nT: 1\r\n\r\n"
TO_THE_END = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n\r\nhello"
REQUEST = b"GET / HTTP/1.1\r\nHost: wire\r\n\r\n"


def cut(data: bytes, size: int) -> list[bytes]:
    return [data[at : at + size] for at in range(0, len(data), size)]


def canned(writes: list[list[bytes]]) -> wire.Target:
    """A server for one connection: for each request it reads, the next answer's pieces,
    each its own TCP segment; it closes the connection after the last."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        connection, _ = listener.accept()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with connection, listener:
            for pieces in writes:
                connection.recv(1 << 16)
                for piece in pieces:
                    connection.sendall(piece)
                    time.sleep(0.002)

    threading.Thread(target=serve, daemon=True).start()
    return wire.Target("127.0.0.1", listener.getsockname()[1], "/")


@pytest.mark.parametrize("size", [1, 7, 64, 1 << 16])
def test_answers_split_anywhere_are_read_whole(size: int) -> None:
    connection = wire.Connection(canned([cut(SIZED, size), cut(CHUNKED, size)]), 10)
    sized, chunked = connection.send(REQUEST), connection.send(REQUEST)
    assert (sized.status, sized.content_type, sized.body) == (200, "Text/Turtle", b"hello")
    assert (chunked.status, chunked.content_type, chunked.body) == (200, "Text/Turtle", b"hello")


def test_what_follows_an_answer_is_the_next_answer() -> None:
    """Two answers in one write (the second a chunked one): each request gets its own."""
    connection = wire.Connection(canned([[SIZED + CHUNKED + SIZED], []]), 10)
    assert [connection.send(REQUEST).body for _ in range(3)] == [b"hello"] * 3


def test_a_body_without_length_runs_to_the_close() -> None:
    connection = wire.Connection(canned([cut(TO_THE_END, 9)]), 10)
    answer = connection.send(REQUEST)
    assert (answer.status, answer.body) == (404, b"hello")
    assert connection.sock is None  # closed; the next request opens a new connection


def test_a_large_body_from_the_server_is_read_whole(server: Server) -> None:
    """A CONSTRUCT of the whole seed (hundreds of KB) from the real server, as httpx reads it."""
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    body = b"query=" + quote_plus(query).encode()
    target = wire.target(f"{server.url}/sparql")
    connection = wire.Connection(target, 30)
    answers = [connection.send(wire.request(target, body, "application/n-triples"))]
    answers.append(connection.send(wire.request(target, body, "application/n-triples")))
    expected = httpx.post(
        f"{server.url}/sparql", data={"query": query}, headers={"Accept": "application/n-triples"}
    )
    assert len(expected.content) > 100_000
    assert [a.body for a in answers] == [expected.content] * 2
    assert answers[0].content_type == expected.headers["content-type"]


def answer_cache(server: Server) -> dict[str, int]:
    return httpx.get(f"{server.url}/health").json()["answer_cache"]


@pytest.mark.skipif(wrk.available() is not None, reason=str(wrk.available()))
def test_wrk_sends_the_mix_cold_and_repeated(
    settings: Settings, seed_report: Report, tmp_path: Path
) -> None:
    """Cold: every answer a new one the cache keeps (no hit), in a second pass too;
    repeated: all but each connection's first mix are hits. Every answer 200 (wrk counts
    any other status)."""
    queries = load_queries()
    mix = wrk.mix_file(queries, tmp_path)
    with running_server(settings, seed_report, tmp_path / "store") as server:
        texts = Texts(f"{server.url}/sparql", queries)
        before = answer_cache(server)
        cold = wrk.wrk_pass(texts, mix, "cold", 2, Bounds(1.0, 60.0))
        cold.merge(wrk.wrk_pass(texts, mix, "cold", 2, Bounds(1.0, 60.0)))  # new texts again
        after_cold = answer_cache(server)
        repeated = wrk.wrk_pass(texts, mix, "repeated", 2, Bounds(1.0, 60.0))
        after = answer_cache(server)
    assert cold.failures == {} and repeated.failures == {}
    assert cold.answers > len(queries) and repeated.answers > 4 * len(queries)
    assert after_cold["hits"] == before["hits"]
    assert after_cold["stored"] - before["stored"] >= cold.answers
    assert after["hits"] - after_cold["hits"] >= repeated.answers - 2 * len(queries)
