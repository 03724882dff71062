"""Reading the history over HTTP: the named query `change-log`, `/changes`, `/changes/{n}`, a
resource's own history on its page. Real servers, real writes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import product
from pathlib import Path

import httpx
import pytest
from conftest import TOKEN, running_server
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD
from server import REMOTE, Server

from srg_graph.config import Settings
from srg_graph.validation.report import Report

ID = "https://w3id.org/srg/id/"
SRG = "https://w3id.org/srg/ns#"
MATCHMAKING = ID + "werkbank/matchmaking"
VVSG = ID + "organisation/vvsg"
WERKBANKEN = "https://w3id.org/srg/graph/werkbanken"
SCRATCH = "https://w3id.org/srg/graph/changes-test"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
KEPT = "public, max-age=86400"  # a past change's documents
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NAMED = f"name-a:other-token,secretariaat:{TOKEN}"


def statement(predicate: str, organisation: str) -> str:
    return f"GRAPH <{WERKBANKEN}> {{ <{MATCHMAKING}> <{SRG}{predicate}> <{organisation}> }}"


@dataclass(frozen=True)
class Made:
    """The changes the module's writes made (their numbers)."""

    server: Server
    appointed: int  # Matchmaking's proposed lead VVSG appointed, by `secretariaat`, with a note
    scratch: int  # a triple in a graph of its own
    removed: int  # that triple removed again


def write(http: httpx.Client, text: str, note: str | None = None) -> int:
    headers = {"Content-Type": "application/sparql-update"}
    if note is not None:
        headers["SRG-Change-Note"] = note.encode().decode("latin-1")
    response = http.post("/sparql", content=text, headers=headers)
    assert response.status_code == 204, response.text
    return http.get("/health").json()["version_number"]


