"""Linked data: /id/ -> 303 -> /doc/, every RDF format by Accept and suffix, pages by kind.

All against the real server (`server`); the escaping test writes through the Graph Store into a
server of its own (`writable`).
"""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import unquote, urljoin

import httpx
import pytest
from conftest import TOKEN
from rdflib import RDF, SKOS, Graph, Literal, Namespace, URIRef
from server import Server

ID = "https://w3id.org/srg/id/"
SRG = Namespace("https://w3id.org/srg/ns#")
ORG = Namespace("http://www.w3.org/ns/org#")
SRO = URIRef(ID + "body/smart-region-office")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF_TYPES = {
    "text/turtle": ("turtle", ".ttl"),
    "application/ld+json": ("json-ld", ".jsonld"),
    "application/rdf+xml": ("xml", ".rdf"),
    "application/n-triples": ("nt", ".nt"),
}


@pytest.fixture(scope="module")
def http(server: Server) -> httpx.Client:
    with server.client() as client:
        yield client


def text_of(html: str) -> str:
    """The visible text of a page (tags dropped, whitespace collapsed)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    "path",
    [
        "body/smart-region-office",
        "organisation/abb",
        "werkbank/vloca",
        "concept/role/trekker",
        "scheme/role",
    ],
)
def test_id_redirects_to_doc(http: httpx.Client, path: str) -> None:
    response = http.get(f"/id/{path}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/doc/{path}"


def test_id_redirect_keeps_query(http: httpx.Client) -> None:
    response = http.get("/id/body/smart-region-office?lang=en")
    assert response.status_code == 303
    assert response.headers["location"] == "/doc/body/smart-region-office?lang=en"


def test_unknown_id_is_not_found_at_once(http: httpx.Client) -> None:
    """No 303 to a page that is not there: a thing the graph does not know is 404 at /id/."""
    response = http.get("/id/body/does-not-exist")
    assert response.status_code == 404
    assert "location" not in response.headers
    assert f"{ID}body/does-not-exist" in response.text
    page = http.get("/id/body/does-not-exist", headers={"accept": BROWSER})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert http.head("/id/organisation/nobody").status_code == 404
    assert http.get("/id/body/a b").status_code == 404
    assert http.get("/id/body/does-not-exist.ttl").status_code == 404


def test_id_with_a_suffix_redirects_to_that_format(http: httpx.Client) -> None:
    response = http.get("/id/body/smart-region-office.ttl")
    assert response.status_code == 303
    assert response.headers["location"] == "/doc/body/smart-region-office.ttl"


def test_graph_iri_redirects_to_graph_store(http: httpx.Client) -> None:
    response = http.get("/graph/bodies")
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/graph-store?graph=")
    assert unquote(location.split("=", 1)[1]) == "https://w3id.org/srg/graph/bodies"


def check_description(graph: Graph) -> None:
    """The SRO's type, its Dutch label, a label of what it links to, and an incoming link."""
    assert (SRO, RDF.type, SRG.GovernanceBody) in graph
    assert (SRO, SKOS.prefLabel, Literal("Smart Region Office", lang="nl")) in graph
    purpose = URIRef(ID + "concept/core-task/drijvende-kracht-aanspreekpunt-en-facilitator")
    assert (SRO, ORG.purpose, purpose) in graph
    label = Literal("Drijvende kracht, aanspreekpunt & facilitator", lang="nl")
    assert (purpose, SKOS.prefLabel, label) in graph
    kcvs = URIRef(ID + "membership/smart-region-office-kcvs")
    assert (kcvs, ORG.organization, SRO) in graph  # incoming
    assert (kcvs, SKOS.prefLabel, Literal("KCVS in het Smart Region Office", lang="nl")) in graph


def parse(http: httpx.Client, response: httpx.Response, fmt: str) -> Graph:
    if fmt != "json-ld":
        return Graph().parse(data=response.content, format=fmt)
    document = response.json()
    context_url = document["@context"]
    assert isinstance(context_url, str) and context_url.endswith("/context.jsonld")
    context = http.get(context_url)  # the published context, fetched from the server
    assert context.status_code == 200
    document["@context"] = context.json()["@context"]
    return Graph().parse(data=json.dumps(document), format="json-ld")


