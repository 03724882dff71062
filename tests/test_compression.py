"""gzip for the clients that accept it (`web/compression.py`): which answers are compressed,
their `Vary`, their ETags and conditions, HEAD, the answer cache and a write.

httpx decodes gzip itself, so the answers are read raw (`iter_raw`): what is checked is the
bytes on the wire, decoded here with the standard library.
"""

from __future__ import annotations

import gzip
import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from conftest import TOKEN, running_server
from server import REMOTE, Server

from srg_graph.config import Settings
from srg_graph.validation.report import Report
from srg_graph.web.compression import IN_THREAD

MANY = "SELECT * WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 300"
GRAPH_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 300"
SMALL = "ASK { }"
SELECT_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
GRAPH_TYPES = ["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"]
GZIP = {"accept-encoding": "gzip"}
IDENTITY = {"accept-encoding": "identity"}
BODY = "https://w3id.org/srg/id/body/smart-region-office"
TEST_GRAPH = "https://w3id.org/srg/graph/compression-test"


@pytest.fixture(scope="module")
def served(module_writable: Server) -> Server:
    return module_writable


@pytest.fixture(scope="module")
def http(served: Server) -> Iterator[httpx.Client]:
    with served.client() as client:
        yield client


def raw(http: httpx.Client, method: str, url: str, **kwargs: object) -> httpx.Response:
    """The answer with its body as sent (not decoded); `.content` holds those bytes."""
    with http.stream(method, url, **kwargs) as response:  # type: ignore[arg-type]
        response._content = b"".join(response.iter_raw())
    return response


def both(http: httpx.Client, url: str, **kwargs: object) -> tuple[httpx.Response, httpx.Response]:
    """The gzip and the identity answers to one GET."""
    headers = dict(kwargs.pop("headers", {}))  # type: ignore[call-overload]
    zipped = raw(http, "GET", url, headers={**headers, **GZIP}, **kwargs)
    plain = raw(http, "GET", url, headers={**headers, **IDENTITY}, **kwargs)
    return zipped, plain


def vary(response: httpx.Response) -> list[str]:
    values = ",".join(response.headers.get_list("vary"))
    return [v.strip().lower() for v in values.split(",") if v.strip()]


def check_compressed(zipped: httpx.Response, plain: httpx.Response) -> None:
    """The gzip answer decodes to the identity one, and says what it is."""
    assert zipped.status_code == plain.status_code == 200
    assert zipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content)
    if "content-length" in zipped.headers:
        assert int(zipped.headers["content-length"]) == len(zipped.content)
    assert zipped.headers["content-type"] == plain.headers["content-type"]
    for answer in (zipped, plain):
        assert vary(answer).count("accept-encoding") == 1


@pytest.mark.parametrize("media", SELECT_TYPES)
def test_select_results_compressed_in_every_format(http: httpx.Client, media: str) -> None:
    zipped, plain = both(http, "/sparql", params={"query": MANY}, headers={"accept": media})
    check_compressed(zipped, plain)
    assert plain.headers["content-type"].startswith(media)
    assert "accept" in vary(zipped)  # merged into the route's Vary, not replacing it


@pytest.mark.parametrize("media", GRAPH_TYPES)
def test_graph_results_compressed_in_every_format(http: httpx.Client, media: str) -> None:
    zipped, plain = both(http, "/sparql", params={"query": GRAPH_QUERY}, headers={"accept": media})
    check_compressed(zipped, plain)


def test_large_answer_compressed_whole(http: httpx.Client) -> None:
    """An answer over `compression.IN_THREAD` is compressed in a thread: the same bytes."""
    query = {"query": "SELECT * WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"}
    zipped, plain = both(http, "/sparql", params=query, headers={"accept": "text/csv"})
    check_compressed(zipped, plain)
    assert len(plain.content) > IN_THREAD
    assert int(zipped.headers["content-length"]) == len(zipped.content)


def test_query_by_post_compressed(http: httpx.Client) -> None:
    form = {"query": MANY}
    zipped = raw(http, "POST", "/sparql", data=form, headers=GZIP)
    plain = raw(http, "POST", "/sparql", data=form, headers=IDENTITY)
    check_compressed(zipped, plain)


@pytest.mark.parametrize(
    "url, accept",
    [
        ("/doc/body/smart-region-office", "text/turtle"),
        ("/doc/body/smart-region-office", "text/html"),
        ("/", "text/html"),
        ("/void", "text/turtle"),
        ("/openapi.json", "application/json"),
        ("/static/site.css", "text/css"),
    ],
)
def test_documents_and_pages_compressed(http: httpx.Client, url: str, accept: str) -> None:
    zipped, plain = both(http, url, headers={"accept": accept})
    check_compressed(zipped, plain)