@pytest.fixture(scope="module")
def named_writable(
    settings: Settings, seed_report: Report, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A writable server of the module whose token is named `secretariaat`."""
    directory = tmp_path_factory.mktemp("changes")
    with running_server(settings, seed_report, directory, NAMED) as running:
        yield running


@pytest.fixture(scope="module")
def made(named_writable: Server) -> Iterator[Made]:
    """Three writes on the module's server (`secretariaat` is the token's name)."""
    running = named_writable
    with running.client(headers=AUTH) as http:
        appointed = write(
            http,
            f"DELETE DATA {{ {statement('proposedLead', VVSG)} }} ; "
            f"INSERT DATA {{ {statement('lead', VVSG)} }}",
            "PBC-besluit van 12 november: de VVSG trekt",
        )
        scratch = write(
            http, f'INSERT DATA {{ GRAPH <{SCRATCH}> {{ <{ID}thing/t> <{LABEL}> "t" }} }}'
        )
        removed = write(
            http, f'DELETE DATA {{ GRAPH <{SCRATCH}> {{ <{ID}thing/t> <{LABEL}> "t" }} }}'
        )
    yield Made(running, appointed, scratch, removed)


# -- the named query change-log --------------------------------------------------------------
def test_change_log_answers_who_appointed_the_lead(made: Made) -> None:
    with made.server.client() as http:
        params = {"resource": MATCHMAKING, "property": SRG + "lead", "lang": "en"}
        response = http.get("/api/queries/change-log", params=params)
        assert response.status_code == 200, response.text
        rows = response.json()
        both = http.get("/api/queries/change-log", params={"resource": MATCHMAKING}).json()
    assert [(r["action"], r["value"]) for r in rows] == [("added", VVSG)]
    assert [(r["action"], r["predicate"]) for r in both] == [
        ("added", SRG + "lead"),
        ("removed", SRG + "proposedLead"),
    ]
    row = rows[0]
    # the build is change 1, in remote-store mode too (the pushed store brings the history
    # graph along, and this server numbers its own changes after it)
    assert made.appointed == 2 and row["version"] == made.appointed
    assert row["change"] == f"{ID}change/{made.appointed}"
    assert row["agent"] == f"{ID}agent/secretariaat" and row["agentName"] == "secretariaat"
    assert row["note"] == "PBC-besluit van 12 november: de VVSG trekt"
    assert row["kind"] == "write" and row["graph"] == WERKBANKEN
    assert row["valueLabel"] == "Association of Flemish Cities and Municipalities"
    assert row["time"].endswith("Z")


def test_change_log_incoming_and_other_resources(made: Made) -> None:
    with made.server.client() as http:
        own = http.get("/api/queries/change-log", params={"resource": VVSG}).json()
        incoming = http.get(
            "/api/queries/change-log", params={"resource": VVSG, "incoming": "true"}
        ).json()
        thing = http.get("/api/queries/change-log", params={"resource": ID + "thing/t"}).json()
    assert own == []
    assert [(r["subject"], r["action"]) for r in incoming] == [
        (MATCHMAKING, "added"),
        (MATCHMAKING, "removed"),
    ]
    assert [(r["version"], r["action"]) for r in thing] == [
        (made.removed, "removed"),
        (made.scratch, "added"),
    ]


# -- /changes ---------------------------------------------------------------------------------
def numbers(response: httpx.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [change["number"] for change in response.json()["changes"]]


def test_list_newest_first_with_since(made: Made) -> None:
    with made.server.client() as http:
        listed = http.get("/changes")
        assert listed.headers["content-type"].startswith("application/json")
        body = listed.json()
        assert body["version"] == made.removed
        assert numbers(listed)[:3] == [made.removed, made.scratch, made.appointed]
        assert numbers(listed) == sorted(numbers(listed), reverse=True)
        first = body["changes"][2]
        assert first["agent"] == "secretariaat" and first["kind"] == "write"
        assert first["note"] == "PBC-besluit van 12 november: de VVSG trekt"
        assert (first["removedCount"], first["addedCount"]) == (1, 1)
        assert first["graphs"] == [WERKBANKEN] and first["href"] == f"/changes/{made.appointed}"
        assert first["time"].endswith("Z") and first["iri"] == f"{ID}change/{made.appointed}"
        since = http.get("/changes", params={"since": made.appointed})
        assert numbers(since) == [made.removed, made.scratch]
        assert numbers(http.get("/changes", params={"since": made.removed})) == []


def test_list_is_paged_with_links(made: Made) -> None:
    with made.server.client() as http:
        top = http.get("/changes", params={"limit": 2})
        assert numbers(top) == [made.removed, made.scratch]
        links = top.headers["link"]
        assert f'</changes?before={made.scratch}&limit=2>; rel="next"' in links
        assert 'rel="prev"' not in links and '</changes?limit=2>; rel="first"' in links
        assert top.json()["next"] == f"/changes?before={made.scratch}&limit=2"
        following = http.get(top.json()["next"])
        assert numbers(following)[0] == made.appointed
        assert '</changes?limit=2>; rel="prev"' in following.headers["link"]
        since = http.get("/changes", params={"limit": 1, "since": made.appointed})
        assert numbers(since) == [made.removed]
        assert (
            since.json()["next"] == f"/changes?since={made.appointed}&before={made.removed}&limit=1"
        )
        assert numbers(http.get(since.json()["next"])) == [made.scratch]
        for bad in ({"limit": "0"}, {"since": "-1"}, {"before": "x"}, {"limit": "\u00b2"}):
            refused = http.get("/changes", params=bad)
            assert refused.status_code == 400 and "whole number" in refused.text


def walk(http: httpx.Client, start: str, rel: str) -> list[list[int]]:
    """The pages from `start` on, following `rel` (`next` or `prev`) to the end; on each, the
    JSON's link is the `Link` header's and the HTML page's."""
    shown, url = [], start
    while url is not None:
        listed = http.get(url)
        shown.append(numbers(listed))
        link = listed.json()[rel]
        header = re.search(rf'<([^>]+)>; rel="{rel}"', listed.headers["link"])
        assert (header.group(1) if header else None) == link, url
        page = http.get(url, headers={"Accept": "text/html"}).text
        html = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
        assert (html.group(1).replace("&amp;", "&") if html else None) == link, url
        url = link
        assert len(shown) < 50, "the links go round"
    return shown