@pytest.mark.parametrize("media_type", sorted(RDF_TYPES))
def test_formats_by_accept(http: httpx.Client, media_type: str) -> None:
    response = http.get("/doc/body/smart-region-office", headers={"accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert "Accept" in response.headers["vary"]
    check_description(parse(http, response, RDF_TYPES[media_type][0]))


@pytest.mark.parametrize("media_type", sorted(RDF_TYPES))
def test_formats_by_suffix(http: httpx.Client, media_type: str) -> None:
    fmt, suffix = RDF_TYPES[media_type]
    response = http.get(f"/doc/body/smart-region-office{suffix}", headers={"accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    check_description(parse(http, response, fmt))


def test_jsonld_is_compact_with_short_keys(http: httpx.Client) -> None:
    document = http.get("/doc/body/smart-region-office.jsonld").json()
    nodes = document.get("@graph", [document])
    sro = next(node for node in nodes if node.get("id") == str(SRO))
    assert "prefLabel" in sro and "responsibility" in sro
    assert any(node.get("organization") == str(SRO) for node in nodes)  # incoming, compacted
    kcvs = http.get("/doc/membership/smart-region-office-kcvs.jsonld").json()
    membership = next(n for n in kcvs.get("@graph", [kcvs]) if "member" in n)
    assert membership["member"] == ID + "organisation/kcvs"
    assert membership["organization"] == str(SRO)
    werkbank = http.get("/doc/werkbank/vloca.jsonld").json()
    nodes = werkbank.get("@graph", [werkbank])
    vloca = next(n for n in nodes if n.get("id") == ID + "werkbank/vloca")
    assert vloca["lead"] == ID + "organisation/abb"


def test_published_context_is_valid_jsonld(http: httpx.Client) -> None:
    response = http.get("/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    context = response.json()["@context"]
    assert context["prefLabel"] == "skos:prefLabel"
    assert context["member"]["@id"] == "org:member"
    document = {"@context": context, "id": str(SRO), "lead": ID + "organisation/abb"}
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    assert (SRO, SRG.lead, URIRef(ID + "organisation/abb")) in graph


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (BROWSER, "text/html"),
        ("*/*", "text/turtle"),
        ("application/json", "application/ld+json"),
    ],
)
def test_negotiation(http: httpx.Client, accept: str, expected: str) -> None:
    response = http.get("/doc/body/smart-region-office", headers={"accept": accept})
    assert response.headers["content-type"].startswith(expected)
    assert "Accept" in response.headers["vary"]


def test_html_suffix_wins_over_accept(http: httpx.Client) -> None:
    response = http.get("/doc/body/smart-region-office.html", headers={"accept": "text/turtle"})
    assert response.headers["content-type"].startswith("text/html")


def test_unknown_resource(http: httpx.Client) -> None:
    page = http.get("/doc/body/does-not-exist", headers={"accept": BROWSER})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert re.search(r'<form[^>]*action="/search"', page.text.split("<main ", 1)[1])
    plain = http.get("/doc/body/does-not-exist", headers={"accept": "*/*"})
    assert plain.status_code == 404
    assert plain.headers["content-type"].startswith("text/plain")


def test_unusable_path_is_not_found(http: httpx.Client) -> None:
    assert http.get("/doc/body/a%20b", headers={"accept": "text/turtle"}).status_code == 404
    assert http.get("/doc/body/%3Cx%3E", headers={"accept": BROWSER}).status_code == 404


def test_head(http: httpx.Client) -> None:
    response = http.head("/doc/body/smart-region-office.ttl")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")


def test_etag_and_not_modified(http: httpx.Client) -> None:
    first = http.get("/doc/body/smart-region-office", headers={"accept": "text/turtle"})
    tag = first.headers["etag"]
    assert first.headers["last-modified"]
    again = http.get(
        "/doc/body/smart-region-office", headers={"accept": "text/turtle", "if-none-match": tag}
    )
    assert again.status_code == 304
    assert again.content == b""
    for name in ("etag", "vary", "cache-control", "link"):  # RFC 9110 15.4.5
        assert again.headers.get(name) == first.headers.get(name), name


def test_any_tag_is_not_modified_only_where_there_is_a_resource(http: httpx.Client) -> None:
    """`If-None-Match: *` on a GET: 304 for a document that exists, 404 for one that does
    not (it has no representation to match, RFC 9110 13.1.2)."""
    anything = {"accept": "text/turtle", "if-none-match": "*"}
    existing = http.get("/doc/body/smart-region-office", headers=anything)
    assert existing.status_code == 304 and existing.headers["etag"]
    assert http.get("/doc/body/no-such-body", headers=anything).status_code == 404


def page(http: httpx.Client, path: str, **headers: str) -> httpx.Response:
    response = http.get(path, headers={"accept": BROWSER, **headers})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response


def test_body_page(http: httpx.Client) -> None:
    response = page(http, "/doc/body/smart-region-office")
    html = response.text
    assert "Content-Security-Policy" in response.headers
    assert '<html lang="nl">' in html
    assert "Drijvende kracht, aanspreekpunt &amp; facilitator" in html
    composition = html.split('<table class="composition"', 1)[1].split("</table>", 1)[0]
    kcvs = next(row for row in composition.split("<tr") if "Kenniscentrum Vlaamse Steden" in row)
    assert 'class="optional"' in kcvs and ">ja<" in kcvs
    abb = next(row for row in composition.split("<tr") if "Agentschap Binnenlands Bestuur" in row)
    assert ">nee<" in abb
    assert 'href="/doc/organisation/kcvs"' in composition
    text = text_of(html)
    assert "Trekker van het Smart Region Office (TBD)" in text  # the lead is an open point
    assert "Werkbank VLOCA" in text  # oversight line out, reporting line in
    assert "https://w3id.org/srg/id/body/smart-region-office" in text  # the IRI, small
    for suffix, media_type in (
        (".ttl", "text/turtle"),
        (".jsonld", "application/ld+json"),
        (".rdf", "application/rdf+xml"),
        (".nt", "application/n-triples"),
    ):
        href = f"/doc/body/smart-region-office{suffix}"
        assert f'<link rel="alternate" type="{media_type}" href="{href}">' in html
        assert f'href="/doc/body/smart-region-office{suffix}"' in html.split("<main ", 1)[1]


def test_body_page_in_english(http: httpx.Client) -> None:
    for response in (
        page(http, "/doc/body/smart-region-office", **{"accept-language": "en"}),
        page(http, "/doc/body/smart-region-office?lang=en"),
    ):
        assert '<html lang="en">' in response.text
        assert "Driving force, contact point and facilitator" in response.text
        assert "Drijvende kracht" not in text_of(response.text.split("<details>", 1)[0])


def test_werkbank_page(http: httpx.Client) -> None:
    html = page(http, "/doc/werkbank/vloca").text
    lead = html.split('class="lead"', 1)[1].split("</dd>", 1)[0]
    assert 'href="/doc/organisation/abb"' in lead
    actors = html.split('<table class="composition"', 1)[1].split("</table>", 1)[0]
    assert 'href="/doc/organisation/imec"' in actors and 'href="/doc/organisation/vito"' in actors
    assert "Projectleider van de werkbank VLOCA" in html


def test_werkbank_page_shows_a_proposed_lead_as_a_proposal(http: httpx.Client) -> None:
    html = page(http, "/doc/werkbank/matchmaking").text
    lead = html.split('class="lead"', 1)[1].split("</dd>", 1)[0]
    assert 'class="open"' in lead  # no srg:lead: the lead is still open ...
    proposed = lead.split('class="proposal proposed-lead"', 1)[1]
    assert 'href="/doc/organisation/vvsg"' in proposed  # ... and VVSG only proposed
    assert "Voorgestelde trekker (voorbeeld in de seed, nog niet aangeduid)" in text_of(proposed)
    leaders = text_of(html.split('class="leaders"', 1)[1].split("</dd>", 1)[0])
    assert "Projectleider van de werkbank Matchmaking" in leaders and "voorstel" in leaders
    english = page(http, "/doc/werkbank/matchmaking?lang=en").text
    assert "Proposed lead (the seed&#39;s example, not appointed)" in english
    vloca = page(http, "/doc/werkbank/vloca").text.split('class="lead"', 1)[1]
    assert "proposed-lead" not in vloca.split("</dd>", 1)[0]  # an appointed lead is no proposal


def test_lines_include_reporting_at_a_meeting(http: httpx.Client) -> None:
    html = page(http, "/doc/werkbank/matchmaking?lang=en").text
    lines = text_of(html.split('<table class="lines"', 1)[1].split("</table>", 1)[0])
    assert "reports at Werkbank Meeting" in lines and "Smart Region Office" in lines


def test_composition_marks_a_proposed_organisation(http: httpx.Client) -> None:
    html = page(http, "/doc/body/werkbankoverleg").text
    composition = html.split('<table class="composition"', 1)[1].split("</table>", 1)[0]
    rows = {
        slug: next(r for r in composition.split("<tr") if f"projectleider-werkbank-{slug}" in r)
        for slug in ("vloca", "matchmaking")
    }
    assert 'href="/doc/organisation/abb"' in rows["vloca"] and "voorstel" not in rows["vloca"]
    assert 'href="/doc/organisation/vvsg"' in rows["matchmaking"]
    assert "(voorstel)" in text_of(rows["matchmaking"])


def test_no_empty_represents_column(http: httpx.Client) -> None:
    """The SRO's seats are organisations, none represents another: no column for it."""
    sro = page(http, "/doc/body/smart-region-office").text
    composition = sro.split('<table class="composition"', 1)[1].split("</table>", 1)[0]
    assert "Vertegenwoordigt" not in composition and composition.count("<th>") == 3
    wbo = page(http, "/doc/body/werkbankoverleg").text
    assert "Vertegenwoordigt" in wbo.split('<table class="composition"', 1)[1]


def test_organisation_page_shows_proposed_roles(http: httpx.Client) -> None:
    html = page(http, "/doc/organisation/vvsg").text
    roles = html.split('<table class="roles"', 1)[1].split("</table>", 1)[0]
    lead = next(r for r in roles.split("<tr") if 'class="role proposed-lead"' in r)
    assert 'href="/doc/werkbank/matchmaking"' in lead and "als voorgestelde trekker" in lead
    post = next(r for r in roles.split("<tr") if 'class="role proposed-post"' in r)
    assert 'href="/doc/post/projectleider-werkbank-matchmaking"' in post
    english = page(http, "/doc/organisation/kpmg-cgr?lang=en").text
    assert "as proposed lead" in english and "/doc/werkbank/use-cases" in english


def test_standard_terms_have_labels_like_our_own(http: httpx.Client) -> None:
    html = page(http, "/doc/werkbank/vloca?lang=en").text
    lines = html.split('<table class="lines"', 1)[1].split("</table>", 1)[0]
    assert ">reports to</a>" in lines and ">org:reportsTo<" not in lines
    dutch = page(http, "/doc/body/smart-region-office").text
    assert ">rapporteert aan</a>" in dutch and ">org:reportsTo<" not in dutch
    statements = dutch.split('<table class="properties"', 1)[1]
    assert ">bron</a>" in statements and ">dcterms:source<" not in statements


def test_organisation_page(http: httpx.Client) -> None:
    html = page(http, "/doc/organisation/abb").text
    roles = html.split('<table class="roles"', 1)[1].split("</table>", 1)[0]
    for body in ("body/ambtelijke-stuurgroep", "body/smart-region-office", "werkbank/vloca"):
        assert f'href="/doc/{body}"' in roles
    assert "Projectleider" in roles


def test_vloca_component_page(http: httpx.Client) -> None:
    html = page(http, "/doc/concept/vloca/broker?lang=en").text
    assert "Broker" in html
    assert "Official" in text_of(html.split('class="status"', 1)[1].split("</dd>", 1)[0])
    assert "catalogue" in html  # the definition
    assert 'href="https://vloca-kennishub.vlaanderen.be/' in html  # a source, linked out


def test_concept_page(http: httpx.Client) -> None:
    html = page(http, "/doc/concept/role/trekker?lang=en").text
    assert "<h1>Lead</h1>" in html or "Lead" in text_of(html)
    assert 'href="/doc/scheme/role?lang=en"' in html  # the scheme, by label, kept in English
    incoming = html.split('<table class="incoming"', 1)[1]
    assert "/doc/membership/" in incoming


def test_every_link_on_a_page_with_a_blank_node_pointing_at_it_resolves(
    http: httpx.Client,
) -> None:
    """A status concept is in a SHACL `sh:in` list, a blank node pointing at it: that node is
    shown as text, not linked by its id (which resolved against the page to a 404)."""
    path = "/doc/concept/status/afgerond"
    html = page(http, path).text
    incoming = html.split('<table class="incoming"', 1)[1]
    assert "rdf:first" in incoming  # the list's node is there, as a subject
    hrefs = set(re.findall(r'href="([^"]*)"', html))
    ours = {urljoin(path, unescape(h)) for h in hrefs}
    ours = {h for h in ours if h.startswith("/")}
    broken = {
        h: s for h in sorted(ours) if (s := http.get(h, follow_redirects=True).status_code) != 200
    }
    assert not broken, broken


def test_search(http: httpx.Client) -> None:
    html = page(http, "/search?text=stuurgroep").text
    assert 'href="/doc/body/ambtelijke-stuurgroep"' in html
    assert "Ambtelijke Stuurgroep" in html


# terms whose English labels contain "werkbank" and that have no preferred label (the
# ontology's terms and the shapes, as ORG and SHACL label theirs)
PLAIN_LABELLED = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?term ?label WHERE {
  ?term rdfs:label ?label FILTER(LANG(?label) = "en" && CONTAINS(LCASE(?label), "werkbank"))
  FILTER NOT EXISTS { ?term skos:prefLabel ?preferred }
}"""


def test_search_shows_a_term_without_a_preferred_label_by_its_label(http: httpx.Client) -> None:
    """It showed them as CURIEs (`srgsh:WerkbankShape`): the query's display label was the
    preferred label only."""
    answer = http.post(
        "/sparql",
        data={"query": PLAIN_LABELLED},
        headers={"accept": "application/sparql-results+json"},
    )
    labels: dict[str, set[str]] = {}
    for row in answer.json()["results"]["bindings"]:
        labels.setdefault(row["term"]["value"], set()).add(row["label"]["value"])
    assert len(labels) > 3, labels
    html = page(http, "/search?text=werkbank&lang=en").text
    shown = {
        unescape(text) for text in re.findall(r'<tr><td><a href="[^"]*"[^>]*>([^<]*)</a>', html)
    }
    assert all(found & shown for found in labels.values()), [
        t for t, found in labels.items() if not found & shown
    ]


def test_search_without_text_shows_the_form(http: httpx.Client) -> None:
    html = page(http, "/search").text
    assert '<form class="search-page"' in html


def put_test_graph(client: httpx.Client, turtle: str) -> httpx.Response:
    """Replace the graph `graph/test` of a writable server with `turtle`."""
    return client.put(
        "/graph-store",
        params={"graph": "https://w3id.org/srg/graph/test"},
        content=turtle.encode(),
        headers={"content-type": "text/turtle", "authorization": f"Bearer {TOKEN}"},
    )


def test_markup_in_a_literal_is_escaped(writable: Server) -> None:
    markup = "<script>alert(1)</script>"
    turtle = (
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        f'<{ID}note/escape-test> skos:prefLabel "Test {markup}"@nl, "Test {markup}"@en .\n'
    )
    with writable.client() as client:
        put = put_test_graph(client, turtle)
        assert put.status_code in (200, 201, 204), put.text
        response = client.get("/doc/note/escape-test", headers={"accept": BROWSER})
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert markup not in response.text
    assert "<script>" not in response.text.split("</head>", 1)[1]
    assert "Content-Security-Policy" in response.headers


def test_the_dataset_iri_resolves_to_its_description(server: Server) -> None:
    with server.client() as client:
        response = client.get("/id/dataset/smart-region-governance", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/void"
        described = client.get(response.headers["location"], headers={"Accept": "text/turtle"})
    assert "https://w3id.org/srg/id/dataset/smart-region-governance" in described.text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        # a scheme and no excluded character, yet no IRI (RFC 3987): was a 500 each
        ("/api/queries/body-members?body=http://%5B::1", 400),
        ("/sparql?query=ASK%7B%7D&default-graph-uri=http://%5B::1", 400),
        ("/graph-store?graph=https://w3id.org/srg/graph/%5B", 400),
        ("/doc/%5B", 404),
        ("/id/%C2%8E", 404),
        ("/graph/%C2%81", 404),
    ],
)
def test_a_name_that_is_no_iri_is_a_client_error(
    http: httpx.Client, path: str, status: int
) -> None:
    answer = http.get(path)
    assert answer.status_code == status, answer.text
    assert "IRI" in answer.text or "no resource" in answer.text


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/api/queries",
        "/api/queries/open-points?limit=7",
        "/api/mappings",
        "/coverage",
        "/orgchart",
        "/validate",
        "/search?text=vloca",
        "/health",
        "/context.jsonld",
    ],
)
def test_every_page_answers_head_as_get(http: httpx.Client, path: str) -> None:
    """RFC 9110 9.1: HEAD wherever GET; it was 405 unless the answer cache held the GET."""
    head = http.head(path)
    assert head.status_code == 200, path
    assert head.headers["content-type"] == http.get(path).headers["content-type"]


def test_a_description_with_a_triple_term_is_served(writable: Server) -> None:
    """rdflib reads no RDF 1.2: one statement about a triple made the resource's page a 500 in
    every format; the engine writes such a description, and JSON-LD (which cannot say it) is
    406, on the page and in the LDES page that holds the change."""
    claim = "<urn:x:says> <<( <urn:x:a> <urn:x:b> <urn:x:c> )>>"
    turtle = f"<{ID}note/triple-term> {claim} .\n"
    with writable.client() as client:
        put = put_test_graph(client, turtle)
        assert put.status_code == 201, put.text
        for accept in ("text/turtle", "application/n-triples", "application/rdf+xml", BROWSER):
            page = client.get("/doc/note/triple-term", headers={"accept": accept})
            assert page.status_code == 200 and "urn:x:" in page.text and "urn:x:c" in page.text, (
                accept
            )
        json_ld = {"accept": "application/ld+json"}
        assert client.get("/doc/note/triple-term", headers=json_ld).status_code == 406
        root = client.get("/ldes/root", headers={"accept": "text/turtle"}).text
        last = sorted(set(re.findall(r"<(http://[^>]+/ldes/[0-9a-f]+/[0-9]+)>", root)))[-1]
        assert client.get(last, headers={"accept": "text/turtle"}).status_code == 200
        assert client.get(last, headers=json_ld).status_code == 406


def test_rdf_xml_of_a_predicate_with_no_xml_name_is_not_acceptable(writable: Server) -> None:
    """RDF/XML writes a predicate as an element name, which an IRI ending in digits or in no
    name at all cannot give: the description was a 500 (rdflib: "no valid way to shorten");
    it is 406 naming the IRI and the formats that work, which still serve it."""
    others = {"isbn": "<urn:isbn:123>", "slash": "<https://example.org/p/>"}
    turtle = f"<{ID}organisation/xss-test> <https://example.org/p/9> <{SRO}> .\n" + "".join(
        f'<{ID}note/no-name-{key}> {predicate} "x" .\n' for key, predicate in others.items()
    )
    with writable.client() as client:
        put = put_test_graph(client, turtle)
        assert put.status_code == 201, put.text
        pages = ["/doc/body/smart-region-office", *(f"/doc/note/no-name-{k}" for k in others)]
        for page in pages:
            for answer in (
                client.get(f"{page}.rdf"),
                client.get(page, headers={"accept": "application/rdf+xml"}),
            ):
                assert answer.status_code == 406, (page, answer.text)
                assert "Turtle, N-Triples or JSON-LD" in answer.text
            assert client.get(f"{page}.ttl").status_code == 200
        sro = client.get("/doc/body/smart-region-office.rdf").text
        assert "https://example.org/p/9" in sro


@pytest.mark.parametrize(
    "params",
    [{"version": ["1", "2"]}, {"asOf": ["2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"]}],
)
def test_a_version_asked_twice_is_refused(http: httpx.Client, params: dict) -> None:
    """`?version=1&version=2` answered the second, unsaid (the description at another
    version than the client may have meant); 400 as on /sparql, naming the parameter."""
    answer = http.get("/doc/body/smart-region-office", params=params)
    assert answer.status_code == 400
    assert f"2 '{next(iter(params))}' parameters" in answer.text