def test_graph_store_get_compressed(http: httpx.Client) -> None:
    graph = "https://w3id.org/srg/graph/organisations"
    zipped, plain = both(http, "/graph-store", params={"graph": graph})
    check_compressed(zipped, plain)


def test_ldes_documents_compressed(http: httpx.Client) -> None:
    put(http, TEST_GRAPH + "-ldes", "ldes-object")  # a page with members, in either mode
    accept = {"accept": "application/n-triples"}
    root = http.get("/ldes/root", headers=accept)
    pages = sorted(set(re.findall(r"<https?://[^>]*(/ldes/[^/>]+/\d+)>", root.text)))
    assert pages, root.text
    for url in ["/ldes", pages[0]]:
        zipped, plain = both(http, url, headers=accept)
        check_compressed(zipped, plain)


def put(http: httpx.Client, graph: str, name: str) -> None:
    """Replace `graph` with 80 statements whose objects are named `name`."""
    body = "".join(f"<urn:a> <urn:b> <urn:example:{name}-{n:04d}> .\n" for n in range(80))
    auth = {"content-type": "text/turtle", "authorization": f"Bearer {TOKEN}"}
    answer = http.put("/graph-store", params={"graph": graph}, content=body, headers=auth)
    assert answer.status_code in (201, 204), answer.text


def test_answer_sent_in_pieces_compressed_as_it_goes(http: httpx.Client) -> None:
    """Swagger UI's bundle (over a MiB) comes from the static files in pieces: its gzip
    answer is sent chunked, without a length, and decodes to the file."""
    url = "/static/swagger-ui/swagger-ui-bundle.js"
    zipped, plain = both(http, url)
    check_compressed(zipped, plain)
    assert "content-length" not in zipped.headers
    assert zipped.headers["transfer-encoding"] == "chunked"
    assert int(plain.headers["content-length"]) == len(plain.content) > 1024 * 1024


@pytest.mark.parametrize(
    "accepted",
    [None, "", "identity", "gzip;q=0", "deflate, gzip;q=0", "*;q=0", "br", "gzip;q=0.5, identity"],
)
def test_identity_unless_gzip_is_accepted(http: httpx.Client, accepted: str | None) -> None:
    headers = {} if accepted is None else {"accept-encoding": accepted}
    answer = raw(http, "GET", "/sparql", params={"query": MANY}, headers=headers)
    if accepted is None:  # httpx adds its own unless told otherwise
        answer = raw(
            http, "GET", "/sparql", params={"query": MANY}, headers={"accept-encoding": ""}
        )
    assert answer.status_code == 200
    assert "content-encoding" not in answer.headers
    assert answer.content.startswith(b"{")
    assert "accept-encoding" in vary(answer)


@pytest.mark.parametrize("accepted", ["gzip", "GZIP;q=0.8", "*", "br;q=1, gzip;q=0.1", "x-gzip"])
def test_gzip_when_accepted(http: httpx.Client, accepted: str) -> None:
    headers = {"accept-encoding": accepted}
    answer = raw(http, "GET", "/sparql", params={"query": MANY}, headers=headers)
    assert answer.headers["content-encoding"] == "gzip"
    assert gzip.decompress(answer.content).startswith(b"{")


def test_small_answer_identity(http: httpx.Client, served: Server) -> None:
    answer = raw(http, "GET", "/sparql", params={"query": SMALL}, headers=GZIP)
    assert "content-encoding" not in answer.headers
    assert len(answer.content) < 1024
    assert b'"boolean"' in answer.content
    assert "accept-encoding" in vary(answer)


def test_dumps_never_compressed_twice(http: httpx.Client) -> None:
    for name in ("dataset.nq.gz", "dataset.ttl.gz"):
        answer = raw(http, "GET", f"/dumps/{name}", headers=GZIP)
        assert answer.status_code == 200
        assert "content-encoding" not in answer.headers
        assert answer.headers["content-type"] == "application/gzip"
        assert gzip.decompress(answer.content).strip()  # the file, gzip once
        assert vary(answer).count("accept-encoding") == 1