def test_pages_from_any_before_neither_overlap_nor_skip(made: Made) -> None:
    """Pages are counted from the newest change; from a `before` off that count, the previous
    page was the first one, which showed again the changes of the page itself."""
    with made.server.client() as http:
        everything = numbers(http.get("/changes", params={"limit": 1000}))
        assert len(everything) >= 3
        for since, before in product(
            (0, everything[-1]), range(everything[-1] + 1, made.removed + 2)
        ):
            start = f"/changes?since={since}&before={before}&limit=2"
            newer = walk(http, start, "prev")[::-1]
            older = walk(http, start, "next")[1:]
            shown = [n for page in newer + older for n in page]
            assert shown == [n for n in everything if n > since], (since, before, shown)
            assert all(newer[:-1] + older), (since, before, newer + older)
        both = http.get("/changes", params={"before": made.removed, "after": made.scratch})
        assert both.status_code == 400 and "not both" in both.text


def test_list_as_rdf_and_html(made: Made) -> None:
    with made.server.client() as http:
        turtle = http.get("/changes", headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200 and turtle.headers["content-type"].startswith(
            "text/turtle"
        )
        graph = Graph().parse(data=turtle.text, format="turtle")
        change = URIRef(f"{ID}change/{made.appointed}")
        assert (change, PROV.wasAssociatedWith, URIRef(f"{ID}agent/secretariaat")) in graph
        assert (change, URIRef(SRG + "version"), Literal(made.appointed)) in graph
        assert len(set(graph.subjects(RDF.type, URIRef(SRG + "Change")))) == made.removed - (
            made.appointed - 1 if REMOTE else 0
        )
        jsonld = http.get("/changes.jsonld")
        assert jsonld.headers["content-type"].startswith("application/ld+json")
        assert len(Graph().parse(data=jsonld.text, format="json-ld")) == len(graph)
        page = http.get("/changes", headers={"Accept": "text/html"}, params={"lang": "en"})
        assert page.status_code == 200 and "<h1>Changes</h1>" in page.text
        assert f'<a href="/changes/{made.appointed}">{made.appointed}</a>' in page.text
        assert "de VVSG trekt" in page.text and "secretariaat" in page.text
        assert http.get("/changes.xml").status_code == 404


def test_one_change_as_rdf_patch(made: Made) -> None:
    with made.server.client() as http:
        response = http.get(f"/changes/{made.appointed}")
        previous = http.get(f"/changes/{made.appointed - 1}.rdfp")
        following = http.get(
            f"/changes/{made.scratch}", headers={"Accept": "application/rdf-patch"}
        )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/rdf-patch"
    lines = response.text.splitlines()
    headers = {line.split()[1]: line.split(" ", 2)[2] for line in lines if line.startswith("H ")}
    assert (
        headers["id"].startswith("<uuid:")
        and headers["change"] == f"<{ID}change/{made.appointed}> ."
    )
    assert headers["agent"] == f"<{ID}agent/secretariaat> ."
    assert headers["note"] == '"PBC-besluit van 12 november: de VVSG trekt" .'
    body = [line for line in lines if not line.startswith("H ")]
    assert body == [
        "TX .",
        f"D <{MATCHMAKING}> <{SRG}proposedLead> <{VVSG}> <{WERKBANKEN}> .",
        f"A <{MATCHMAKING}> <{SRG}lead> <{VVSG}> <{WERKBANKEN}> .",
        "TC .",
    ]
    # a log of patches: each says which patch came before it (in remote-store mode the
    # history of this server starts with its first write: change 1 is the pushed build's)
    ids = [line for line in previous.text.splitlines() if line.startswith("H id ")]
    if REMOTE:
        assert previous.status_code == 404 and not any(x.startswith("H prev") for x in lines)
    else:
        assert ids and f"H prev {ids[0].removeprefix('H id ')}" in lines
    assert f"H prev {headers['id']}" in following.text.splitlines()
    assert response.headers["cache-control"] == KEPT
    assert response.headers["etag"] and response.headers["last-modified"]


def test_one_change_as_trig_json_and_html(made: Made) -> None:
    with made.server.client() as http:
        trig = http.get(f"/changes/{made.appointed}", headers={"Accept": "application/trig"})
        as_json = http.get(f"/changes/{made.appointed}", headers={"Accept": "application/json"})
        page = http.get(f"/changes/{made.appointed}.html", params={"lang": "en"})
        dutch = http.get(f"/changes/{made.appointed}", headers={"Accept": "text/html"})
    assert trig.headers["content-type"] == "application/trig"
    dataset = Dataset()
    dataset.parse(data=trig.text, format="trig")
    change = URIRef(f"{ID}change/{made.appointed}")
    added = URIRef(f"{ID}change/{made.appointed}/added/graph/werkbanken")
    removed = URIRef(f"{ID}change/{made.appointed}/removed/graph/werkbanken")
    assert (URIRef(MATCHMAKING), URIRef(SRG + "lead"), URIRef(VVSG), added) in dataset
    assert (URIRef(MATCHMAKING), URIRef(SRG + "proposedLead"), URIRef(VVSG), removed) in dataset
    default = dataset.default_graph
    assert (added, PROV.wasGeneratedBy, change) in default
    assert (removed, PROV.wasInvalidatedBy, change) in default
    assert (added, DCTERMS.isPartOf, URIRef(WERKBANKEN)) in default
    assert (change, RDF.type, PROV.Activity) in default
    assert (change, RDFS.comment, Literal("PBC-besluit van 12 november: de VVSG trekt")) in default
    assert next(default.objects(change, PROV.endedAtTime)).datatype == XSD.dateTime

    body = as_json.json()
    assert (body["number"], body["agent"], body["kind"]) == (
        made.appointed,
        "secretariaat",
        "write",
    )
    assert body["removed"] == [f"<{MATCHMAKING}> <{SRG}proposedLead> <{VVSG}> <{WERKBANKEN}> ."]
    assert body["added"] == [f"<{MATCHMAKING}> <{SRG}lead> <{VVSG}> <{WERKBANKEN}> ."]
    assert body["next"] == made.scratch

    assert page.status_code == 200 and "<h1>Change" in page.text
    assert "Werkbank Matchmaking" in page.text and ">lead<" in page.text
    assert "Association of Flemish Cities and Municipalities" in page.text
    assert "de VVSG trekt" in page.text and "secretariaat" in page.text
    assert "Wijziging" in dutch.text and ">trekker<" in dutch.text


def test_change_of_a_new_graph_and_its_removal(made: Made) -> None:
    with made.server.client() as http:
        scratch = http.get(f"/changes/{made.scratch}.json").json()
        removed = http.get(f"/changes/{made.removed}.json").json()
    assert scratch["graphs"] == [SCRATCH] and scratch["addedCount"] == 1
    assert removed["removed"] == [f'<{ID}thing/t> <{LABEL}> "t" <{SCRATCH}> .']
    assert removed["previous"] == made.scratch


@pytest.mark.skipif(REMOTE, reason="the build is not in the history of a remote-mode server")
def test_a_change_larger_than_a_result_is_rdf_patch_only(
    settings: Settings, seed_report: Report, tmp_path: Path
) -> None:
    capped = running_server(settings, seed_report, tmp_path, TOKEN, SRG_MAX_ROWS="1000")
    with capped as running, running.client() as http:
        for suffix in ("trig", "json"):
            refused = http.get(f"/changes/1.{suffix}")
            assert refused.status_code == 422 and "/changes/1.rdfp" in refused.text
        patch = http.get("/changes/1")
        assert patch.status_code == 200
        rows = patch.text.splitlines()
        assert sum(1 for row in rows if row.startswith("A ")) > 5000
        assert http.get("/changes/1.html").status_code == 200  # (lists the first statements)


def test_the_newest_change_is_revalidated_until_there_is_a_next(writable: Server) -> None:
    """The newest change's JSON says `"next": null`, which the next change makes wrong: it is
    not kept for a day, and its old ETag no longer holds once there is a next one. Its RDF
    Patch never changes. A 304 carries the Cache-Control the 200 would (RFC 9110 15.4.5)."""
    insert = f'INSERT DATA {{ GRAPH <{SCRATCH}> {{ <{ID}thing/n> <{LABEL}> "n" }} }}'
    with writable.client(headers=AUTH) as http:
        newest = write(http, insert)
        json_first = http.get(f"/changes/{newest}.json")
        patch = http.get(f"/changes/{newest}.rdfp")
        assert json_first.json()["next"] is None
        assert json_first.headers["cache-control"] == "no-cache"
        kept = {"if-none-match": patch.headers["etag"]}
        again = http.get(f"/changes/{newest}.rdfp", headers=kept)
        assert again.status_code == 304
        assert again.headers["cache-control"] == patch.headers["cache-control"] == KEPT
        write(http, insert.replace("INSERT", "DELETE"))
        stale = {"if-none-match": json_first.headers["etag"]}
        json_then = http.get(f"/changes/{newest}.json", headers=stale)
        assert json_then.status_code == 200 and json_then.json()["next"] == newest + 1
        assert json_then.headers["cache-control"] == KEPT
        assert http.get(f"/changes/{newest}.rdfp", headers=kept).status_code == 304


def test_unknown_change_is_404(made: Made) -> None:
    with made.server.client() as http:
        unknown = (f"/changes/{made.removed + 1}", "/changes/0", "/changes/x", "/changes/2.pdf")
        for path in (*unknown, "/changes/%C2%B2"):
            response = http.get(path)
            assert response.status_code == 404, path
        assert "there is no change" in http.get(f"/changes/{made.removed + 1}").text
        assert "no such format" in http.get("/changes/2.pdf").text


def test_a_change_number_with_leading_zeros_is_not_a_second_name(made: Made) -> None:
    """`/changes/01` answered as `/changes/1`: one change had many URIs. Now 404, naming
    the one URI it has."""
    with made.server.client() as http:
        for path, canonical in (
            (f"/changes/0{made.appointed}", f"/changes/{made.appointed}"),
            (f"/changes/00{made.scratch}.json", f"/changes/{made.scratch}.json"),
        ):
            response = http.get(path)
            assert response.status_code == 404, path
            assert "leading zeros" in response.text and canonical in response.text
        assert http.get(f"/changes/{made.appointed}").status_code == 200


# -- a resource's own history ------------------------------------------------------------------
def test_resource_page_shows_its_history(made: Made) -> None:
    with made.server.client() as http:
        page = http.get("/doc/werkbank/matchmaking", headers={"Accept": "text/html"})
        english = http.get(
            "/doc/werkbank/matchmaking", params={"lang": "en"}, headers={"Accept": "text/html"}
        )
    count = 1 if REMOTE else 2  # the build is change 1 of an embedded store's history
    section = page.text[page.text.index('<section class="history">') :]
    section = section[: section.index("</section>")]
    if count == 2:
        assert "2 keer gewijzigd" in section
    assert f'<a href="/changes/{made.appointed}">' in section
    assert "secretariaat" in section and "de VVSG trekt" in section
    # a TimeMap only where past versions can be read (not in remote-store mode)
    assert ('href="/timemap/werkbank/matchmaking"' in section) is not REMOTE
    assert ("Changed 2 times" if count == 2 else "Changed once") in english.text


def test_validators_of_the_history(made: Made) -> None:
    # (it writes: the last test of the module)
    with made.server.client() as http:
        for path in ("/changes", f"/changes/{made.appointed}"):
            first = http.get(path)
            again = http.get(path, headers={"If-None-Match": first.headers["etag"]})
            assert again.status_code == 304, path
        listed = http.get("/changes").headers["etag"]
        write(
            http_with_token(made),
            f'INSERT DATA {{ GRAPH <{SCRATCH}> {{ <{ID}thing/u> <{LABEL}> "u" }} }}',
        )
        assert http.get("/changes").headers["etag"] != listed


def http_with_token(made: Made) -> httpx.Client:
    return made.server.client(headers=AUTH)


@pytest.mark.parametrize("name", ["since", "before", "after", "limit"])
def test_a_paging_parameter_given_twice_is_refused(made: Made, name: str) -> None:
    """`?limit=1&limit=2` gave a page of 2, the last value taken unsaid; 400 naming it."""
    with made.server.client() as http:
        answer = http.get("/changes", params={name: ["1", "2"]})
    assert answer.status_code == 400 and f"2 '{name}' parameters" in answer.text
