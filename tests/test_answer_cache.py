"""The answer cache (issue 18): a request that comes again at the same dataset version is
answered from memory, byte for byte as the first time; never after a write.

Through a real server: `/health` counts the cache's hits, misses and bytes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from conftest import TOKEN, running_server
from server import REMOTE, Server

from srg_graph.config import Settings
from srg_graph.validation.report import Report
from srg_graph.web.remembered import LARGEST

pytestmark = pytest.mark.skipif(REMOTE, reason="remote-store mode keeps no answers")

JSON = {"accept": "application/sparql-results+json"}
AUTH = {"authorization": f"Bearer {TOKEN}"}
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:test:cache> { ?s ?p ?o } }"
LABELS = "SELECT ?l WHERE { <https://w3id.org/srg/id/body/smart-region-office> ?p ?l } ORDER BY ?l"


@pytest.fixture(scope="module")
def served(
    settings: Settings, seed_report: Report, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with running_server(settings, seed_report, tmp_path_factory.mktemp("cache")) as running:
        yield running


def cache(http: httpx.Client) -> dict[str, int]:
    return http.get("/health").json()["answer_cache"]


def count(http: httpx.Client, headers: dict[str, str] | None = None) -> int:
    answer = http.get("/sparql", params={"query": COUNT}, headers={**JSON, **(headers or {})})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def insert(http: httpx.Client, subject: str) -> None:
    update = f"INSERT DATA {{ GRAPH <urn:test:cache> {{ <{subject}> <urn:test:p> 1 }} }}"
    answer = http.post("/sparql", data={"update": update}, headers=AUTH)
    assert answer.status_code == 204, answer.text


def test_a_repeated_query_is_answered_from_memory_byte_for_byte(served: Server) -> None:
    with served.client() as http:
        first = http.get("/sparql", params={"query": LABELS}, headers=JSON)
        before = cache(http)
        again = [http.get("/sparql", params={"query": LABELS}, headers=JSON) for _ in range(5)]
        after = cache(http)
    assert after["hits"] - before["hits"] == 5
    assert all(a.content == first.content for a in again)
    assert all(a.headers["etag"] == first.headers["etag"] for a in again)
    assert after["bytes"] > first.num_bytes_downloaded  # the answer as sent (httpx asks for gzip)


def test_get_and_both_posts_of_one_query_are_one_request(served: Server) -> None:
    text = LABELS + " LIMIT 3"
    with served.client() as http:
        first = http.get("/sparql", params={"query": text}, headers=JSON)
        before = cache(http)
        form = http.post("/sparql", data={"query": text}, headers=JSON)
        body = http.post(
            "/sparql", content=text, headers={**JSON, "content-type": "application/sparql-query"}
        )
        after = cache(http)
    assert form.content == body.content == first.content
    assert after["hits"] - before["hits"] == 2


def test_a_long_query_is_one_request_too(served: Server) -> None:
    """Past `remembered.LARGEST` bytes a request's parameters are read anew each time (not
    remembered): the same key."""
    text = "# " + "long " * (LARGEST // 4) + "\n" + LABELS
    with served.client() as http:
        first = http.post("/sparql", data={"query": text}, headers=JSON)
        before = cache(http)
        body = http.post(
            "/sparql", content=text, headers={**JSON, "content-type": "application/sparql-query"}
        )
        after = cache(http)
    assert first.status_code == 200 and body.content == first.content
    assert after["hits"] - before["hits"] == 1


def test_each_format_is_kept_apart(served: Server) -> None:
    text = LABELS + " LIMIT 4"
    xml = {"accept": "application/sparql-results+xml"}
    with served.client() as http:
        answers = [http.get("/sparql", params={"query": text}, headers=h) for h in (JSON, xml)]
        again = [http.get("/sparql", params={"query": text}, headers=h) for h in (JSON, xml)]
    assert answers[0].headers["content-type"].startswith("application/sparql-results+json")
    assert answers[1].headers["content-type"].startswith("application/sparql-results+xml")
    assert [a.content for a in again] == [a.content for a in answers]


def test_a_head_request_gets_the_headers_without_the_body(served: Server) -> None:
    with served.client() as http:
        full = http.get("/sparql", params={"query": LABELS}, headers=JSON)
        head = http.head("/sparql", params={"query": LABELS}, headers=JSON)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == full.headers["etag"]


def test_documents_and_pages_are_kept_too(served: Server) -> None:
    paths = ["/doc/body/smart-region-office.ttl", "/", "/api/queries"]
    with served.client() as http:
        firsts = [http.get(path) for path in paths]
        before = cache(http)
        again = [http.get(path) for path in paths]
        after = cache(http)
    assert all(a.status_code == 200 for a in firsts)
    assert [a.content for a in again] == [a.content for a in firsts]
    assert after["hits"] - before["hits"] == len(paths)


def test_a_request_header_the_answer_varies_on_is_part_of_the_key(served: Server) -> None:
    """A resource's document, kept, is not what the same request with `Accept-Datetime`
    gets: the resource is its own TimeGate, which redirects to a memento."""
    document = "/doc/body/smart-region-office"
    turtle = {"accept": "text/turtle"}
    with served.client() as http:
        assert http.get(document, headers=turtle).status_code == 200
        assert http.get(document, headers=turtle).status_code == 200  # kept
        instant = {**turtle, "accept-datetime": "Mon, 01 Jan 2024 00:00:00 GMT"}
        gate = http.get(document, headers=instant)
    assert gate.status_code == 302, gate.text
    assert "version=" in gate.headers["location"]


def test_conditional_requests_still_get_304(served: Server) -> None:
    with served.client() as http:
        first = http.get("/sparql", params={"query": LABELS}, headers=JSON)
        again = http.get(
            "/sparql",
            params={"query": LABELS},
            headers={**JSON, "if-none-match": first.headers["etag"]},
        )
    assert again.status_code == 304


def test_a_write_is_read_back_at_once(served: Server) -> None:
    with served.client() as http:
        seen = count(http)
        count(http)  # kept
        for number in range(5):
            insert(http, f"urn:test:once-{number}")
            assert count(http) == seen + number + 1


def test_no_stale_answer_under_concurrent_writes_and_reads(served: Server) -> None:
    """Writers insert and read back at once while readers ask the same query all along: every
    answer counts at least the writes acknowledged before it was asked."""
    acknowledged, lock, failures = [0], threading.Lock(), []
    with served.client() as http:
        base = count(http)

    def writer(name: int) -> None:
        with served.client() as own:
            for number in range(8):
                insert(own, f"urn:test:concurrent-{name}-{number}")
                with lock:
                    acknowledged[0] += 1
                    floor = acknowledged[0]
                if (seen := count(own)) < base + floor:
                    failures.append(f"writer {name} saw {seen}, at least {base + floor} written")

    def reader(_: int) -> None:
        with served.client() as own:
            for _ in range(40):
                with lock:
                    floor = acknowledged[0]
                if (seen := count(own)) < base + floor:
                    failures.append(f"a reader saw {seen} after {floor} acknowledged writes")

    with ThreadPoolExecutor(8) as pool:
        list(
            pool.map(
                lambda job: job[0](job[1]),
                [(writer, n) for n in range(3)] + [(reader, n) for n in range(5)],
            )
        )
    assert failures == []
    with served.client() as http:
        assert count(http) == base + 24


def test_requests_with_credentials_are_not_kept(served: Server) -> None:
    with served.client() as http:
        before = cache(http)
        for _ in range(3):
            count(http, AUTH)
        after = cache(http)
    assert after["hits"] == before["hits"] and after["stored"] == before["stored"]


def test_memory_is_bounded(settings: Settings, seed_report: Report, tmp_path: Path) -> None:
    capacity = 64 * 1024
    with (
        running_server(settings, seed_report, tmp_path, SRG_ANSWER_CACHE="64K") as running,
        running.client() as http,
    ):
        for number in range(120):
            text = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT 20 OFFSET {number}"
            assert http.get("/sparql", params={"query": text}, headers=JSON).status_code == 200
        kept = cache(http)
    assert kept["capacity"] == capacity
    assert 0 < kept["bytes"] <= capacity
    assert kept["answers"] < kept["stored"] == 120


def test_off_with_one_setting(settings: Settings, seed_report: Report, tmp_path: Path) -> None:
    with (
        running_server(settings, seed_report, tmp_path, SRG_ANSWER_CACHE="0") as running,
        running.client() as http,
    ):
        answers = [http.get("/sparql", params={"query": LABELS}, headers=JSON) for _ in range(3)]
        kept = cache(http)
    assert all(a.status_code == 200 for a in answers)
    assert kept == {"bytes": 0, "capacity": 0, "answers": 0, "hits": 0, "stored": 0, "direct": 0}
