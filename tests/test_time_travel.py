"""Time travel: `version=N` and `asOf=DATETIME` on `/sparql` and `/doc/...`, `/doc/...` as a
Memento TimeGate (RFC 7089) and `/timemap/...`. Real servers, real writes, real HTTP.

In remote-store mode the remote store keeps no past versions: those requests are answered
501, and `/doc/...` is no TimeGate (no Memento headers)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from conftest import TOKEN, running_server
from rdflib import Graph, URIRef
from server import REMOTE, Server

from srg_graph.config import Settings
from srg_graph.validation.report import Report

ID = "https://w3id.org/srg/id/"
SRG = "https://w3id.org/srg/ns#"
MATCHMAKING = ID + "werkbank/matchmaking"
VVSG, VLAIO = ID + "organisation/vvsg", ID + "organisation/vlaio"
WERKBANKEN = "https://w3id.org/srg/graph/werkbanken"
SCRATCH = "https://w3id.org/srg/graph/time-travel-test"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
LEAD = f"SELECT ?lead WHERE {{ <{MATCHMAKING}> <{SRG}lead> ?lead }} ORDER BY ?lead"
DOC = "/doc/werkbank/matchmaking"
remote_only = pytest.mark.skipif(not REMOTE, reason="remote-store mode only")
embedded_only = pytest.mark.skipif(REMOTE, reason="the remote store keeps no past versions")


def statement(predicate: str, organisation: str) -> str:
    return f"GRAPH <{WERKBANKEN}> {{ <{MATCHMAKING}> <{SRG}{predicate}> <{organisation}> }}"


@dataclass(frozen=True)
class Timeline:
    """The module's writes: the build (change `built`), then the lead of Matchmaking
    appointed (VVSG), a scratch triple, the lead changed (VLAIO); `times` of each change."""

    server: Server
    built: int
    appointed: int
    scratch: int
    changed: int
    times: dict[int, datetime]


def _write(http: httpx.Client, text: str) -> int:
    response = http.post(
        "/sparql", content=text, headers={"Content-Type": "application/sparql-update"}
    )
    assert response.status_code == 204, response.text
    time.sleep(1.1)  # changes a second apart: HTTP-dates (Memento) have whole seconds
    return http.get("/health").json()["version_number"]


@pytest.fixture(scope="module")
def timeline(
    settings: Settings, seed_report: Report, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Timeline]:
    directory = tmp_path_factory.mktemp("time-travel")
    with running_server(
        settings, seed_report, directory, TOKEN, SRG_HISTORY_VERSIONS="1"
    ) as running:
        with running.client(headers=AUTH) as http:
            built = http.get("/health").json()["version_number"]
            time.sleep(1.1)
            appointed = _write(
                http,
                f"DELETE DATA {{ {statement('proposedLead', VVSG)} }} ; "
                f"INSERT DATA {{ {statement('lead', VVSG)} }}",
            )
            scratch = _write(
                http, f'INSERT DATA {{ GRAPH <{SCRATCH}> {{ <{ID}thing/x> <{LABEL}> "x" }} }}'
            )
            changed = _write(
                http,
                f"DELETE DATA {{ {statement('lead', VVSG)} }} ; "
                f"INSERT DATA {{ {statement('lead', VLAIO)} }}",
            )
            listed = http.get("/changes", params={"limit": 1000}).json()["changes"]
        times = {c["number"]: datetime.fromisoformat(c["time"]) for c in listed}
        yield Timeline(running, built, appointed, scratch, changed, times)


def leads(http: httpx.Client, **params: str) -> list[str]:
    response = http.get(
        "/sparql",
        params={"query": LEAD, **params},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    return [row["lead"]["value"] for row in response.json()["results"]["bindings"]]


def iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


# -- /sparql ----------------------------------------------------------------------------------
@embedded_only
def test_query_at_each_version(timeline: Timeline) -> None:
    with timeline.server.client() as http:
        assert leads(http) == [VLAIO]
        assert leads(http, version=str(timeline.changed)) == [VLAIO]
        assert leads(http, version=str(timeline.scratch)) == [VVSG]
        assert leads(http, version=str(timeline.appointed)) == [VVSG]
        assert leads(http, version=str(timeline.built)) == []
        # (the worker keeps one past version here: each of these was made again)
        assert leads(http, version=str(timeline.scratch)) == [VVSG]
        assert leads(http, version="0") == []  # the empty dataset, before the build
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
        empty = http.get("/sparql", params={"query": count, "version": "0"}).json()
        assert empty["results"]["bindings"][0]["n"]["value"] == "0"


@embedded_only
def test_query_as_of_an_instant(timeline: Timeline) -> None:
    times = timeline.times
    with timeline.server.client() as http:
        between = (
            times[timeline.appointed] + (times[timeline.scratch] - times[timeline.appointed]) / 2
        )
        assert leads(http, asOf=iso(between)) == [VVSG]
        assert leads(http, asOf=iso(times[timeline.changed])) == [VLAIO]  # at its instant
        just_before = times[timeline.changed] - timedelta(microseconds=1)
        assert leads(http, asOf=iso(just_before)) == [VVSG]
        naive = times[timeline.appointed].astimezone(UTC).replace(tzinfo=None).isoformat()
        assert leads(http, asOf=naive) == [VVSG]  # no zone: UTC
        plus = (times[timeline.appointed] + timedelta(hours=1)).replace(tzinfo=None).isoformat()
        unencoded = f"{timeline.server.url}/sparql?query={quote(LEAD)}&asOf={plus}+01:00"
        assert http.get(unencoded, headers={"Accept": "text/csv"}).text.split() == ["lead", VVSG]
        brussels = (times[timeline.built] + timedelta(milliseconds=500)).astimezone(
            datetime.now().astimezone().tzinfo
        )
        assert leads(http, asOf=brussels.isoformat()) == []
        assert leads(http, asOf="1999-01-01T00:00:00Z") == []  # before the history: empty
        assert leads(http, asOf="2999-01-01T00:00:00Z") == [VLAIO]
        response = http.get("/sparql", params={"query": LEAD, "asOf": iso(between)})
        assert response.headers["content-location"].endswith(f"version={timeline.appointed}")


@embedded_only
def test_query_at_a_version_with_the_protocol_dataset_and_by_post(timeline: Timeline) -> None:
    named = f"SELECT ?o WHERE {{ GRAPH ?g {{ <{ID}thing/x> ?p ?o }} }}"
    with timeline.server.client() as http:
        for version, expected in ((timeline.appointed, 0), (timeline.scratch, 1)):
            response = http.get(
                "/sparql",
                params={"query": named, "version": str(version), "named-graph-uri": SCRATCH},
                headers={"Accept": "application/sparql-results+json"},
            )
            assert len(response.json()["results"]["bindings"]) == expected
            only_werkbanken = http.get(
                "/sparql",
                params={"query": named, "version": str(version), "named-graph-uri": WERKBANKEN},
                headers={"Accept": "application/sparql-results+json"},
            )
            assert only_werkbanken.json()["results"]["bindings"] == []
        posted = http.post(
            "/sparql",
            data={"query": LEAD, "version": str(timeline.appointed)},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert [r["lead"]["value"] for r in posted.json()["results"]["bindings"]] == [VVSG]
        body = http.post(
            "/sparql",
            params={"asOf": iso(timeline.times[timeline.built])},
            content=LEAD,
            headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
        )
        assert body.status_code == 200 and body.text.split() == ["lead"]


@embedded_only
def test_the_history_graph_at_a_version_holds_the_changes_up_to_it(timeline: Timeline) -> None:
    query = (
        "SELECT (MAX(?v) AS ?last) WHERE { GRAPH <https://w3id.org/srg/graph/history> "
        "{ ?c <https://w3id.org/srg/ns#version> ?v } }"
    )
    with timeline.server.client() as http:
        for version in (timeline.appointed, timeline.changed):
            answer = http.get("/sparql", params={"query": query, "version": str(version)}).json()
            assert answer["results"]["bindings"][0]["last"]["value"] == str(version)


@embedded_only
def test_wrong_versions_are_refused(timeline: Timeline) -> None:
    with timeline.server.client() as http:
        ahead = http.get("/sparql", params={"query": LEAD, "version": str(timeline.changed + 5)})
        assert (
            ahead.status_code == 404
            and f"the dataset is at version {timeline.changed}" in ahead.text
        )
        for params, said in (
            ({"version": "x"}, "change number"),
            ({"version": "-1"}, "change number"),
            ({"asOf": "yesterday"}, "ISO 8601"),
            ({"version": "1", "asOf": "2026-01-01T00:00:00Z"}, "not both"),
            ({"version": "\u00b2"}, "change number"),  # a digit to str.isdigit, not to int
            ({"asOf": "9999-12-31T23:59:59-23:59"}, "out of range"),  # past 9999 in UTC
            ({"asOf": "0001-01-01T00:00:00+01:00"}, "out of range"),
        ):
            refused = http.get("/sparql", params={"query": LEAD, **params})
            assert refused.status_code == 400 and said in refused.text, params
        update = http.post(
            "/sparql",
            data={"update": f'INSERT DATA {{ <{ID}thing/y> <{LABEL}> "y" }}', "version": "1"},
            headers=AUTH,
        )
        assert update.status_code == 400 and "for queries" in update.text


@embedded_only
def test_an_answer_at_a_version_is_cached_by_its_version(timeline: Timeline) -> None:
    params = {"query": LEAD, "version": str(timeline.appointed)}
    with timeline.server.client() as http:
        first = http.get("/sparql", params=params)
        assert first.headers["cache-control"] == "public, max-age=86400"
        modified = parsedate_to_datetime(first.headers["last-modified"])
        assert abs(modified - timeline.times[timeline.appointed]) < timedelta(seconds=1)
        again = http.get("/sparql", params=params, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
        # a write moves the current version on, not the answer at a past one
        with timeline.server.client(headers=AUTH) as writer:
            _write(writer, f'INSERT DATA {{ GRAPH <{SCRATCH}> {{ <{ID}thing/z> <{LABEL}> "z" }} }}')
        assert http.get("/sparql", params=params).headers["etag"] == first.headers["etag"]
        assert leads(http, **{k: v for k, v in params.items() if k != "query"}) == [VVSG]


@embedded_only
def test_time_limit_holds_at_a_version(
    settings: Settings, seed_report: Report, tmp_path: Path
) -> None:
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    limited = running_server(settings, seed_report, tmp_path, TOKEN, SRG_QUERY_TIMEOUT="1")
    with limited as running, running.client() as http:
        cheap = http.get("/sparql", params={"query": LEAD, "version": "1"})
        assert cheap.status_code == 200
        stopped = http.get("/sparql", params={"query": heavy, "version": "1"})
        assert stopped.status_code == 503 and "longer than 1 s" in stopped.text
        assert http.get("/sparql", params={"query": LEAD, "version": "1"}).status_code == 200


@embedded_only
def test_memory_limit_holds_at_a_version(
    settings: Settings, seed_report: Report, tmp_path: Path
) -> None:
    hungry = "SELECT ?c ?f ?h WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?x ?h } ORDER BY ?c ?f ?h LIMIT 1"
    env = {"SRG_MAX_QUERY_MEMORY": "256M", "SRG_QUERY_TIMEOUT": "120"}
    limited = running_server(settings, seed_report, tmp_path, TOKEN, **env)
    with limited as running, running.client() as http:
        stopped = http.get("/sparql", params={"query": hungry, "version": "1"}, timeout=180)
        assert stopped.status_code == 503 and "memory limit of 256 MiB" in stopped.text
        assert http.get("/sparql", params={"query": LEAD, "version": "1"}).status_code == 200


# -- /doc as Memento -------------------------------------------------------------------------
def http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC), usegmt=True)


@embedded_only
def test_document_at_a_version_is_a_memento(timeline: Timeline) -> None:
    with timeline.server.client() as http:
        now = http.get(DOC, headers={"Accept": "text/turtle"})
        then = http.get(
            DOC, params={"version": str(timeline.appointed)}, headers={"Accept": "text/turtle"}
        )
        before = http.get(
            DOC, params={"version": str(timeline.built)}, headers={"Accept": "text/turtle"}
        )
    lead = URIRef(SRG + "lead")
    assert set(Graph().parse(data=now.text).objects(URIRef(MATCHMAKING), lead)) == {URIRef(VLAIO)}
    assert set(Graph().parse(data=then.text).objects(URIRef(MATCHMAKING), lead)) == {URIRef(VVSG)}
    assert set(Graph().parse(data=before.text).objects(URIRef(MATCHMAKING), lead)) == set()
    assert then.headers["memento-datetime"] == http_date(timeline.times[timeline.appointed])
    link = then.headers["link"]
    base = str(timeline.server.url)
    assert f'<{base}{DOC}>; rel="original timegate"' in link
    assert f'<{base}/timemap/werkbank/matchmaking>; rel="timemap"' in link
    assert f'<{base}{DOC}?version={timeline.built}>; rel="first memento"' in link
    assert f'<{base}{DOC}?version={timeline.changed}>; rel="last memento"' in link
    assert then.headers["cache-control"] == "public, max-age=86400"
    assert "memento-datetime" not in now.headers
    assert "accept-datetime" in now.headers["vary"].lower()
    assert 'rel="original timegate"' in now.headers["link"]


@embedded_only
def test_document_page_at_a_version(timeline: Timeline) -> None:
    with timeline.server.client() as http:
        page = http.get(
            DOC,
            params={"version": str(timeline.appointed), "lang": "en"},
            headers={"Accept": "text/html"},
        )
        as_of = http.get(
            DOC,
            params={"asOf": iso(timeline.times[timeline.appointed])},
            headers={"Accept": "text/html"},
        )
        gone = http.get(
            "/doc/thing/x",
            params={"version": str(timeline.appointed)},
            headers={"Accept": "text/turtle"},
        )
        there = http.get(
            "/doc/thing/x",
            params={"version": str(timeline.scratch)},
            headers={"Accept": "text/turtle"},
        )
    assert page.status_code == 200
    assert (
        "as it was after change" in page.text
        and f'href="/changes/{timeline.appointed}"' in page.text
    )
    assert "Association of Flemish Cities and Municipalities" in page.text  # the lead then
    assert f"?version={timeline.appointed}" in page.text  # its other formats, at that version
    assert as_of.headers["content-location"] == f"{DOC}?version={timeline.appointed}"
    assert gone.status_code == 404 and 'rel="original timegate"' in gone.headers["link"]
    assert "at version" in gone.text and "/timemap/thing/x" in gone.text
    assert there.status_code == 200 and '"x"' in there.text


@embedded_only
def test_timegate_redirects_to_the_memento_of_an_instant(timeline: Timeline) -> None:
    times = timeline.times
    with timeline.server.client() as http:
        cases = (
            (times[timeline.appointed] + timedelta(seconds=0.5), timeline.appointed),
            (times[timeline.scratch], timeline.appointed),  # not a change of Matchmaking's
            (times[timeline.changed] + timedelta(days=1), timeline.changed),
            (times[timeline.built] - timedelta(days=365), timeline.built),  # before: the first
        )
        for instant, expected in cases:
            response = http.get(DOC, headers={"Accept-Datetime": http_date(instant)})
            assert response.status_code == 302, response.text
            assert response.headers["location"] == f"{timeline.server.url}{DOC}?version={expected}"
            assert response.headers["vary"].lower().startswith("accept-datetime")
            assert 'rel="timemap"' in response.headers["link"]
        followed = http.get(
            DOC,
            headers={
                "Accept-Datetime": http_date(times[timeline.appointed]),
                "Accept": "text/turtle",
            },
            follow_redirects=True,
        )
        assert followed.headers["memento-datetime"] == http_date(times[timeline.appointed])
        bad = http.get(DOC, headers={"Accept-Datetime": "last week"})
        assert bad.status_code == 400 and "HTTP-date" in bad.text


@embedded_only
def test_timemap_lists_the_mementos(timeline: Timeline) -> None:
    base = str(timeline.server.url)
    with timeline.server.client() as http:
        response = http.get("/timemap/werkbank/matchmaking")
        unknown = http.get("/timemap/werkbank/none-such")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/link-format"
    rows = response.text.strip().split(",\n")
    assert rows[0] == f'<{base}{DOC}>;rel="original"'
    assert rows[1] == f'<{base}{DOC}>;rel="timegate"'
    assert rows[2].startswith(
        f'<{base}/timemap/werkbank/matchmaking>;rel="self";type="application/link-format"'
    )
    mementos = rows[3:]
    numbers = [timeline.built, timeline.appointed, timeline.changed]
    assert [row.split(">")[0] for row in mementos] == [f"<{base}{DOC}?version={n}" for n in numbers]
    assert 'rel="first memento"' in mementos[0] and 'rel="last memento"' in mementos[-1]
    assert f'datetime="{http_date(timeline.times[timeline.appointed])}"' in mementos[1]
    assert unknown.status_code == 404


# -- remote-store mode -----------------------------------------------------------------------
@remote_only
def test_remote_store_mode_has_no_time_travel(timeline: Timeline) -> None:
    with timeline.server.client() as http:
        for response in (
            http.get("/sparql", params={"query": LEAD, "version": str(timeline.appointed)}),
            http.get("/sparql", params={"query": LEAD, "asOf": "2026-01-01T00:00:00Z"}),
            http.get(DOC, params={"version": str(timeline.appointed)}),
            http.get("/timemap/werkbank/matchmaking"),
        ):
            assert response.status_code == 501, response.text
            assert "remote-store mode" in response.text
        current = http.get(DOC, headers={"Accept-Datetime": "Sat, 05 Dec 2026 10:00:00 GMT"})
        assert current.status_code == 200 and "memento-datetime" not in current.headers
        assert "link" not in current.headers
        assert leads(http) == [VLAIO]
        # the history itself is there
        assert http.get(f"/changes/{timeline.appointed}").status_code == 200