def test_etags_differ_and_each_gives_its_304(http: httpx.Client) -> None:
    params = {"query": MANY}
    zipped, plain = both(http, "/sparql", params=params)
    tag, zipped_tag = plain.headers["etag"], zipped.headers["etag"]
    assert zipped_tag == tag[:-1] + '-gzip"'
    for sent, asked in ((zipped_tag, GZIP), (tag, IDENTITY)):
        again = raw(http, "GET", "/sparql", params=params, headers={**asked, "if-none-match": sent})
        assert again.status_code == 304
        assert again.headers["etag"] == sent
        assert "accept-encoding" in vary(again)
        assert again.content == b""
    # the gzip form names no answer a client that does not take gzip is sent
    other = raw(
        http, "GET", "/sparql", params=params, headers={**IDENTITY, "if-none-match": zipped_tag}
    )
    assert other.status_code == 200
    assert other.content == plain.content


@pytest.mark.parametrize(
    "url, params",
    [
        ("/static/site.css", {}),
        ("/graph-store", {"graph": "https://w3id.org/srg/graph/organisations"}),
        ("/doc/body/smart-region-office", {}),
    ],
)
def test_304_names_the_form_asked_for(http: httpx.Client, url: str, params: dict) -> None:
    zipped, plain = both(http, url, params=params)
    assert zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    for sent in (zipped.headers["etag"], plain.headers["etag"]):
        asked = {**GZIP, "if-none-match": sent}
        again = raw(http, "GET", url, params=params, headers=asked)
        assert again.status_code == 304
        assert again.headers["etag"] == sent


def test_a_range_is_of_the_identity_answer(http: httpx.Client) -> None:
    asked = {**GZIP, "range": "bytes=0-99"}
    # (a URL of its own: an answer the cache kept for the URL is sent whole, which a server
    # may do for a range, RFC 9110 14.2)
    part = raw(http, "GET", "/static/site.css?range", headers=asked)
    whole = raw(http, "GET", "/static/site.css", headers=IDENTITY)
    assert part.status_code == 206
    assert "content-encoding" not in part.headers
    assert part.content == whole.content[:100]
    # nor does a condition naming the gzip answer hold for it
    zipped_tag = raw(http, "GET", "/static/site.css?tag", headers=GZIP).headers["etag"]
    named = raw(http, "GET", "/static/site.css", headers={**asked, "if-none-match": zipped_tag})
    assert named.status_code == 206
    assert named.content == part.content


def test_head_has_the_headers_of_get(http: httpx.Client) -> None:
    for url, params in (("/sparql", {"query": MANY}), ("/doc/body/smart-region-office", {})):
        for asked in (GZIP, IDENTITY):
            got = raw(http, "GET", url, params=params, headers=asked)
            head = raw(http, "HEAD", url, params=params, headers=asked)
            assert head.status_code == got.status_code == 200
            assert head.content == b""
            for name in ("content-encoding", "content-length", "etag", "vary", "content-type"):
                assert head.headers.get(name) == got.headers.get(name), (url, asked, name)


def test_repeated_answers_keep_their_encoding(http: httpx.Client, served: Server) -> None:
    """The answer cache (and the lane) give a kept gzip answer only to a request that takes
    gzip: requests that differ only in Accept-Encoding each get their own."""
    query = {"query": MANY + " OFFSET 7"}
    first = [raw(http, "GET", "/sparql", params=query, headers=GZIP) for _ in range(3)]
    plain = [raw(http, "GET", "/sparql", params=query, headers=IDENTITY) for _ in range(3)]
    assert {a.content for a in first} == {first[0].content}
    assert {a.headers["content-encoding"] for a in first} == {"gzip"}
    assert all("content-encoding" not in a.headers for a in plain)
    assert {a.content for a in plain} == {gzip.decompress(first[0].content)}
    if not REMOTE:  # remote-store mode keeps no answers
        assert http.get("/health").json()["answer_cache"]["hits"] >= 4


def test_write_then_read_is_new_and_compressed(http: httpx.Client) -> None:
    query = {"query": f"SELECT ?o WHERE {{ GRAPH <{TEST_GRAPH}> {{ ?s ?p ?o }} }} ORDER BY ?o"}
    before = raw(http, "GET", "/sparql", params=query, headers={**GZIP, "accept": "text/csv"})
    turtle = "".join(f'<urn:x:s> <urn:x:p> "value {n:04d} {"x" * 40}" .\n' for n in range(60))
    written = http.put(
        "/graph-store",
        params={"graph": TEST_GRAPH},
        content=turtle,
        headers={"content-type": "text/turtle", "authorization": f"Bearer {TOKEN}"},
    )
    assert written.status_code in (201, 204), written.text
    after = raw(
        http,
        "GET",
        "/sparql",
        params=query,
        headers={**GZIP, "accept": "text/csv", "if-none-match": before.headers["etag"]},
    )
    assert after.status_code == 200
    assert after.headers["content-encoding"] == "gzip"
    assert after.headers["etag"] != before.headers["etag"]
    rows = gzip.decompress(after.content).decode().splitlines()
    assert len(rows) == 61 and rows[1].startswith("value 0000")


def test_if_match_takes_the_gzip_tag(http: httpx.Client) -> None:
    """A write's `If-Match` may name the tag its client read with gzip: both forms name the
    same state, and a stale one of either form is refused."""
    params = {"graph": TEST_GRAPH + "-match"}
    auth = {"content-type": "text/turtle", "authorization": f"Bearer {TOKEN}"}
    first = "".join(f"<urn:a> <urn:b> <urn:example:first-object-{n:04d}> .\n" for n in range(80))
    http.put("/graph-store", params=params, content=first, headers=auth)
    read = raw(
        http, "GET", "/graph-store", params=params, headers={**GZIP, "accept": "text/turtle"}
    )
    tag = read.headers["etag"]
    assert tag.endswith('-gzip"')
    body = "".join(f"<urn:a> <urn:b> <urn:example:second-object-{n:04d}> .\n" for n in range(80))
    done = http.put("/graph-store", params=params, content=body, headers={**auth, "if-match": tag})
    assert done.status_code == 204, done.text
    stale = http.put("/graph-store", params=params, content=body, headers={**auth, "if-match": tag})
    assert stale.status_code == 412
    reread = raw(
        http, "GET", "/graph-store", params=params, headers={**GZIP, "accept": "text/turtle"}
    )
    assert reread.headers["etag"] != tag
    assert gzip.decompress(reread.content).count(b"second-object") == 80


def raw_request(query: str, *headers: str) -> bytes:
    """A whole GET of `query` on the wire, with `headers`."""
    extra = "".join(f"{h}\r\n" for h in headers)
    url = f"/sparql?query={quote(query)}"
    return f"GET {url} HTTP/1.1\r\nHost: gzip\r\nAccept: text/csv\r\n{extra}\r\n".encode()


def answer_of(sock: socket.socket, pending: bytes) -> tuple[dict[str, str], bytes, bytes]:
    """The headers and body of the next answer on `sock` (of a length), and what follows."""
    while b"\r\n\r\n" not in pending:
        pending += sock.recv(65536)
    head, pending = pending.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")[1:]
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    length = int(headers["content-length"])
    while len(pending) < length:
        pending += sock.recv(65536)
    return headers, pending[:length], pending[length:]


@pytest.mark.skipif(REMOTE, reason="remote-store mode keeps no answers")
def test_answer_lane_writes_gzip_only_for_the_same_bytes(
    http: httpx.Client, served: Server
) -> None:
    """The answer lane writes a learned answer again for the same request bytes: the gzip one
    for the request that took gzip, never for one that differs only in Accept-Encoding."""
    query = MANY + " OFFSET 11"
    zipped = raw_request(query, "Accept-Encoding: gzip")
    plain = raw_request(query, "Accept-Encoding: identity")
    port = int(served.url.rsplit(":", 1)[1])
    before = http.get("/health").json()["answer_cache"]["direct"]
    answers = []
    with socket.create_connection(("127.0.0.1", port), 30) as sock:
        pending = b""
        for sent in (zipped, zipped, zipped, plain, plain, zipped):
            sock.sendall(sent)
            headers, body, pending = answer_of(sock, pending)
            answers.append((headers.get("content-encoding"), body))
    direct = http.get("/health").json()["answer_cache"]["direct"] - before
    assert direct >= 2  # the lane answered some of them
    assert [coding for coding, _ in answers] == ["gzip", "gzip", "gzip", None, None, "gzip"]
    text = answers[3][1]
    assert len(text.splitlines()) == 301  # the header and the rows
    assert all(gzip.decompress(body) == text for coding, body in answers if coding)
    assert all(body == text for coding, body in answers if not coding)


def test_the_minimum_is_a_setting(settings: Settings, seed_report: Report, tmp_path: Path) -> None:
    """`SRG_COMPRESS_MIN_BYTES` (`--compress-min-bytes`): 0 compresses every answer with a
    body, even a boolean's."""
    minimum = {"SRG_COMPRESS_MIN_BYTES": "0"}
    with (
        running_server(settings, seed_report, tmp_path, **minimum) as server,
        server.client() as http,
    ):
        small = raw(http, "GET", "/sparql", params={"query": SMALL}, headers=GZIP)
    assert small.headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(small.content))["boolean"] is True
